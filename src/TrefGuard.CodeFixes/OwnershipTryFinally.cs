using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>
/// The try/finally form shared by TG0001 and TG0010: the statements after an owned local's declaration (and after
/// the null guards that return early when there is nothing to release) go into <c>try { … }</c>, the release into
/// <c>finally</c>, and the releases of the local inside the range are removed so that none becomes a double put.
/// Only offered when the range never hands the local on (return, transfer, store, reassignment): a finally would
/// then release a reference the method no longer owns. A count taken through a receiver
/// (<c>h.DangerousAddRef(ref ok);</c>) gets the same form after the acquiring statement, released through the receiver.
/// </summary>
internal static class OwnershipTryFinally
{
    /// <summary>Plans the edit; false when the shape is not one this fix can make correct.</summary>
    public static bool TryApply(SyntaxEditor editor, SemanticModel model, AnnotationModel annotations, VariableDeclaratorSyntax declarator, OwnershipRelease release, bool mayBeNull, CancellationToken cancellationToken)
    {
        if (declarator.Parent?.Parent is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, IsConst: false } declaration
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local)
        {
            return false;
        }

        return TryApply(editor, model, annotations, declaration, local, skipNullGuards: true, release, mayBeNull, cancellationToken);
    }

    /// <summary>
    /// The same for a count taken through <paramref name="receiver"/> by the statement <paramref name="acquisition"/>.
    /// A null test of the receiver after it is no path without a count, so no null guard is skipped.
    /// </summary>
    public static bool TryApplyAfterReceiverAcquisition(SyntaxEditor editor, SemanticModel model, AnnotationModel annotations, ExpressionStatementSyntax acquisition, ISymbol receiver, OwnershipRelease release, CancellationToken cancellationToken)
        => TryApply(editor, model, annotations, acquisition, receiver, skipNullGuards: false, release, mayBeNull: false, cancellationToken);

    private static bool TryApply(SyntaxEditor editor, SemanticModel model, AnnotationModel annotations, StatementSyntax acquisition, ISymbol local, bool skipNullGuards, OwnershipRelease release, bool mayBeNull, CancellationToken cancellationToken)
    {
        if (acquisition.Parent is not BlockSyntax block)
        {
            return false;
        }

        var statements = block.Statements;
        var start = statements.IndexOf(acquisition) + 1;
        while (skipNullGuards && start < statements.Count && IsNullGuard(model, statements[start], local, cancellationToken))
        {
            start++;
        }

        var end = statements.Count;
        while (end > start && statements[end - 1] is LocalFunctionStatementSyntax)
        {
            end--;
        }

        if (start >= end)
        {
            return false;
        }

        var range = new List<StatementSyntax>();
        for (var i = start; i < end; i++)
        {
            if (statements[i] is LabeledStatementSyntax)
            {
                return false;
            }

            range.Add(statements[i]);
        }

        var releases = new List<ExpressionStatementSyntax>();
        foreach (var statement in range)
        {
            foreach (var candidate in statement.DescendantNodesAndSelf().OfType<ExpressionStatementSyntax>())
            {
                if (OwnershipSyntax.ReleaseStatementOf(model, annotations, candidate, local, cancellationToken) is { } found)
                {
                    releases.Add(found);
                }
            }
        }

        foreach (var statement in range)
        {
            foreach (var identifier in statement.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText == local.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, local)
                    && !IsBorrowOrRelease(model, annotations, identifier, releases, cancellationToken))
                {
                    return false;
                }
            }
        }

        // Locals the moved statements declare must stay visible to the local functions left after the try.
        for (var i = end; i < statements.Count; i++)
        {
            foreach (var identifier in statements[i].DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is ILocalSymbol used
                    && used.DeclaringSyntaxReferences.Any(r => r.Span.Start >= statements[start].SpanStart && r.Span.End <= statements[end - 1].Span.End))
                {
                    return false;
                }
            }
        }

        foreach (var found in releases)
        {
            OwnershipSyntax.RemoveRelease(editor, found);
        }

        var trailing = statements.Count - end;
        var finallyRelease = release.Statement(local.Name, mayBeNull);
        editor.ReplaceNode(block, (current, _) =>
        {
            var currentBlock = (BlockSyntax)current;
            var all = currentBlock.Statements;
            var stop = all.Count - trailing;
            var moved = new List<StatementSyntax>();
            for (var i = start; i < stop; i++)
            {
                moved.Add(all[i]);
            }

            var tryStatement = SyntaxFactory.TryStatement(
                    SyntaxFactory.Block(moved),
                    default,
                    SyntaxFactory.FinallyClause(SyntaxFactory.Block(finallyRelease)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            var rebuilt = new List<StatementSyntax>();
            for (var i = 0; i < start; i++)
            {
                rebuilt.Add(all[i]);
            }

            // Nothing left to protect once the releases are gone: the release alone ends the scope.
            rebuilt.Add(moved.Count == 0 ? finallyRelease : tryStatement);
            for (var i = stop; i < all.Count; i++)
            {
                rebuilt.Add(all[i]);
            }

            return currentBlock.WithStatements(SyntaxFactory.List(rebuilt));
        });
        return true;
    }

    /// <summary><c>if (x is null) return …;</c> (or <c>== null</c>, any jump): the path where there is nothing to release.</summary>
    private static bool IsNullGuard(SemanticModel model, StatementSyntax statement, ISymbol local, CancellationToken cancellationToken)
    {
        if (statement is not IfStatementSyntax { Else: null } ifStatement || !IsNullTestOf(ifStatement.Condition, local.Name))
        {
            return false;
        }

        var body = ifStatement.Statement;
        var last = body is BlockSyntax block ? block.Statements.LastOrDefault() : body;
        if (last is not (ReturnStatementSyntax or ThrowStatementSyntax or ContinueStatementSyntax or BreakStatementSyntax or GotoStatementSyntax))
        {
            return false;
        }

        return !OwnershipSyntax.Mentions(model, body, local, cancellationToken);
    }

    private static bool IsNullTestOf(ExpressionSyntax condition, string name)
    {
        while (condition is ParenthesizedExpressionSyntax parenthesized)
        {
            condition = parenthesized.Expression;
        }

        return condition switch
        {
            IsPatternExpressionSyntax { Expression: IdentifierNameSyntax id, Pattern: ConstantPatternSyntax { Expression: LiteralExpressionSyntax literal } }
                => id.Identifier.ValueText == name && literal.IsKind(SyntaxKind.NullLiteralExpression),
            BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression)
                => (binary.Left is IdentifierNameSyntax left && left.Identifier.ValueText == name && binary.Right.IsKind(SyntaxKind.NullLiteralExpression))
                    || (binary.Right is IdentifierNameSyntax right && right.Identifier.ValueText == name && binary.Left.IsKind(SyntaxKind.NullLiteralExpression)),
            _ => false,
        };
    }

    /// <summary>
    /// A reference that leaves ownership where it is: a member access, a null test or compare, an argument the callee
    /// only borrows, or one of the releases the fix removes.
    /// </summary>
    internal static bool IsBorrowOrRelease(SemanticModel model, AnnotationModel annotations, IdentifierNameSyntax identifier, List<ExpressionStatementSyntax> releases, CancellationToken cancellationToken)
    {
        var operation = model.GetOperation(identifier, cancellationToken);
        if (operation is null)
        {
            return false;
        }

        var child = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IInvocationOperation invocation when invocation.Instance == child:
                var invoked = annotations.Get(invocation.TargetMethod);
                if (invoked.ReleasesThis)
                {
                    return InReleases(invocation, releases);
                }

                return !MayReturnArgument(invocation, child.Type) || invocation.Parent is IExpressionStatementOperation;
            case IPropertyReferenceOperation property when property.Instance == child:
                return true;
            case IFieldReferenceOperation field when field.Instance == child:
                return true;
            case IConditionalAccessOperation conditional when conditional.Operation == child:
                if (conditional.WhenNotNull is IInvocationOperation whenNotNull && annotations.Get(whenNotNull.TargetMethod).ReleasesThis)
                {
                    return conditional.Parent is IExpressionStatementOperation statement && releases.Contains(statement.Syntax);
                }

                return true;
            case IArgumentOperation { Parent: IInvocationOperation call } argument:
                var callee = annotations.Get(call.TargetMethod);
                var flags = argument.Parameter is { } parameter ? callee.GetParameter(parameter.Ordinal) : ParameterAnnotation.None;
                if ((flags & ParameterAnnotation.TransfersOwnership) != 0)
                {
                    return false;
                }

                if ((flags & ParameterAnnotation.ReleasesReference) != 0)
                {
                    return InReleases(call, releases);
                }

                if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out
                    || (call.Instance is { } instance && !callee.AffectsOwnership && IsCollection(instance.Type)))
                {
                    return false;
                }

                return !MayReturnArgument(call, child.Type) || call.Parent is IExpressionStatementOperation;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals }:
            case IIsNullOperation:
            case IInterpolationOperation:
                return true;
            case IIsPatternOperation pattern:
                return pattern.Pattern is IConstantPatternOperation or INegatedPatternOperation { Pattern: IConstantPatternOperation } or ITypePatternOperation
                    || (pattern.Pattern is IRecursivePatternOperation { DeclaredSymbol: null });
            default:
                return false;
        }
    }

    private static bool InReleases(IOperation call, List<ExpressionStatementSyntax> releases)
        => call.Parent is IExpressionStatementOperation statement && statement.Syntax is ExpressionStatementSyntax syntax && releases.Contains(syntax);

    /// <summary>An unannotated call that may hand back what it was given (a fluent call): ownership could leave through its result.</summary>
    private static bool MayReturnArgument(IInvocationOperation invocation, ITypeSymbol? argumentType)
    {
        var returnType = invocation.TargetMethod.ReturnType;
        if (!returnType.IsReferenceType || argumentType is null)
        {
            return false;
        }

        for (var type = argumentType; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, returnType))
            {
                return true;
            }
        }

        return argumentType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, returnType));
    }

    private static bool IsCollection(ITypeSymbol? type)
        => type is not null && type.SpecialType != SpecialType.System_String
            && type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable);
}
