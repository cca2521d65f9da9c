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
/// FixAll that fixes one diagnostic at a time, in source order, re-analysing the document after each fix, so the
/// result is exactly what fixing one by one gives. The ownership and lock fixes need it because their fixes interact:
/// <list type="bullet">
/// <item>ownership: two leaks before the same return, a try/finally that removes puts another fix would add, a second
/// leak that only shows once the first is fixed;</item>
/// <item>locks: two reads in one statement want the same <c>using</c>, a read in an <c>if</c> condition and one in its
/// body are both covered by the first wrap, two puts move after the same lock scope, a task used twice is pinned once.</item>
/// </list>
/// Merging independently computed edits, as the batch fixer does, would drop, nest or duplicate them.
/// </summary>
internal sealed class SequentialFixAllProvider : FixAllProvider
{
    /// <summary>More fixes than this in one document means a fix that does not converge: stop rather than spin.</summary>
    private const int MaxFixesPerDocument = 256;

    /// <summary>
    /// The ownership fixes: a key selects that fix only; no key gives each diagnostic the fix its fixer offers first.
    /// </summary>
    public static SequentialFixAllProvider Ownership { get; } = new("Fix all TrefGuard ownership diagnostics", () => new OwnershipAnalyzer(), fallBackToFirstFix: false);

    /// <summary>
    /// The lock fixes: each diagnostic gets the fix with the requested key where that fix can be made, and its own
    /// first (preferred) fix otherwise. Which fix applies depends on the code around each access (a null test, a task
    /// read into a local, a lock in scope) and "fix all" is asked to clear the diagnostic everywhere; it is also what
    /// makes one run of <c>dotnet format analyzers</c>, which requests the first diagnostic's key for all of them, fix
    /// every TG0002, TG0006 and TG0009 it can.
    /// </summary>
    public static SequentialFixAllProvider Locks { get; } = new("Fix all TrefGuard lock diagnostics", () => new LockAnalyzer(), fallBackToFirstFix: true);

    private readonly string _title;
    private readonly System.Func<DiagnosticAnalyzer> _createAnalyzer;
    private readonly bool _fallBackToFirstFix;

    private SequentialFixAllProvider(string title, System.Func<DiagnosticAnalyzer> createAnalyzer, bool fallBackToFirstFix)
    {
        _title = title;
        _createAnalyzer = createAnalyzer;
        _fallBackToFirstFix = fallBackToFirstFix;
    }

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

        // No key: each diagnostic gets the fix its fixer offers first, as one-at-a-time fixing would.
        var key = fixAllContext.CodeActionEquivalenceKey;
        var fixer = fixAllContext.CodeFixProvider;
        var ids = fixAllContext.DiagnosticIds;
        var solution = fixAllContext.Solution;
        return Task.FromResult<CodeAction?>(CodeAction.Create(
            _title,
            cancellationToken => FixAsync(solution, documents, fixer, key, ids, cancellationToken),
            key ?? _title));
    }

    private async Task<Solution> FixAsync(Solution solution, ImmutableArray<DocumentId> documents, CodeFixProvider fixer, string? key, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
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

    /// <summary>
    /// For the first diagnostic (in source order) that has a fix: the one with the key (any fix when there is no key),
    /// else, when falling back, its first one.
    /// </summary>
    private async Task<CodeAction?> FindActionAsync(Document document, CodeFixProvider fixer, string? key, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        foreach (var diagnostic in await AnalyzeAsync(document, ids, cancellationToken).ConfigureAwait(false))
        {
            var actions = new List<CodeAction>();
            await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken)).ConfigureAwait(false);
            foreach (var action in actions)
            {
                if (key is null || action.EquivalenceKey == key)
                {
                    return action;
                }
            }

            if (_fallBackToFirstFix && actions.Count > 0)
            {
                return actions[0];
            }
        }

        return null;
    }

    private async Task<IEnumerable<Diagnostic>> AnalyzeAsync(Document document, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
    {
        var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null || model is null)
        {
            return Enumerable.Empty<Diagnostic>();
        }

        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(_createAnalyzer()), document.Project.AnalyzerOptions);
        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, cancellationToken).ConfigureAwait(false);
        return diagnostics
            .Where(d => ids.Contains(d.Id) && d.Location.IsInSource && d.Location.SourceTree == model.SyntaxTree)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, System.StringComparer.Ordinal)
            .ToList();
    }
}
