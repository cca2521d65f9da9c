using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>Why a variant failed.</summary>
public enum MutationFailureKind
{
    /// <summary>An analyzer threw (onAnalyzerException).</summary>
    AnalyzerException,

    /// <summary>An AD0001 (or other analyzer-exception) diagnostic was reported.</summary>
    AnalyzerCrashDiagnostic,

    /// <summary>A code fix provider threw while registering fixes or computing a fix's operations.</summary>
    FixerThrew,

    /// <summary>A fix produced a document with more syntax errors than the one it was given.</summary>
    FixAddedSyntaxErrors,

    /// <summary>The variant took longer than the budget.</summary>
    Slow,

    /// <summary>The variant did not finish within the hang timeout.</summary>
    Hang,
}

/// <summary>One failure of a variant.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Detail">The full story: exception with stack trace, or the fixed document.</param>
/// <param name="Signature">What makes two failures the same bug, e.g. the exception type and the TrefGuard frame that threw.</param>
public sealed record MutationFailure(MutationFailureKind Kind, string Detail, string Signature);

/// <summary>What running the analyzers and every offered fix over one variant gave.</summary>
public sealed record VariantOutcome(
    MutationVariant Variant,
    TimeSpan Wall,
    TimeSpan AnalyzerTime,
    TimeSpan FixTime,
    int TrefGuardDiagnostics,
    int FixesApplied,
    int DiagnosticsNotTried,
    ImmutableArray<MutationFailure> Failures)
{
    /// <summary>
    /// The process's CPU time during the analysis (binding included): what the analysis cost regardless of how many
    /// other processes shared the cores. The budget applies to the smaller of this and the telemetry.
    /// </summary>
    public TimeSpan AnalysisCpuTime { get; init; }

    /// <summary>What the budget applies to (unless it is on wall time): the smaller of the telemetry and the CPU time.</summary>
    public TimeSpan Budgeted => AnalyzerTime < AnalysisCpuTime ? AnalyzerTime : AnalysisCpuTime;

    /// <summary>The TrefGuard diagnostics as "TGxxxx line: message", for replaying a single variant.</summary>
    public ImmutableArray<string> Diagnostics { get; init; } = ImmutableArray<string>.Empty;
}

/// <summary>
/// Compiles a variant with TrefGuard.Runtime referenced (errors allowed: the code is broken on purpose), runs every
/// TrefGuard analyzer with analyzer-exception reporting and execution-time telemetry on, then asks every TrefGuard
/// code fix provider for its fixes of every TrefGuard diagnostic and applies each, checking that no fix throws and
/// no fixed document has more syntax errors than before.
/// </summary>
public sealed class MutationRunner
{
    /// <summary>A variant with more diagnostics than this has the rest left unfixed (and counted), to bound its time.</summary>
    public const int MaxDiagnosticsFixedPerVariant = 200;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    private readonly ImmutableArray<MetadataReference> _references;
    private readonly TimeSpan _budget;
    private readonly bool _budgetOnWallTime;

    /// <param name="references">The framework's reference assemblies and TrefGuard.Runtime.</param>
    /// <param name="budget">The most a variant may take.</param>
    /// <param name="budgetOnWallTime">
    /// Whether the budget applies to the wall time of the whole variant; otherwise to the smaller of the analyzers'
    /// execution time as their telemetry measures it and the process's CPU time during the analysis, which a shared,
    /// loaded machine inflates far less (the CPU time assumes nothing else runs in the process meanwhile).
    /// </param>
    /// <param name="reanalyzeFixes">Whether to run the analyzers again over each fix's output, which must not crash them either.</param>
    public MutationRunner(ImmutableArray<MetadataReference> references, TimeSpan budget, bool budgetOnWallTime, bool reanalyzeFixes = false)
    {
        ReanalyzeFixes = reanalyzeFixes;
        _references = references;
        _budget = budget;
        _budgetOnWallTime = budgetOnWallTime;
        Analyzers = Instances<DiagnosticAnalyzer>(typeof(TrefGuard.Analyzers.Rules.OwnershipAnalyzer).Assembly);
        Fixers = Instances<CodeFixProvider>(typeof(TrefGuard.CodeFixes.MissedPutFixer).Assembly);
        if (Analyzers.IsEmpty || Fixers.IsEmpty)
        {
            throw new InvalidOperationException($"Found {Analyzers.Length} analyzers and {Fixers.Length} code fix providers: expected both.");
        }
    }

    public ImmutableArray<DiagnosticAnalyzer> Analyzers { get; }

    public ImmutableArray<CodeFixProvider> Fixers { get; }

    public TimeSpan Budget => _budget;

    public bool BudgetOnWallTime => _budgetOnWallTime;

    public bool ReanalyzeFixes { get; }

    public async Task<VariantOutcome> RunAsync(MutationVariant variant, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<MutationFailure>();
        using var workspace = new AdhocWorkspace();
        var (solution, projectId) = CreateProject(workspace, variant);
        var project = solution.GetProject(projectId)!;
        var compilation = (await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;

        var exceptions = new ConcurrentQueue<MutationFailure>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue(new MutationFailure(
                MutationFailureKind.AnalyzerException,
                $"{analyzer.GetType().FullName} threw {exception}{Environment.NewLine}    reported as {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}",
                $"{analyzer.GetType().Name}: {ThrowSite(exception)}")),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: true,
            reportSuppressedDiagnostics: false);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await compilation.WithAnalyzers(Analyzers, options).GetAnalysisResultAsync(cancellationToken).ConfigureAwait(false);
        var analysisCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var analyzerTime = result.AnalyzerTelemetryInfo.Values.Aggregate(TimeSpan.Zero, (sum, info) => sum + info.ExecutionTime);
        failures.AddRange(exceptions);

        var diagnostics = result.GetAllDiagnostics();
        foreach (var crash in diagnostics.Where(d => d.Id.StartsWith("AD", StringComparison.Ordinal) || d.Descriptor.CustomTags.Contains(WellKnownDiagnosticTags.AnalyzerException)))
        {
            var message = crash.GetMessage(CultureInfo.InvariantCulture);
            failures.Add(new MutationFailure(MutationFailureKind.AnalyzerCrashDiagnostic, $"{crash.Id} at {crash.Location.GetLineSpan()}: {message}", $"{crash.Id}: {message.Split('\n')[0]}"));
        }

        var trefGuard = diagnostics
            .Where(d => d.Id.StartsWith("TG", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var fixable = trefGuard.Where(d => d.Location.IsInSource && Fixers.Any(f => f.FixableDiagnosticIds.Contains(d.Id))).ToList();
        var notTried = Math.Max(0, fixable.Count - MaxDiagnosticsFixedPerVariant);

        var fixClock = Stopwatch.StartNew();
        var applied = 0;
        foreach (var diagnostic in fixable.Take(MaxDiagnosticsFixedPerVariant))
        {
            applied += await ApplyEveryFixAsync(solution, diagnostic, failures, cancellationToken).ConfigureAwait(false);
        }

        fixClock.Stop();
        clock.Stop();

        // On a shared machine the analyzers' telemetry (time inside their callbacks) grows with the load, and the
        // process's CPU time grows with the compiler's own binding: an analyzer that is really slow drives both up,
        // load or a heavy compilation only one. So the budget applies to the smaller of the two.
        var measured = _budgetOnWallTime ? clock.Elapsed : (analyzerTime < analysisCpu ? analyzerTime : analysisCpu);
        if (measured > _budget)
        {
            failures.Add(new MutationFailure(
                MutationFailureKind.Slow,
                $"{(_budgetOnWallTime ? "wall time" : "analyzer execution time and analysis CPU time both")} over the budget: {measured.TotalMilliseconds:F0} ms exceeds the budget of {_budget.TotalMilliseconds:F0} ms (wall {clock.Elapsed.TotalMilliseconds:F0} ms, analysis CPU {analysisCpu.TotalMilliseconds:F0} ms; per analyzer: "
                + string.Join(", ", result.AnalyzerTelemetryInfo.Select(p => $"{p.Key.GetType().Name} {p.Value.ExecutionTime.TotalMilliseconds:F0} ms")) + ")",
                "over the budget"));
        }

        return new VariantOutcome(variant, clock.Elapsed, analyzerTime, fixClock.Elapsed, trefGuard.Count, applied, notTried, failures.ToImmutableArray())
        {
            AnalysisCpuTime = analysisCpu,
            Diagnostics = trefGuard.Select(d => $"{d.Id} {d.Location.GetLineSpan().Path}:{d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.GetMessage(CultureInfo.InvariantCulture)}").ToImmutableArray(),
        };
    }

    private (Solution Solution, ProjectId Project) CreateProject(AdhocWorkspace workspace, MutationVariant variant)
    {
        const string directory = "/mutation";
        var trees = variant.Sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, s_parseOptions)).ToList();
        var executable = trees.Any(t => ((CompilationUnitSyntax)t.GetRoot()).Members.OfType<GlobalStatementSyntax>().Any());
        var projectId = ProjectId.CreateNewId("Mutation");
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Default,
            "Mutation",
            "Mutation",
            LanguageNames.CSharp,
            filePath: directory + "/Mutation.csproj",
            compilationOptions: new CSharpCompilationOptions(
                executable ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true),
            parseOptions: s_parseOptions,
            metadataReferences: _references));
        foreach (var source in variant.Sources)
        {
            var name = source.Name.Replace('/', '_');
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId, name), name, SourceText.From(source.Text), filePath: directory + "/" + name);
        }

        foreach (var file in variant.AdditionalFiles)
        {
            solution = solution.AddAdditionalDocument(DocumentId.CreateNewId(projectId, file.Name), file.Name, SourceText.From(file.Text), filePath: directory + "/" + file.Name);
        }

        return (solution, projectId);
    }

    /// <summary>Every fix every provider offers for <paramref name="diagnostic"/>, applied to the original solution one at a time.</summary>
    private async Task<int> ApplyEveryFixAsync(Solution solution, Diagnostic diagnostic, List<MutationFailure> failures, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(diagnostic.Location.SourceTree);
        if (document is null)
        {
            return 0;
        }

        var where = $"{diagnostic.Id} at {document.Name}:{diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1} ({diagnostic.GetMessage(CultureInfo.InvariantCulture)})";
        var applied = 0;
        foreach (var fixer in Fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
        {
            var actions = new List<CodeAction>();
            try
            {
                var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken);
                await fixer.RegisterCodeFixesAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                failures.Add(new MutationFailure(MutationFailureKind.FixerThrew, $"{fixer.GetType().Name}.RegisterCodeFixesAsync for {where} threw {ex}", $"{fixer.GetType().Name}.RegisterCodeFixesAsync: {ThrowSite(ex)}"));
                continue;
            }

            foreach (var action in Flatten(actions))
            {
                var title = $"{fixer.GetType().Name} '{action.Title}' ({action.EquivalenceKey}) for {where}";
                ImmutableArray<CodeActionOperation> operations;
                try
                {
                    operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    failures.Add(new MutationFailure(MutationFailureKind.FixerThrew, $"{title}: GetOperationsAsync threw {ex}", $"{fixer.GetType().Name} ({action.EquivalenceKey}).GetOperationsAsync: {ThrowSite(ex)}"));
                    continue;
                }

                foreach (var change in operations.OfType<ApplyChangesOperation>())
                {
                    applied++;
                    var fix = $"{fixer.GetType().Name} ({action.EquivalenceKey})";
                    await CheckSyntaxAsync(solution, change.ChangedSolution, title, fix, failures, cancellationToken).ConfigureAwait(false);
                    if (ReanalyzeFixes)
                    {
                        await ReanalyzeAsync(change.ChangedSolution, document.Project.Id, title, fix, failures, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return applied;
    }

    /// <summary>The analyzers over a fix's output: code no one typed, which must not crash them either.</summary>
    private async Task ReanalyzeAsync(Solution fixedSolution, ProjectId projectId, string title, string fix, List<MutationFailure> failures, CancellationToken cancellationToken)
    {
        var project = fixedSolution.GetProject(projectId)!;
        var compilation = (await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;
        var exceptions = new ConcurrentQueue<MutationFailure>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue(new MutationFailure(
                MutationFailureKind.AnalyzerException,
                $"on the output of {title}: {analyzer.GetType().FullName} threw {exception}",
                $"{analyzer.GetType().Name} (on a fix's output): {ThrowSite(exception)}")),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var diagnostics = await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        failures.AddRange(exceptions);
        foreach (var crash in diagnostics.Where(d => d.Id.StartsWith("AD", StringComparison.Ordinal)))
        {
            var message = crash.GetMessage(CultureInfo.InvariantCulture);
            failures.Add(new MutationFailure(MutationFailureKind.AnalyzerCrashDiagnostic, $"on the output of {title}: {crash.Id}: {message}", $"{crash.Id} (on the output of {fix}): {message.Split('\n')[0]}"));
        }
    }

    private static async Task CheckSyntaxAsync(Solution before, Solution after, string title, string fix, List<MutationFailure> failures, CancellationToken cancellationToken)
    {
        foreach (var projectChanges in after.GetChanges(before).GetProjectChanges())
        {
            var changed = projectChanges.GetChangedDocuments().Concat(projectChanges.GetAddedDocuments());
            foreach (var id in changed)
            {
                var fixedDocument = after.GetDocument(id)!;
                var fixedTree = (await fixedDocument.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false))!;
                var fixedErrors = SyntaxErrors(fixedTree);
                var original = before.GetDocument(id);
                var originalErrors = original is null ? new List<Diagnostic>() : SyntaxErrors((await original.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false))!);
                if (fixedErrors.Count > originalErrors.Count)
                {
                    var text = (await fixedDocument.GetTextAsync(cancellationToken).ConfigureAwait(false)).ToString();
                    var detail = new StringBuilder();
                    detail.Append(title).Append(": ").Append(fixedDocument.Name).Append(" has ").Append(fixedErrors.Count)
                        .Append(" syntax errors after the fix, ").Append(originalErrors.Count).AppendLine(" before. After the fix:");
                    foreach (var error in fixedErrors.Take(5))
                    {
                        var line = error.Location.GetLineSpan().StartLinePosition.Line;
                        detail.Append("  ").Append(error.Id).Append(" line ").Append(line + 1).Append(": ").Append(error.GetMessage(CultureInfo.InvariantCulture))
                            .Append("   | ").AppendLine(fixedTree.GetText(cancellationToken).Lines[line].ToString().Trim());
                    }

                    detail.AppendLine("----- fixed document -----").AppendLine(text);
                    failures.Add(new MutationFailure(MutationFailureKind.FixAddedSyntaxErrors, detail.ToString(), fix + " adds syntax errors"));
                }
            }
        }
    }

    /// <summary>The exception's type and the innermost TrefGuard method it passed through.</summary>
    private static string ThrowSite(Exception exception)
    {
        var innermost = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
        var frame = new StackTrace(innermost, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(f => f.GetMethod()?.DeclaringType?.FullName?.StartsWith("TrefGuard.", StringComparison.Ordinal) == true);
        var method = frame?.GetMethod();
        var where = method is null ? "(no TrefGuard frame)" : $"{method.DeclaringType!.FullName}.{method.Name}";
        if (frame?.GetFileName() is { } file)
        {
            where += $" ({System.IO.Path.GetFileName(file)}:{frame.GetFileLineNumber()})";
        }

        return $"{innermost.GetType().FullName} in {where}";
    }

    private static List<Diagnostic> SyntaxErrors(SyntaxTree tree) => tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    private static IEnumerable<CodeAction> Flatten(IEnumerable<CodeAction> actions)
    {
        foreach (var action in actions)
        {
            if (action.NestedActions.IsDefaultOrEmpty)
            {
                yield return action;
            }
            else
            {
                foreach (var nested in Flatten(action.NestedActions))
                {
                    yield return nested;
                }
            }
        }
    }

    private static ImmutableArray<T> Instances<T>(Assembly assembly)
        where T : class
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types.Where(t => t is not null).ToArray()!;
        }

        return types
            .Where(t => !t.IsAbstract && typeof(T).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (T)Activator.CreateInstance(t)!)
            .ToImmutableArray();
    }
}
