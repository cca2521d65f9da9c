using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace TrefGuard.CodeFixes;

/// <summary>
/// Binds a temporary acquisition to a local and releases it after the statement that used it (TG0001 "end of the
/// statement", TG0008): <c>Use(Get().Nr);</c> becomes <c>var r = Get(); Use(r.Nr); r.Put();</c>, a returned
/// expression is computed into a local before the release, and an expression body becomes a block.
/// </summary>
internal static class OwnershipBinding
{
    /// <summary>
    /// Edits the statement (or expression body) around <paramref name="acquisition"/>; false when the acquisition cannot
    /// be moved in front of it without changing what runs (it is conditional, in a loop condition, in a lambda) or when
    /// the statement can jump past the release.
    /// </summary>
    public static bool TryApply(SyntaxEditor editor, SemanticModel model, ExpressionSyntax acquisition, OwnershipRelease release, ITypeSymbol? valueType, bool mayBeNull, CancellationToken cancellationToken)
    {
        var statement = OwnershipSyntax.EnclosingStatement(acquisition);
        SyntaxNode? container = statement ?? ExpressionBody(acquisition);
        if (container is null || !CanHoist(model, acquisition, container, cancellationToken))
        {
            return false;
        }

        var reserved = new HashSet<string>();
        var temporary = OwnershipSyntax.UniqueName(model, container, OwnershipSyntax.NameFor(valueType), reserved);
        var declaration = OwnershipSyntax.DeclareVar(temporary, acquisition);
        var releaseStatement = release.Statement(temporary, mayBeNull);
        var replacement = SyntaxFactory.IdentifierName(temporary).WithTriviaFrom(acquisition);

        if (statement is not null)
        {
            return TryBindStatement(editor, model, statement, acquisition, replacement, declaration, releaseStatement, reserved, cancellationToken);
        }

        // An expression body: the same, in a block body.
        if (!TryBodyStatement(model, container, cancellationToken, out var isVoid))
        {
            return false;
        }

        var body = container is ArrowExpressionClauseSyntax arrow ? arrow.Expression : (ExpressionSyntax)((AnonymousFunctionExpressionSyntax)container).Body;
        var rewritten = body.ReplaceNode(acquisition, replacement);
        List<StatementSyntax> statements;
        if (isVoid)
        {
            statements = new List<StatementSyntax> { declaration, SyntaxFactory.ExpressionStatement(rewritten.WithoutTrivia()), releaseStatement };
        }
        else
        {
            if (!HasNaturalType(model, body, cancellationToken))
            {
                return false;
            }

            var result = OwnershipSyntax.UniqueName(model, container, "result", reserved);
            statements = new List<StatementSyntax>
            {
                declaration,
                OwnershipSyntax.DeclareVar(result, rewritten),
                releaseStatement,
                SyntaxFactory.ReturnStatement(SyntaxFactory.IdentifierName(result)),
            };
        }

        return ReplaceBody(editor, container, OwnershipSyntax.Block(statements));
    }

    /// <summary>
    /// For a discarded acquisition (TG0008): <c>Get();</c> or <c>_ = Get();</c> becomes <c>var r = Get(); r.Put();</c>.
    /// </summary>
    public static bool TryBindDiscarded(SyntaxEditor editor, SemanticModel model, ExpressionSyntax acquisition, OwnershipRelease release, ITypeSymbol? valueType, bool mayBeNull, CancellationToken cancellationToken)
    {
        var statement = OwnershipSyntax.EnclosingStatement(acquisition);
        SyntaxNode? container = statement ?? ExpressionBody(acquisition);
        if (container is null)
        {
            return false;
        }

        var reserved = new HashSet<string>();
        var name = OwnershipSyntax.UniqueName(model, container, OwnershipSyntax.NameFor(valueType), reserved);
        var statements = new StatementSyntax[] { OwnershipSyntax.DeclareVar(name, acquisition), release.Statement(name, mayBeNull) };
        if (statement is ExpressionStatementSyntax)
        {
            if (OwnershipSyntax.IsInStatementList(statement))
            {
                editor.InsertAfter(statement, statements[1]);
                editor.ReplaceNode(statement, statements[0].WithTriviaFrom(statement));
            }
            else
            {
                editor.ReplaceNode(statement, OwnershipSyntax.Block(statements));
            }

            return true;
        }

        return statement is null && ReplaceBody(editor, container, OwnershipSyntax.Block(statements));
    }

    /// <summary>The innermost expression body around an expression: a member's <c>=&gt;</c> clause or a lambda.</summary>
    private static SyntaxNode? ExpressionBody(SyntaxNode node)
        => node.FirstAncestorOrSelf<SyntaxNode>(n => n is ArrowExpressionClauseSyntax or AnonymousFunctionExpressionSyntax);

    private static bool TryBindStatement(SyntaxEditor editor, SemanticModel model, StatementSyntax statement, ExpressionSyntax acquisition, ExpressionSyntax replacement, StatementSyntax declaration, StatementSyntax releaseStatement, HashSet<string> reserved, CancellationToken cancellationToken)
    {
        if (statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax)
        {
            return false;
        }

        var rewritten = statement.ReplaceNode(acquisition, replacement);
        List<StatementSyntax> before;
        StatementSyntax replaced;
        List<StatementSyntax> after;
        if (statement is ReturnStatementSyntax { Expression: { } returned } returnStatement)
        {
            if (!HasNaturalType(model, returned, cancellationToken) || OwnershipSyntax.CanJumpOut(returned))
            {
                return false;
            }

            var result = OwnershipSyntax.UniqueName(model, statement, "result", reserved);
            var value = ((ReturnStatementSyntax)rewritten).Expression!;
            before = new List<StatementSyntax> { declaration, OwnershipSyntax.DeclareVar(result, value), releaseStatement };
            replaced = returnStatement.WithExpression(SyntaxFactory.IdentifierName(result).WithTriviaFrom(returned));
            after = new List<StatementSyntax>();
        }
        else
        {
            if (OwnershipSyntax.CanJumpOut(statement) || statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 })
            {
                return false;
            }

            before = new List<StatementSyntax> { declaration };
            replaced = rewritten;
            after = new List<StatementSyntax> { releaseStatement };
        }

        if (OwnershipSyntax.IsInStatementList(statement))
        {
            // Insertions first: they find the statement by identity, which the replacement ends.
            editor.InsertBefore(statement, before);
            if (after.Count > 0)
            {
                editor.InsertAfter(statement, after);
            }

            editor.ReplaceNode(statement, replaced);
        }
        else
        {
            editor.ReplaceNode(statement, OwnershipSyntax.Block(before.Concat(new[] { replaced }).Concat(after)));
        }

        return true;
    }

    /// <summary>
    /// Whether evaluating the acquisition first, before the rest of its statement, keeps its meaning: it must run
    /// exactly once whenever the statement runs, and read no variable the statement itself declares.
    /// </summary>
    private static bool CanHoist(SemanticModel model, ExpressionSyntax acquisition, SyntaxNode container, CancellationToken cancellationToken)
    {
        SyntaxNode child = acquisition;
        for (var parent = acquisition.Parent; parent is not null && child != container; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or QueryExpressionSyntax when parent != container:
                    return false;
                case ConditionalExpressionSyntax conditional when child != conditional.Condition:
                    return false;
                case BinaryExpressionSyntax binary when child == binary.Right
                    && (binary.IsKind(SyntaxKind.LogicalAndExpression) || binary.IsKind(SyntaxKind.LogicalOrExpression) || binary.IsKind(SyntaxKind.CoalesceExpression)):
                    return false;
                case ConditionalAccessExpressionSyntax access when child == access.WhenNotNull:
                    return false;
                case SwitchExpressionArmSyntax or CatchClauseSyntax or FinallyClauseSyntax:
                    return false;
                case StatementSyntax nested when nested != container:
                    return false;
            }
        }

        foreach (var identifier in acquisition.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is ILocalSymbol local
                && local.DeclaringSyntaxReferences.Any(r => container.Span.Contains(r.Span)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasNaturalType(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
        => model.GetTypeInfo(expression, cancellationToken).Type is { } type && type.TypeKind != TypeKind.Error
            && expression is not (ImplicitObjectCreationExpressionSyntax or CollectionExpressionSyntax);

    /// <summary>Whether an expression body is a statement (void, or an async method returning a plain Task) or a returned value.</summary>
    private static bool TryBodyStatement(SemanticModel model, SyntaxNode container, CancellationToken cancellationToken, out bool isVoid)
    {
        isVoid = false;
        var owner = container is ArrowExpressionClauseSyntax ? container.Parent : container;
        var symbol = owner switch
        {
            null => null,
            AnonymousFunctionExpressionSyntax lambda => model.GetSymbolInfo(lambda, cancellationToken).Symbol,
            PropertyDeclarationSyntax or IndexerDeclarationSyntax => (model.GetDeclaredSymbol(owner, cancellationToken) as IPropertySymbol)?.GetMethod,
            _ => model.GetDeclaredSymbol(owner, cancellationToken),
        };
        if (symbol is not IMethodSymbol method || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return false;
        }

        isVoid = method.ReturnsVoid
            || (method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" });
        return true;
    }

    private static bool ReplaceBody(SyntaxEditor editor, SyntaxNode container, BlockSyntax block)
    {
        switch (container)
        {
            case AnonymousFunctionExpressionSyntax lambda:
                // An expression lambda sits on one line, which the formatter would keep: start the block on its own.
                var lambdaBlock = block
                    .WithOpenBraceToken(block.OpenBraceToken.WithLeadingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                    .WithStatements(SyntaxFactory.List(block.Statements.Select(st => st.WithLeadingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))))
                    .WithCloseBraceToken(block.CloseBraceToken.WithLeadingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed));
                editor.ReplaceNode(lambda, lambda.WithBody(lambdaBlock).WithAdditionalAnnotations(Formatter.Annotation));
                return true;
            case ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax method }:
                editor.ReplaceNode(method, method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block).WithAdditionalAnnotations(Formatter.Annotation));
                return true;
            case ArrowExpressionClauseSyntax { Parent: LocalFunctionStatementSyntax local }:
                editor.ReplaceNode(local, local.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block).WithAdditionalAnnotations(Formatter.Annotation));
                return true;
            case ArrowExpressionClauseSyntax { Parent: AccessorDeclarationSyntax accessor }:
                editor.ReplaceNode(accessor, accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block).WithAdditionalAnnotations(Formatter.Annotation));
                return true;
            case ArrowExpressionClauseSyntax { Parent: BasePropertyDeclarationSyntax property }:
                var getter = SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block);
                var accessors = SyntaxFactory.AccessorList(SyntaxFactory.SingletonList(getter));
                SyntaxNode rewritten = property switch
                {
                    PropertyDeclarationSyntax p => p.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(accessors),
                    IndexerDeclarationSyntax i => i.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(accessors),
                    _ => property,
                };
                if (rewritten == property)
                {
                    return false;
                }

                editor.ReplaceNode(property, rewritten.WithAdditionalAnnotations(Formatter.Annotation));
                return true;
            default:
                return false;
        }
    }
}
