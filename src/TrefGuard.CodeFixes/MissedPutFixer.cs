using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0001: release the reference on the paths that miss it — a put before each leaking jump, at the end of the
/// block, before the reassignment, or after the statement that used a temporary — or, where the scope can throw
/// (TG0010 would follow) or another path already released it, in a finally block around the rest of its scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissedPutFixer)), Shared]
public sealed class MissedPutFixer : CodeFixProvider
{
    /// <summary>
    /// The recommended form for each diagnostic: in a finally block where the scope can throw and TG0010 is on (a
    /// plain put would leave that warning behind) or where another path already released the value; else a put
    /// where each leaking path leaves. FixAll with this key (what <c>dotnet format</c> uses) gives every diagnostic
    /// its own recommended form.
    /// </summary>
    public const string AddPutKey = "TrefGuard.TG0001.AddPut";

    /// <summary>Always a put where each leaking path leaves (offered when it is not the recommended form).</summary>
    public const string AddPutInlineKey = "TrefGuard.TG0001.AddPutInline";

    /// <summary>Always a finally block around the rest of the variable's scope (offered when it is not the recommended form).</summary>
    public const string AddPutInFinallyKey = "TrefGuard.TG0001.AddPutInFinally";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.MissedPut);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAllProvider.Ownership;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var loaded = await OwnershipFixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var actions = await CreateActionsAsync(loaded, diagnostic, context.CancellationToken).ConfigureAwait(false);
            foreach (var action in actions)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    private static async Task<List<CodeAction>> CreateActionsAsync(OwnershipFixDocument loaded, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var actions = new List<CodeAction>(2);
        var properties = diagnostic.Properties;
        var model = loaded.Model;
        var span = diagnostic.Location.SourceSpan;
        var mayBeNull = properties.ContainsKey(OwnershipAnalyzerCommon.MayBeNull);
        var escaped = properties.ContainsKey(OwnershipAnalyzerCommon.MayBeEscaped);
        var released = properties.ContainsKey(OwnershipAnalyzerCommon.MayBeReleased);
        var canThrow = properties.ContainsKey(OwnershipAnalyzerCommon.CanThrow);
        properties.TryGetValue(OwnershipAnalyzerCommon.Variable, out var variableName);

        var declarator = OwnershipSyntax.DeclaratorAt(loaded.Root, span);
        var expression = declarator is null ? OwnershipSyntax.ExpressionAt(loaded.Root, span) : null;
        var acquisition = declarator is not null
            ? OwnershipSyntax.InitializerAcquisition(model, declarator, cancellationToken)
            : expression is null ? null : OwnershipSyntax.Strip(model.GetOperation(expression, cancellationToken));
        ISymbol? variable = declarator is not null ? model.GetDeclaredSymbol(declarator, cancellationToken) : null;
        if (declarator is null && expression is null
            && loaded.Root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ParameterSyntax>() is { } parameter)
        {
            // A [TransfersOwnership] parameter: owned from the method's start.
            variable = model.GetDeclaredSymbol(parameter, cancellationToken);
        }

        // A count taken through a receiver (`h.DangerousAddRef(ref ok)`) is given back through that receiver.
        var receiver = ReceiverOf(acquisition);
        if (receiver is not null)
        {
            variable = OwnershipSyntax.Referenced(receiver);
        }

        var valueType = receiver?.Type ?? acquisition?.Type ?? (variable as ILocalSymbol)?.Type ?? (variable as IParameterSymbol)?.Type;
        var release = OwnershipRelease.Find(loaded.Annotations, model, span.Start, valueType, receiver is null ? acquisition : null);
        if (release is null)
        {
            return actions;
        }

        Document? inline = null;
        var name = variableName ?? variable?.Name;
        if (!escaped && !released)
        {
            inline = await loaded.TryEditAsync(
                editor => name is null
                    ? expression is not null && OwnershipBinding.TryApply(editor, model, expression, release, valueType, mayBeNull, cancellationToken)
                    : AddReleases(editor, model, diagnostic, name, variable, release, mayBeNull, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }

        Document? inFinally = null;
        if (!escaped && declarator is not null)
        {
            inFinally = await loaded.TryEditAsync(
                editor => OwnershipTryFinally.TryApply(editor, model, loaded.Annotations, declarator, release, mayBeNull, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        else if (!escaped && receiver is not null && variable is not null && expression?.Parent is ExpressionStatementSyntax acquiringStatement)
        {
            inFinally = await loaded.TryEditAsync(
                editor => OwnershipTryFinally.TryApplyAfterReceiverAcquisition(editor, model, loaded.Annotations, acquiringStatement, variable, release, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }

        var inlineTitle = name is null ? "Release the temporary reference after its statement" : $"Release '{name}' where it leaks";
        var finallyTitle = $"Release '{declarator?.Identifier.ValueText ?? name}' in a finally block";

        // Where the scope can throw, a plain put would leave TG0010 behind: the finally form is then recommended.
        var preferFinally = inFinally is not null && (inline is null || (canThrow && !loaded.IsSuppressed(RuleIdentifiers.LeakOnException, cancellationToken)));
        if (preferFinally)
        {
            actions.Add(OwnershipFixDocument.CreateAction(finallyTitle, AddPutKey, inFinally!));
            if (inline is not null)
            {
                actions.Add(OwnershipFixDocument.CreateAction(inlineTitle, AddPutInlineKey, inline));
            }
        }
        else if (inline is not null)
        {
            actions.Add(OwnershipFixDocument.CreateAction(inlineTitle, AddPutKey, inline));
            if (inFinally is not null)
            {
                actions.Add(OwnershipFixDocument.CreateAction(finallyTitle, AddPutInFinallyKey, inFinally));
            }
        }

        return actions;
    }

    /// <summary>
    /// The receiver of a void [AcquiresReference] call (the analysis reports such a count at the call, owned through
    /// the local or parameter it was called on); null for any other acquisition.
    /// </summary>
    internal static IOperation? ReceiverOf(IOperation? acquisition)
        => acquisition is IInvocationOperation { TargetMethod.ReturnsVoid: true, Instance: { } instance } && OwnershipSyntax.Referenced(instance) is not null
            ? OwnershipSyntax.Strip(instance)
            : null;

    /// <summary>A release at each leaking exit the analysis listed.</summary>
    private static bool AddReleases(SyntaxEditor editor, SemanticModel model, Diagnostic diagnostic, string name, ISymbol? variable, OwnershipRelease release, bool mayBeNull, CancellationToken cancellationToken)
    {
        if (diagnostic.AdditionalLocations.Count == 0)
        {
            return false;
        }

        var reserved = new HashSet<string>();
        foreach (var location in diagnostic.AdditionalLocations)
        {
            var exit = ExitAt(model.SyntaxTree.GetRoot(cancellationToken), location);
            if (exit is null)
            {
                return false;
            }

            var visible = OwnershipSyntax.LookupVariable(model, exit.SpanStart, name);
            if (visible is null || (variable is not null && !SymbolEqualityComparer.Default.Equals(visible, variable)))
            {
                return false;
            }

            variable ??= visible;
            if (!AddRelease(editor, model, exit, variable, release.Statement(name, mayBeNull), reserved, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AddRelease(SyntaxEditor editor, SemanticModel model, SyntaxNode exit, ISymbol variable, StatementSyntax put, HashSet<string> reserved, CancellationToken cancellationToken)
    {
        switch (exit)
        {
            case ReturnStatementSyntax { Expression: { } returned } returnStatement when OwnershipSyntax.Mentions(model, returned, variable, cancellationToken):
            {
                // The returned value reads the variable: compute it before the release.
                if (model.GetTypeInfo(returned, cancellationToken).Type is not { TypeKind: not TypeKind.Error } || returned is ImplicitObjectCreationExpressionSyntax or CollectionExpressionSyntax)
                {
                    return false;
                }

                var result = OwnershipSyntax.UniqueName(model, returnStatement, "result", reserved);
                var statements = new StatementSyntax[] { OwnershipSyntax.DeclareVar(result, returned), put };
                var newReturn = returnStatement.WithExpression(SyntaxFactory.IdentifierName(result).WithTriviaFrom(returned));
                if (OwnershipSyntax.IsInStatementList(returnStatement))
                {
                    editor.InsertBefore(returnStatement, statements);
                    editor.ReplaceNode(returnStatement, newReturn);
                }
                else
                {
                    editor.ReplaceNode(returnStatement, OwnershipSyntax.Block(statements.Concat(new StatementSyntax[] { newReturn })));
                }

                return true;
            }

            case ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax:
                OwnershipSyntax.InsertBefore(editor, (StatementSyntax)exit, new[] { put });
                return true;
            case BlockSyntax block:
                OwnershipSyntax.AppendToBlock(editor, block, new[] { put });
                return true;
            case AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax statement } assignment:
                if (OwnershipSyntax.Mentions(model, assignment.Right, variable, cancellationToken))
                {
                    // `r = Next(r)`: the new value is computed from the old one, so release the old one in between.
                    var next = OwnershipSyntax.UniqueName(model, statement, "next", reserved);
                    OwnershipSyntax.InsertBefore(editor, statement, new StatementSyntax[] { OwnershipSyntax.DeclareVar(next, assignment.Right), put });
                    editor.ReplaceNode(assignment.Right, SyntaxFactory.IdentifierName(next).WithTriviaFrom(assignment.Right));
                }
                else
                {
                    OwnershipSyntax.InsertBefore(editor, statement, new[] { put });
                }

                return true;
            case StatementSyntax statement and not (ThrowStatementSyntax or LocalFunctionStatementSyntax):
                OwnershipSyntax.InsertAfter(editor, statement, new[] { put });
                return true;
            default:
                return false;
        }
    }

    /// <summary>The exit node an additional location points at: a statement, a block or an assignment.</summary>
    private static SyntaxNode? ExitAt(SyntaxNode root, Location location)
    {
        foreach (var node in root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf())
        {
            if (node.Span != location.SourceSpan)
            {
                break;
            }

            if (node is StatementSyntax or AssignmentExpressionSyntax)
            {
                return node;
            }
        }

        return null;
    }
}
