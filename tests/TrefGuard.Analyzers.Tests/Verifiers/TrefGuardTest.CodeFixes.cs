using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <content>Code fix verification: one fix at a time to a fixed point, then FixAll in every scope.</content>
public abstract partial class TrefGuardTest
{
    private async Task VerifyFixAsync(
        AdhocWorkspace workspace,
        TestState state,
        TestState fixedState,
        AnalysisRun original,
        ProjectOptions options,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CodeFixProvider fixer,
        CancellationToken cancellationToken)
    {
        var fixableIds = fixer.FixableDiagnosticIds;
        if (fixableIds.IsDefaultOrEmpty)
        {
            throw new VerifierException($"{fixer.GetType().Name}.FixableDiagnosticIds is empty.");
        }

        var fixableCount = original.AnalyzerDiagnostics.Count(d => fixableIds.Contains(d.Id) && d.Location.IsInSource);
        var cap = MaxIterations ?? (2 * fixableCount) + 1;

        // Other TrefGuard analyzers: what they report before the fix is the baseline the fixed code must not exceed.
        var others = CheckFixedCodeWithAllTrefGuardAnalyzers
            ? DiagnosticRunner.TrefGuardAnalyzerTypes
                .Where(t => !analyzers.Any(a => a.GetType() == t))
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray()
            : ImmutableArray<DiagnosticAnalyzer>.Empty;
        ImmutableArray<Diagnostic> othersBefore = ImmutableArray<Diagnostic>.Empty;
        if (!others.IsEmpty)
        {
            var (before, beforeIds) = TestWorkspace.CreateSolution(workspace, state, options);
            var run = await DiagnosticRunner.AnalyzeAsync(before.GetProject(beforeIds[0])!, others, cancellationToken).ConfigureAwait(false);
            DiagnosticRunner.ThrowOnAnalyzerFailures(run, "The other TrefGuard analyzers on the sources");
            othersBefore = run.AnalyzerDiagnostics;
        }

        // 1. One diagnostic at a time, re-analyzing after each fix, until nothing fixable is left.
        var (solution, projects) = TestWorkspace.CreateSolution(workspace, state, options);
        var (fixedSolution, iterations, unfixable) = await FixOneAtATimeAsync(solution, projects[0], analyzers, fixer, cap, cancellationToken).ConfigureAwait(false);
        var fixedProject = fixedSolution.GetProject(projects[0])!;
        const string incremental = "After the code fix (applied one diagnostic at a time)";
        var note = unfixable.Count == 0
            ? null
            : "The fixer claims these ids (FixableDiagnosticIds) but offered no code action" + (CodeActionEquivalenceKey is null ? string.Empty : $" with equivalence key '{CodeActionEquivalenceKey}'") + " for:" + Environment.NewLine
                + string.Join(Environment.NewLine, unfixable.Select(d => "  " + DiagnosticText.Describe(d)));
        await AssertSourcesAsync(fixedProject, fixedState, incremental, cancellationToken, note).ConfigureAwait(false);
        if (NumberOfIncrementalIterations is { } expectedIterations && expectedIterations != iterations)
        {
            throw new VerifierException($"{incremental}: expected {expectedIterations} code fix iterations, but there were {iterations}.");
        }

        var fixedRun = await DiagnosticRunner.AnalyzeAsync(fixedProject, analyzers, cancellationToken).ConfigureAwait(false);
        DiagnosticRunner.ThrowOnAnalyzerFailures(fixedRun, "Analysis of the fixed code");
        DiagnosticRunner.ThrowOnCompilerErrors(fixedRun, "The fixed code", AllowCompilerErrors ? original.CompilerErrors : null);
        DiagnosticComparer.AssertMatch(fixedState.Expected, fixedRun.AnalyzerDiagnostics, FileTexts(fixedState), "Diagnostics of the fixed code", note);

        if (!others.IsEmpty)
        {
            var othersRun = await DiagnosticRunner.AnalyzeAsync(fixedProject, others, cancellationToken).ConfigureAwait(false);
            DiagnosticRunner.ThrowOnAnalyzerFailures(othersRun, "The other TrefGuard analyzers on the fixed code");
            AssertNoNewDiagnostics(othersBefore, othersRun.AnalyzerDiagnostics);
        }

        // 2. FixAll in each scope, from the original sources again, must give the same text.
        foreach (var scope in FixAllScopes.Distinct())
        {
            var projectCount = scope == FixAllScope.Solution ? 2 : 1;
            var (start, ids) = TestWorkspace.CreateSolution(workspace, state, options, projectCount);
            var (result, fixAllIterations) = await FixAllAsync(scope, start, ids, analyzers, fixer, cap, cancellationToken).ConfigureAwait(false);
            for (var p = 0; p < ids.Length; p++)
            {
                var context = $"After FixAll in {scope} scope" + (ids.Length > 1 ? $" (project {p + 1} of {ids.Length})" : string.Empty);
                await AssertSourcesAsync(result.GetProject(ids[p])!, fixedState, context, cancellationToken).ConfigureAwait(false);
            }

            var expectedFixAll = scope == FixAllScope.Document ? NumberOfFixAllInDocumentIterations : NumberOfFixAllIterations;
            if (expectedFixAll is { } expected && expected != fixAllIterations)
            {
                throw new VerifierException($"FixAll in {scope} scope: expected {expected} iterations, but there were {fixAllIterations}.");
            }
        }

        // 3. What `dotnet format analyzers --diagnostics <ids> --severity info` does, in one run. It needs FixAll in
        // solution scope, so a test that verifies without it has no dotnet format story either.
        if (SkipDotnetFormatCheckReason is null && FixAllScopes.Contains(FixAllScope.Solution))
        {
            var (start, ids) = TestWorkspace.CreateSolution(workspace, state, options);
            var warnings = new List<string>();
            var formatted = await DotnetFormatOnceAsync(start, ids[0], analyzers, fixer, warnings, cancellationToken).ConfigureAwait(false);
            if (formatted is not null)
            {
                await AssertSourcesAsync(
                    formatted.GetProject(ids[0])!,
                    fixedState,
                    $"After one run of 'dotnet format analyzers --diagnostics {string.Join(' ', fixableIds)} --severity info' (emulated; one solution-scope FixAll per id with the first action offered, no second run)",
                    cancellationToken,
                    warnings.Count == 0 ? null : "dotnet format would have logged:" + Environment.NewLine + string.Join(Environment.NewLine, warnings.Select(w => "  " + w))).ConfigureAwait(false);
            }
        }
        else if (SkipDotnetFormatCheckReason is not null && string.IsNullOrWhiteSpace(SkipDotnetFormatCheckReason))
        {
            throw new InvalidOperationException("SkipDotnetFormatCheckReason must say why the fix cannot be applied by dotnet format.");
        }
    }

    /// <summary>
    /// Emulates dotnet format's analyzer fixing (its SolutionCodeFixApplier): for each fixable id, in the order the
    /// ids first appear, re-analyze, take the first located diagnostic and the FIRST top-level action the fixer
    /// registers for it, and run the FixAll provider once in solution scope for that id alone, with dotnet format's
    /// diagnostic provider (a project's diagnostics include located ones). No iteration to a fixed point. What
    /// dotnet format would only log as a warning (no FixAll, no action, a crash) leaves the code as it is and is
    /// collected in <paramref name="warnings"/>. Returns <see langword="null"/> when the test selects an action
    /// other than the first one offered, which dotnet format cannot apply.
    /// </summary>
    private async Task<Solution?> DotnetFormatOnceAsync(
        Solution solution,
        ProjectId projectId,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CodeFixProvider fixer,
        List<string> warnings,
        CancellationToken cancellationToken)
    {
        const string Context = "dotnet format emulation";
        var name = fixer.GetType().Name;
        var initial = await DiagnosticRunner.AnalyzeAsync(solution.GetProject(projectId)!, analyzers, cancellationToken).ConfigureAwait(false);
        DiagnosticRunner.ThrowOnAnalyzerFailures(initial, Context);
        var order = initial.AnalyzerDiagnostics.Select(d => d.Id).Where(fixer.FixableDiagnosticIds.Contains).Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in order)
        {
            var project = solution.GetProject(projectId)!;
            var run = await DiagnosticRunner.AnalyzeAsync(project, analyzers, cancellationToken).ConfigureAwait(false);
            DiagnosticRunner.ThrowOnAnalyzerFailures(run, Context);
            var result = run.AnalyzerDiagnostics
                .Where(d => fixer.FixableDiagnosticIds.Contains(d.Id) && d.Severity >= DiagnosticSeverity.Info)
                .ToImmutableArray();
            if (!result.Any(d => d.Id == id))
            {
                continue;
            }

            var provider = fixer.GetFixAllProvider();
            if (provider?.GetSupportedFixAllScopes()?.Contains(FixAllScope.Solution) != true)
            {
                warnings.Add($"Unable to fix {id}. Code fix {name} doesn't support Fix All in Solution.");
                continue;
            }

            // dotnet format takes the first located diagnostic of the result, whatever its id.
            var first = result.FirstOrDefault(d => d.Location.SourceTree is not null);
            if (first is null)
            {
                continue;
            }

            var document = project.GetDocument(first.Location.SourceTree)!;
            try
            {
                CodeAction? action = null;
                await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, first, (a, _) => action ??= a, cancellationToken)).ConfigureAwait(false);
                if ((CodeActionEquivalenceKey is not null || CodeActionIndex is > 0) && action?.EquivalenceKey != CodeActionEquivalenceKey)
                {
                    // The test applies another action than the first one, which is all dotnet format can apply.
                    return null;
                }

                var context = new FixAllContext(
                    document,
                    fixer,
                    FixAllScope.Solution,
                    action?.EquivalenceKey!,
                    new[] { id },
                    new DotnetFormatDiagnosticProvider(project.Id, result),
                    cancellationToken);
                var fixAll = await provider.GetFixAsync(context).ConfigureAwait(false);
                if (fixAll is null)
                {
                    warnings.Add($"Unable to fix {id}. Code fix {name} didn't return a Fix All action. (It was asked for equivalence key '{action?.EquivalenceKey ?? "(null)"}', the first action registered for {DiagnosticText.Describe(first)}, and diagnostic ids [{id}].)");
                    continue;
                }

                var changes = (await fixAll.GetOperationsAsync(cancellationToken).ConfigureAwait(false)).OfType<ApplyChangesOperation>().ToList();
                if (changes.Count != 1)
                {
                    warnings.Add($"Unable to fix {id}. Code fix {name} returned an unexpected operation.");
                    continue;
                }

                solution = changes[0].ChangedSolution;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                warnings.Add($"Failed to apply code fix {name} for {id}: {ex.Message}{Environment.NewLine}{ex}");
            }
        }

        return solution;
    }


    private async Task<(Solution Solution, int Iterations, List<Diagnostic> Unfixable)> FixOneAtATimeAsync(
        Solution solution,
        ProjectId projectId,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CodeFixProvider fixer,
        int cap,
        CancellationToken cancellationToken)
    {
        var iterations = 0;
        while (true)
        {
            var project = solution.GetProject(projectId)!;
            var run = await DiagnosticRunner.AnalyzeAsync(project, analyzers, cancellationToken).ConfigureAwait(false);
            DiagnosticRunner.ThrowOnAnalyzerFailures(run, $"Analysis before code fix iteration {iterations + 1}");
            var unfixable = new List<Diagnostic>();
            CodeAction? chosen = null;
            Diagnostic? target = null;
            foreach (var diagnostic in run.AnalyzerDiagnostics.Where(d => fixer.FixableDiagnosticIds.Contains(d.Id) && d.Location.IsInSource))
            {
                var document = project.GetDocument(diagnostic.Location.SourceTree)
                    ?? throw new VerifierException($"No document holds {DiagnosticText.Describe(diagnostic)}.");
                var action = SelectAction(await GetActionsAsync(fixer, document, diagnostic, cancellationToken).ConfigureAwait(false), diagnostic);
                if (action is null)
                {
                    unfixable.Add(diagnostic);
                    continue;
                }

                chosen = action;
                target = diagnostic;
                break;
            }

            if (chosen is null || target is null)
            {
                return (solution, iterations, unfixable);
            }

            if (++iterations > cap)
            {
                throw new VerifierException(
                    $"The code fix does not converge: after {cap} iterations (MaxIterations) it is still offered for {DiagnosticText.Describe(target)}. Current text of {TestWorkspace.DisplayName(target.Location.SourceTree?.FilePath)}:{Environment.NewLine}{target.Location.SourceTree?.GetText(cancellationToken)}");
            }

            solution = await ApplyAsync(chosen, solution, $"Code fix iteration {iterations} for {DiagnosticText.Describe(target)}", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(Solution Solution, int Iterations)> FixAllAsync(
        FixAllScope scope,
        Solution solution,
        ImmutableArray<ProjectId> projectIds,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CodeFixProvider fixer,
        int cap,
        CancellationToken cancellationToken)
    {
        var iterations = 0;
        while (true)
        {
            var byProject = new Dictionary<ProjectId, ImmutableArray<Diagnostic>>();
            foreach (var id in projectIds)
            {
                var run = await DiagnosticRunner.AnalyzeAsync(solution.GetProject(id)!, analyzers, cancellationToken).ConfigureAwait(false);
                DiagnosticRunner.ThrowOnAnalyzerFailures(run, $"Analysis before FixAll ({scope}) iteration {iterations + 1}");
                byProject[id] = run.AnalyzerDiagnostics;
            }

            Document? document = null;
            Diagnostic? first = null;
            CodeAction? action = null;
            foreach (var id in projectIds)
            {
                var project = solution.GetProject(id)!;
                foreach (var diagnostic in byProject[id].Where(d => fixer.FixableDiagnosticIds.Contains(d.Id) && d.Location.IsInSource))
                {
                    var candidate = project.GetDocument(diagnostic.Location.SourceTree)!;
                    action = SelectAction(await GetActionsAsync(fixer, candidate, diagnostic, cancellationToken).ConfigureAwait(false), diagnostic);
                    if (action is not null)
                    {
                        document = candidate;
                        first = diagnostic;
                        break;
                    }
                }

                if (action is not null)
                {
                    break;
                }
            }

            if (action is null || document is null || first is null)
            {
                return (solution, iterations);
            }

            if (++iterations > cap)
            {
                throw new VerifierException($"FixAll in {scope} scope does not converge: after {cap} iterations (MaxIterations) a fix is still offered for {DiagnosticText.Describe(first)}.");
            }

            var provider = fixer.GetFixAllProvider()
                ?? throw new VerifierException($"{fixer.GetType().Name}.GetFixAllProvider() returns null, but every TrefGuard fix supports FixAll (use WellKnownFixAllProviders.BatchFixer or a custom provider). A test may narrow FixAllScopes only with a documented reason.");
            if (!provider.GetSupportedFixAllScopes().Contains(scope))
            {
                throw new VerifierException($"{fixer.GetType().Name}'s FixAll provider does not support {scope} scope (it supports {string.Join(", ", provider.GetSupportedFixAllScopes())}).");
            }

            var context = new FixAllContext(
                document,
                fixer,
                scope,
                action.EquivalenceKey,
                provider.GetSupportedFixAllDiagnosticIds(fixer),
                new TestDiagnosticProvider(byProject),
                cancellationToken);
            CodeAction? fixAll;
            try
            {
                fixAll = await provider.GetFixAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new VerifierException($"FixAll in {scope} scope: {provider.GetType().Name}.GetFixAsync threw for '{action.EquivalenceKey}': {ex}");
            }

            if (fixAll is null)
            {
                throw new VerifierException($"FixAll in {scope} scope: the provider offered no action for '{action.EquivalenceKey}' although {DiagnosticText.Describe(first)} has a fix.");
            }

            solution = await ApplyAsync(fixAll, solution, $"FixAll in {scope} scope, iteration {iterations}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ImmutableArray<CodeAction>> GetActionsAsync(CodeFixProvider fixer, Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken);
        try
        {
            await fixer.RegisterCodeFixesAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new VerifierException($"{fixer.GetType().Name}.RegisterCodeFixesAsync threw for {DiagnosticText.Describe(diagnostic)}: {ex}");
        }

        var flattened = ImmutableArray.CreateBuilder<CodeAction>();
        Flatten(actions, flattened);
        foreach (var action in flattened)
        {
            if (string.IsNullOrEmpty(action.EquivalenceKey))
            {
                throw new VerifierException($"{fixer.GetType().Name} offers '{action.Title}' for {diagnostic.Id} without an EquivalenceKey: FixAll and tests select actions by it (use a public constant).");
            }
        }

        return flattened.ToImmutable();
    }

    private static void Flatten(IEnumerable<CodeAction> actions, ImmutableArray<CodeAction>.Builder into)
    {
        foreach (var action in actions)
        {
            if (action.NestedActions.IsDefaultOrEmpty)
            {
                into.Add(action);
            }
            else
            {
                Flatten(action.NestedActions, into);
            }
        }
    }

    private CodeAction? SelectAction(ImmutableArray<CodeAction> actions, Diagnostic diagnostic)
    {
        if (actions.IsEmpty)
        {
            return null;
        }

        if (CodeActionIndex is { } index)
        {
            if (index < 0 || index >= actions.Length)
            {
                throw new VerifierException($"CodeActionIndex is {index}, but {actions.Length} action(s) are offered for {DiagnosticText.Describe(diagnostic)}: {DescribeActions(actions)}.");
            }

            var byIndex = actions[index];
            if (CodeActionEquivalenceKey is not null && byIndex.EquivalenceKey != CodeActionEquivalenceKey)
            {
                throw new VerifierException($"Action {index} for {DiagnosticText.Describe(diagnostic)} has equivalence key '{byIndex.EquivalenceKey}', not '{CodeActionEquivalenceKey}': {DescribeActions(actions)}.");
            }

            return byIndex;
        }

        return CodeActionEquivalenceKey is null
            ? actions[0]
            : actions.FirstOrDefault(a => a.EquivalenceKey == CodeActionEquivalenceKey);
    }

    private static string DescribeActions(ImmutableArray<CodeAction> actions)
        => string.Join(", ", actions.Select((a, i) => $"[{i}] '{a.Title}' ({a.EquivalenceKey})"));

    private static async Task<Solution> ApplyAsync(CodeAction action, Solution solution, string context, CancellationToken cancellationToken)
    {
        ImmutableArray<CodeActionOperation> operations;
        try
        {
            operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new VerifierException($"{context}: code action '{action.Title}' threw: {ex}");
        }

        var changes = operations.OfType<ApplyChangesOperation>().ToList();
        if (changes.Count != 1)
        {
            throw new VerifierException($"{context}: code action '{action.Title}' produced {changes.Count} ApplyChangesOperation(s); exactly one is expected.");
        }

        var changed = changes[0].ChangedSolution;
        if (!await HasTextChangesAsync(solution, changed, cancellationToken).ConfigureAwait(false))
        {
            throw new VerifierException($"{context}: code action '{action.Title}' changed nothing, so it would be offered forever.");
        }

        return changed;
    }

    private static async Task<bool> HasTextChangesAsync(Solution before, Solution after, CancellationToken cancellationToken)
    {
        var changes = after.GetChanges(before);
        if (changes.GetAddedProjects().Any() || changes.GetRemovedProjects().Any())
        {
            return true;
        }

        foreach (var project in changes.GetProjectChanges())
        {
            if (project.GetAddedDocuments().Any() || project.GetRemovedDocuments().Any() || project.GetChangedAdditionalDocuments().Any())
            {
                return true;
            }

            foreach (var id in project.GetChangedDocuments())
            {
                var oldText = await before.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                var newText = await after.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                if (!oldText.ContentEquals(newText))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static async Task AssertSourcesAsync(Project project, TestState expected, string context, CancellationToken cancellationToken, string? note = null)
    {
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in project.Documents)
        {
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            actual[TestWorkspace.DisplayName(document.FilePath)] = TextDiff.NormalizeLineEndings(text.ToString());
        }

        var message = new StringBuilder();
        var extra = actual.Keys.Where(name => expected.Sources.All(s => s.Name != name)).ToList();
        if (extra.Count > 0)
        {
            message.Append(context).Append(": unexpected documents ").Append(string.Join(", ", extra)).AppendLine(".");
        }

        foreach (var file in expected.Sources)
        {
            if (!actual.TryGetValue(file.Name, out var actualText))
            {
                message.Append(context).Append(": ").Append(file.Name).AppendLine(" is missing.");
                continue;
            }

            var expectedText = TextDiff.NormalizeLineEndings(file.Text);
            if (expectedText == actualText)
            {
                continue;
            }

            message.Append(context).Append(": ").Append(file.Name).Append(" is not the expected fixed source");
            message.AppendLine(TextDiff.DifferOnlyInTrailingWhitespace(expectedText, actualText) ? " (they differ only in trailing whitespace, shown as ·):" : ":");
            message.Append(TextDiff.Unified(expectedText, actualText));
            message.Append("Actual ").Append(file.Name).AppendLine(" (review it before pasting it as the expected fixed source):");
            message.AppendLine(actualText);
        }

        if (message.Length > 0)
        {
            if (note is not null)
            {
                message.AppendLine().AppendLine(note);
            }

            throw new VerifierException(message.ToString());
        }
    }

    private static void AssertNoNewDiagnostics(ImmutableArray<Diagnostic> before, ImmutableArray<Diagnostic> after)
    {
        var beforeCounts = before.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var added = after.GroupBy(d => d.Id)
            .Where(g => g.Count() > beforeCounts.GetValueOrDefault(g.Key))
            .ToList();
        if (added.Count == 0)
        {
            return;
        }

        var message = new StringBuilder("The fixed code has more diagnostics of other TrefGuard analyzers than the original (a fix must not trade one warning for another; set CheckFixedCodeWithAllTrefGuardAnalyzers = false only with a reason):").AppendLine();
        foreach (var group in added)
        {
            message.Append("  ").Append(group.Key).Append(": ").Append(beforeCounts.GetValueOrDefault(group.Key)).Append(" before, ").Append(group.Count()).AppendLine(" after");
            foreach (var diagnostic in group)
            {
                message.Append("    ").Append(DiagnosticText.Describe(diagnostic)).AppendLine();
            }
        }

        throw new VerifierException(message.ToString());
    }

    /// <summary>dotnet format's provider: a project's diagnostics are all of them, located or not.</summary>
    private sealed class DotnetFormatDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        private readonly ProjectId _project;
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public DotnetFormatDiagnosticProvider(ProjectId project, ImmutableArray<Diagnostic> diagnostics)
        {
            _project = project;
            _diagnostics = diagnostics;
        }

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            => Task.FromResult(Of(document.Project).Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Of(project));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Of(project));

        private IEnumerable<Diagnostic> Of(Project project) => project.Id == _project ? _diagnostics : Enumerable.Empty<Diagnostic>();
    }

    /// <summary>Serves FixAll the diagnostics the harness computed for the current solution.</summary>
    private sealed class TestDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        private readonly IReadOnlyDictionary<ProjectId, ImmutableArray<Diagnostic>> _diagnostics;

        public TestDiagnosticProvider(IReadOnlyDictionary<ProjectId, ImmutableArray<Diagnostic>> diagnostics) => _diagnostics = diagnostics;

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            => Task.FromResult(Of(document.Project).Where(d => d.Location.IsInSource && d.Location.SourceTree!.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Of(project).Where(d => !d.Location.IsInSource));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Of(project));

        private IEnumerable<Diagnostic> Of(Project project)
            => _diagnostics.TryGetValue(project.Id, out var diagnostics) ? diagnostics : Enumerable.Empty<Diagnostic>();
    }
}
