using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TrefGuard.Analyzers;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0007: rewrite <c>slot = expr;</c> to the slot API's [RequiresInitializedSlot]+[TransfersOwnership] call,
/// <c>Tref.Set(ref slot, expr);</c>, which releases the old reference and stores the new one. <c>slot = null;</c>
/// becomes the [RequiresInitializedSlot] call that takes nothing, <c>Tref.Reset(ref slot);</c>: Set would throw on
/// null, and an initialized slot never holds null.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SlotOverwrittenFixer)), Shared]
public sealed class SlotOverwrittenFixer : CodeFixProvider
{
    /// <summary>Rewrite the assignment to Set (or Reset for null).</summary>
    public const string UseSlotApiKey = "TrefGuard.TG0007.UseSlotApi";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SlotOverwritten);

    public override FixAllProvider GetFixAllProvider() => new SlotFixAllProvider("Store every slot through its API", ApplyAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var solution = context.Document.Project.Solution;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await PlanAsync(solution, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } planned)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(planned.Title, cancellationToken => ApplyAsync(solution, ImmutableArray.Create(diagnostic), cancellationToken), UseSlotApiKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var edits = new List<SlotEdit>();
        foreach (var diagnostic in diagnostics)
        {
            if (await PlanAsync(solution, diagnostic, cancellationToken).ConfigureAwait(false) is { } planned)
            {
                edits.Add(planned.Edit);
            }
        }

        return await SlotFixPlan.ApplyAsync(solution, edits, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Title, SlotEdit Edit)?> PlanAsync(Solution solution, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(diagnostic.Location.SourceTree);
        if (document is null
            || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
            || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
            || await SlotApi.FromDiagnosticAsync(document, diagnostic, cancellationToken).ConfigureAwait(false) is not { } api
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
            || !ValueIsUnused(assignment, model, cancellationToken)
            || model.GetTypeInfo(assignment.Left, cancellationToken).Type is not { } slotType)
        {
            return null;
        }

        var clears = IsNull(assignment.Right, model, cancellationToken);
        var method = clears ? api.Find(SlotOperation.Reset, slotType) : api.Find(SlotOperation.Set, slotType);
        if (method is null)
        {
            return null;
        }

        var call = clears ? api.Call(method, assignment.Left) : api.Call(method, assignment.Left, assignment.Right.WithoutTrivia());
        var edit = new SlotEdit(document.Id, SlotEditKind.Replace, assignment, string.Empty, 0, null)
        {
            Replacement = call.WithTriviaFrom(assignment),
        };
        return ($"Use {api.Type.Name}.{method.Name}", edit);
    }

    /// <summary>Whether the assignment's value is discarded, so that a void call can take its place.</summary>
    private static bool ValueIsUnused(AssignmentExpressionSyntax assignment, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (assignment.Parent)
        {
            case ExpressionStatementSyntax:
                return true;
            case ForStatementSyntax forStatement:
                return forStatement.Incrementors.Contains(assignment);
            case ArrowExpressionClauseSyntax { Parent: { } member }:
                return model.GetDeclaredSymbol(member, cancellationToken) is IMethodSymbol { ReturnsVoid: true };
            case AnonymousFunctionExpressionSyntax lambda:
                return model.GetSymbolInfo(lambda, cancellationToken).Symbol is IMethodSymbol { ReturnsVoid: true };
            default:
                return false;
        }
    }

    private static bool IsNull(ExpressionSyntax value, SemanticModel model, CancellationToken cancellationToken)
    {
        var constant = model.GetConstantValue(value, cancellationToken);
        return constant.HasValue && constant.Value is null;
    }
}
