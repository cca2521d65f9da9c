using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.CodeFixes;

/// <summary>
/// FixAll for the lock fixes (TG0002, TG0006, TG0009): one diagnostic at a time, in source order, re-analysing the
/// document after each fix. Lock fixes overlap by nature: two reads in one statement want the same
/// <c>using</c>, a read in an <c>if</c> condition and one in its body are both covered by the first wrap, two puts
/// move after the same lock scope, and a task used twice is pinned once. Independently computed edits, as the batch
/// fixer merges them, would nest locks or duplicate pins; fixing in order gives what fixing one by one gives.
/// <para>
/// Each diagnostic gets the fix of the requested kind (equivalence key) where that fix can be made, and its own
/// first (preferred) fix otherwise: which fix applies depends on the code around each access (a null test, a task
/// read into a local, a lock in scope), and "fix all" is asked to clear the diagnostic everywhere. That is also what
/// makes one run of <c>dotnet format analyzers</c> fix every TG0002, TG0006 and TG0009 it can: it requests the key of
/// the first diagnostic's first fix for all of them. A null key means the preferred fix everywhere.
/// </para>
/// </summary>
internal sealed class LockFixAllProvider : FixAllProvider
{
    /// <summary>More fixes than this in one document means a fix that does not converge: stop rather than spin.</summary>
    private const int MaxFixesPerDocument = 256;

    public static LockFixAllProvider Instance { get; } = new();

    public override IEnumerable<FixAllScope> GetSupportedFixAllScopes()
        => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

    public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        var documents = fixAllContext.Scope switch
        {
            FixAllScope.Document when fixAllContext.Document is { } document => ImmutableArray.Create(document.Id),
            FixAllScope.Project => fixAllContext.Project.DocumentIds.ToImmutableArray(),
            FixAllScope.Solution => fixAllContext.Solution.Projects.SelectMany(p => p.DocumentIds).ToImmutableArray(),
            _ => ImmutableArray<DocumentId>.Empty,
        };
        if (documents.IsEmpty)
        {
            return Task.FromResult<CodeAction?>(null);
        }

        var key = fixAllContext.CodeActionEquivalenceKey;

        var fixer = fixAllContext.CodeFixProvider;
        var ids = fixAllContext.DiagnosticIds;
        var solution = fixAllContext.Solution;
        return Task.FromResult<CodeAction?>(CodeAction.Create(
            "Fix all TrefGuard lock diagnostics",
            cancellationToken => FixAsync(solution, documents, fixer, key, ids, cancellationToken),
            key ?? nameof(LockFixAllProvider)));
    }

    private static async Task<Solution> FixAsync(Solution solution, ImmutableArray<DocumentId> documents, CodeFixProvider fixer, string? key, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        foreach (var documentId in documents)
        {
            for (var fixes = 0; fixes < MaxFixesPerDocument; fixes++)
            {
                var document = solution.GetDocument(documentId);
                if (document is null || await FindActionAsync(document, fixer, key, ids, cancellationToken).ConfigureAwait(false) is not { } action)
                {
                    break;
                }

                var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
                if (operations.OfType<ApplyChangesOperation>().FirstOrDefault() is not { } apply)
                {
                    break;
                }

                solution = apply.ChangedSolution;
            }
        }

        return solution;
    }

    /// <summary>For the first diagnostic (in source order) that has a fix: the one with the key, else its first one.</summary>
    private static async Task<CodeAction?> FindActionAsync(Document document, CodeFixProvider fixer, string? key, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        foreach (var diagnostic in await AnalyzeAsync(document, ids, cancellationToken).ConfigureAwait(false))
        {
            var actions = new List<CodeAction>();
            await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken)).ConfigureAwait(false);
            if (actions.Count > 0)
            {
                return actions.FirstOrDefault(action => key is not null && action.EquivalenceKey == key) ?? actions[0];
            }
        }

        return null;
    }

    private static async Task<IEnumerable<Diagnostic>> AnalyzeAsync(Document document, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null || model is null)
        {
            return Enumerable.Empty<Diagnostic>();
        }

        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new LockAnalyzer()), document.Project.AnalyzerOptions);
        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, cancellationToken).ConfigureAwait(false);
        return diagnostics
            .Where(d => ids.Contains(d.Id) && d.Location.IsInSource && d.Location.SourceTree == model.SyntaxTree)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, System.StringComparer.Ordinal)
            .ToList();
    }
}
