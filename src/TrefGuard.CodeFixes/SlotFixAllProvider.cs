using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace TrefGuard.CodeFixes;

/// <summary>
/// FixAll for the slot fixers: every diagnostic in scope goes to the fixer's own solution-wide apply function in one
/// call. The fixes of one type meet in one place (the constructor that initializes several fields, the Dispose that
/// finalizes them, a constructor created once for all), often in another file of a partial type, so merging
/// independently computed document edits, as the batch fixer does, would conflict; the apply functions plan all the
/// edits first and make each once.
/// </summary>
internal sealed class SlotFixAllProvider : FixAllProvider
{
    private readonly Func<Solution, ImmutableArray<Diagnostic>, CancellationToken, Task<Solution>> _apply;
    private readonly string _title;

    public SlotFixAllProvider(string title, Func<Solution, ImmutableArray<Diagnostic>, CancellationToken, Task<Solution>> apply)
    {
        _title = title;
        _apply = apply;
    }

    public override IEnumerable<FixAllScope> GetSupportedFixAllScopes()
        => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

    public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        switch (fixAllContext.Scope)
        {
            case FixAllScope.Document when fixAllContext.Document is { } document:
                diagnostics.AddRange(await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false));
                break;
            case FixAllScope.Project:
                diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(fixAllContext.Project).ConfigureAwait(false));
                break;
            case FixAllScope.Solution:
                foreach (var project in fixAllContext.Solution.Projects)
                {
                    diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false));
                }

                break;
        }

        var inSource = diagnostics.ToImmutable().RemoveAll(d => !d.Location.IsInSource || !fixAllContext.DiagnosticIds.Contains(d.Id));
        if (inSource.IsEmpty)
        {
            return null;
        }

        var solution = fixAllContext.Solution;
        return CodeAction.Create(_title, cancellationToken => _apply(solution, inSource, cancellationToken), fixAllContext.CodeActionEquivalenceKey);
    }
}
