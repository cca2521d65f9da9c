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
/// FixAll for the ownership fixes: one diagnostic at a time, re-analysing the document after each fix. The fixes
/// of one method interact (two leaks before the same return, a try/finally that removes puts another fix would
/// add, a second leak that only shows once the first is fixed), so merging independently computed edits, as the
/// batch fixer does, could drop or reorder them; fixing in order gives exactly what fixing one by one gives.
/// </summary>
internal sealed class OwnershipFixAllProvider : FixAllProvider
{
    /// <summary>More fixes than this in one document means a fix that does not converge: stop rather than spin.</summary>
    private const int MaxFixesPerDocument = 256;

    public static OwnershipFixAllProvider Instance { get; } = new();

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
            "Fix all TrefGuard ownership diagnostics",
            cancellationToken => FixAsync(solution, documents, fixer, key, ids, cancellationToken),
            key ?? nameof(OwnershipFixAllProvider)));
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

    /// <summary>The fix with the equivalence key for the first diagnostic (in source order) that has one.</summary>
    private static async Task<CodeAction?> FindActionAsync(Document document, CodeFixProvider fixer, string? key, ImmutableHashSet<string> ids, CancellationToken cancellationToken)
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

        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new OwnershipAnalyzer()), document.Project.AnalyzerOptions);
        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, cancellationToken).ConfigureAwait(false);
        return diagnostics
            .Where(d => ids.Contains(d.Id) && d.Location.IsInSource && d.Location.SourceTree == model.SyntaxTree)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, System.StringComparer.Ordinal)
            .ToList();
    }
}
