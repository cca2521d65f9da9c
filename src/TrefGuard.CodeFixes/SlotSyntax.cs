using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace TrefGuard.CodeFixes;

/// <summary>Statement placement for the slot fixers: before a statement, after one, at the start or end of a body.</summary>
internal static class SlotSyntax
{
    /// <summary>
    /// Where statements that must run right before <paramref name="node"/> go: before its statement, wrapping an
    /// embedded statement in a block, or turning the expression body that holds it into a block.
    /// Null when there is no such place (a field initializer, a property's expression body).
    /// </summary>
    public static SyntaxNode? FindInsertionAnchor(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case StatementSyntax statement when CanHoldStatementsBefore(statement):
                    return statement;
                case ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax } arrow:
                    return arrow.Parent;
                case AnonymousFunctionExpressionSyntax { ExpressionBody: { } body } lambda when body.Span.Contains(node.Span):
                    return lambda;
                case MemberDeclarationSyntax or AnonymousFunctionExpressionSyntax:
                    return null;
            }
        }

        return null;
    }

    private static bool CanHoldStatementsBefore(StatementSyntax statement)
        => statement.Parent is BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax
            || IsEmbedded(statement);

    private static bool IsEmbedded(StatementSyntax statement) => statement.Parent switch
    {
        IfStatementSyntax ifStatement => ifStatement.Statement == statement,
        ElseClauseSyntax => true,
        WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax
            or UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax or LabeledStatementSyntax => true,
        _ => false,
    };

    /// <summary>Inserts <paramref name="statements"/> before an anchor from <see cref="FindInsertionAnchor"/>.</summary>
    public static void InsertBefore(SyntaxEditor editor, SemanticModel model, SyntaxNode anchor, IReadOnlyList<StatementSyntax> statements, CancellationToken cancellationToken)
    {
        var formatted = statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        switch (anchor)
        {
            case StatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax } statement:
                editor.InsertBefore(statement, formatted);
                break;
            case StatementSyntax { Parent: GlobalStatementSyntax global }:
                editor.InsertBefore(global, formatted.Select(s => (SyntaxNode)SyntaxFactory.GlobalStatement(s)));
                break;
            case StatementSyntax statement:
                editor.ReplaceNode(statement, (current, _) => SyntaxFactory.Block(formatted.Append(((StatementSyntax)current).WithoutLeadingTrivia())).WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
                break;
            default:
                var returnsValue = ReturnsValue(model, anchor, cancellationToken);
                editor.ReplaceNode(anchor, (current, _) => WithBlockBody(current, returnsValue, formatted, atEnd: false));
                break;
        }
    }

    /// <summary>Inserts <paramref name="statements"/> right after <paramref name="statement"/> (a declaration in a block).</summary>
    public static bool CanInsertAfter(StatementSyntax statement)
        => statement.Parent is BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax;

    public static void InsertAfter(SyntaxEditor editor, StatementSyntax statement, IReadOnlyList<StatementSyntax> statements)
    {
        var formatted = statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        if (statement.Parent is GlobalStatementSyntax global)
        {
            editor.InsertAfter(global, formatted.Select(s => (SyntaxNode)SyntaxFactory.GlobalStatement(s)));
        }
        else
        {
            editor.InsertAfter(statement, formatted);
        }
    }

    /// <summary>
    /// Adds statements at the start (or end) of a method-like member's body, turning an expression body into a block.
    /// At the end, they go before a trailing return and before trailing calls that hand over to the base
    /// (<c>base.Dispose()</c>) or end the object's life (<c>GC.SuppressFinalize(this)</c>).
    /// </summary>
    public static bool CanEditBody(SyntaxNode member) => member switch
    {
        BaseMethodDeclarationSyntax method => method.Body is not null || method.ExpressionBody is not null,
        _ => false,
    };

    public static void AddToBody(SyntaxEditor editor, SemanticModel model, BaseMethodDeclarationSyntax member, IReadOnlyList<StatementSyntax> statements, bool atEnd, CancellationToken cancellationToken)
    {
        var formatted = statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        if (member.Body is { } body)
        {
            AddToBlock(editor, body, formatted, atEnd);
            return;
        }

        var returnsValue = ReturnsValue(model, member, cancellationToken);
        editor.ReplaceNode(member, (current, _) => WithBlockBody(current, returnsValue, formatted, atEnd));
    }

    /// <summary>Adds statements at the start or end of a block (at the end, before its trailing return or base call).</summary>
    public static void AddToBlock(SyntaxEditor editor, BlockSyntax block, IReadOnlyList<StatementSyntax> statements, bool atEnd)
    {
        var formatted = statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        if (block.Statements.Count == 0)
        {
            editor.ReplaceNode(block, (current, _) => ((BlockSyntax)current).AddStatements(formatted.ToArray()).WithAdditionalAnnotations(Formatter.Annotation));
        }
        else if (!atEnd)
        {
            editor.InsertBefore(block.Statements[0], formatted);
        }
        else if (TrailingIndex(block.Statements) is var index && index < block.Statements.Count)
        {
            editor.InsertBefore(block.Statements[index], formatted);
        }
        else
        {
            editor.InsertAfter(block.Statements[block.Statements.Count - 1], formatted);
        }
    }

    /// <summary>The index of the first statement of the trailing run that new cleanup code goes before.</summary>
    private static int TrailingIndex(SyntaxList<StatementSyntax> statements)
    {
        var index = statements.Count;
        while (index > 0 && IsTrailing(statements[index - 1]))
        {
            index--;
        }

        return index;
    }

    private static bool IsTrailing(StatementSyntax statement)
    {
        if (statement is ReturnStatementSyntax)
        {
            return true;
        }

        var expression = (statement as ExpressionStatementSyntax)?.Expression;
        if (expression is AwaitExpressionSyntax awaited)
        {
            expression = awaited.Expression;
        }

        if (expression is InvocationExpressionSyntax { Expression: var callee })
        {
            if (callee is MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax inner })
            {
                // `await base.DisposeAsync().ConfigureAwait(false)`
                callee = inner.Expression;
            }

            return callee is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax }
                || callee is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "SuppressFinalize", Expression: var type } && type.ToString().EndsWith("GC", System.StringComparison.Ordinal);
        }

        return false;
    }

    private static bool ReturnsValue(SemanticModel model, SyntaxNode member, CancellationToken cancellationToken)
    {
        var symbol = member is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(member, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(member, cancellationToken) as IMethodSymbol;
        if (symbol is null || symbol.ReturnsVoid)
        {
            return false;
        }

        // An async Task/ValueTask method's body is a statement list with no value to return.
        return !(symbol.IsAsync && symbol.ReturnType is INamedTypeSymbol { Arity: 0 });
    }

    private static SyntaxNode WithBlockBody(SyntaxNode member, bool returnsValue, IReadOnlyList<StatementSyntax> statements, bool atEnd)
    {
        ExpressionSyntax? expression = member switch
        {
            BaseMethodDeclarationSyntax method => method.ExpressionBody?.Expression,
            LocalFunctionStatementSyntax local => local.ExpressionBody?.Expression,
            AccessorDeclarationSyntax accessor => accessor.ExpressionBody?.Expression,
            AnonymousFunctionExpressionSyntax lambda => lambda.ExpressionBody,
            _ => null,
        };
        if (expression is null)
        {
            return member;
        }

        StatementSyntax body = returnsValue
            ? SyntaxFactory.ReturnStatement(expression.WithoutTrivia())
            : SyntaxFactory.ExpressionStatement(expression.WithoutTrivia());
        var all = atEnd && !returnsValue ? statements.Prepend(body) : statements.Append(body);
        var block = SyntaxFactory.Block(all).WithAdditionalAnnotations(Formatter.Annotation);
        SyntaxNode result = member switch
        {
            BaseMethodDeclarationSyntax method => method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block),
            LocalFunctionStatementSyntax local => local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block),
            AccessorDeclarationSyntax accessor => accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block),
            AnonymousFunctionExpressionSyntax lambda => lambda.WithExpressionBody(null).WithBlock(block),
            _ => member,
        };
        return result.WithAdditionalAnnotations(Formatter.Annotation);
    }
}
