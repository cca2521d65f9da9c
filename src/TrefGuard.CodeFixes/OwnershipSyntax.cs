using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>Syntax edits shared by the ownership fixers: where statements can go, fresh names, releases to remove.</summary>
internal static class OwnershipSyntax
{
    /// <summary>True when statements can be inserted next to <paramref name="statement"/> in its list.</summary>
    public static bool IsInStatementList(StatementSyntax statement) => statement.Parent is BlockSyntax or SwitchSectionSyntax;

    /// <summary>Inserts statements before <paramref name="anchor"/>, turning an embedded statement (<c>if (c) return;</c>) into a block.</summary>
    public static void InsertBefore(SyntaxEditor editor, StatementSyntax anchor, IReadOnlyList<StatementSyntax> statements)
    {
        if (IsInStatementList(anchor))
        {
            editor.InsertBefore(anchor, statements);
        }
        else
        {
            editor.ReplaceNode(anchor, (current, _) => Block(statements.Concat(new[] { (StatementSyntax)current })));
        }
    }

    /// <summary>Inserts statements after <paramref name="anchor"/>, turning an embedded statement into a block.</summary>
    public static void InsertAfter(SyntaxEditor editor, StatementSyntax anchor, IReadOnlyList<StatementSyntax> statements)
    {
        if (IsInStatementList(anchor))
        {
            editor.InsertAfter(anchor, statements);
        }
        else
        {
            editor.ReplaceNode(anchor, (current, _) => Block(new[] { (StatementSyntax)current }.Concat(statements)));
        }
    }

    /// <summary>Appends statements at the end of a block, before the local functions declared at its end.</summary>
    public static void AppendToBlock(SyntaxEditor editor, BlockSyntax block, IReadOnlyList<StatementSyntax> statements)
    {
        var last = -1;
        for (var i = 0; i < block.Statements.Count; i++)
        {
            if (block.Statements[i] is not LocalFunctionStatementSyntax)
            {
                last = i;
            }
        }

        if (last >= 0)
        {
            editor.InsertAfter(block.Statements[last], statements);
        }
        else if (block.Statements.Count > 0)
        {
            editor.InsertBefore(block.Statements[0], statements);
        }
        else
        {
            editor.ReplaceNode(block, (current, _) => ((BlockSyntax)current).AddStatements(statements.ToArray()));
        }
    }

    public static BlockSyntax Block(IEnumerable<StatementSyntax> statements)
        => SyntaxFactory.Block(statements).WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary><c>var name = value;</c></summary>
    public static LocalDeclarationStatementSyntax DeclareVar(string name, ExpressionSyntax value)
        => SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(value.WithoutTrivia())))))
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>Whether <paramref name="node"/> reads <paramref name="variable"/> anywhere.</summary>
    public static bool Mentions(SemanticModel model, SyntaxNode node, ISymbol variable, CancellationToken cancellationToken)
    {
        foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == variable.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, variable))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The local or parameter called <paramref name="name"/> visible at <paramref name="position"/>.</summary>
    public static ISymbol? LookupVariable(SemanticModel model, int position, string name)
    {
        foreach (var symbol in model.LookupSymbols(position, name: name))
        {
            if (symbol is ILocalSymbol or IParameterSymbol)
            {
                return symbol;
            }
        }

        return null;
    }

    /// <summary>
    /// A name based on <paramref name="preferred"/> that clashes with nothing visible at <paramref name="position"/>
    /// nor with any name declared anywhere in the enclosing member (C# forbids a local that shadows another local).
    /// </summary>
    public static string UniqueName(SemanticModel model, SyntaxNode at, string preferred, ISet<string> reserved)
    {
        var member = at.AncestorsAndSelf().FirstOrDefault(n => n is MemberDeclarationSyntax) ?? at.SyntaxTree.GetRoot();
        var taken = new HashSet<string>(reserved);
        foreach (var symbol in model.LookupSymbols(at.SpanStart))
        {
            taken.Add(symbol.Name);
        }

        foreach (var node in member.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator:
                    taken.Add(declarator.Identifier.ValueText);
                    break;
                case SingleVariableDesignationSyntax designation:
                    taken.Add(designation.Identifier.ValueText);
                    break;
                case ParameterSyntax parameter:
                    taken.Add(parameter.Identifier.ValueText);
                    break;
                case ForEachStatementSyntax forEach:
                    taken.Add(forEach.Identifier.ValueText);
                    break;
                case CatchDeclarationSyntax catchDeclaration:
                    taken.Add(catchDeclaration.Identifier.ValueText);
                    break;
                case LocalFunctionStatementSyntax localFunction:
                    taken.Add(localFunction.Identifier.ValueText);
                    break;
            }
        }

        var name = preferred;
        for (var i = 2; taken.Contains(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None; i++)
        {
            name = preferred + i;
        }

        reserved.Add(name);
        return name;
    }

    /// <summary>A local name for a value of a type: <c>TaskRef</c> → <c>taskRef</c>.</summary>
    public static string NameFor(ITypeSymbol? type)
    {
        var name = type?.Name;
        if (string.IsNullOrEmpty(name))
        {
            return "acquired";
        }

        return char.ToLowerInvariant(name![0]) + name.Substring(1);
    }

    /// <summary>
    /// Whether control can leave <paramref name="node"/> other than by completing it: a return, throw, goto or
    /// yield break anywhere in it (not in a nested function), or a break/continue not owned by a loop or switch inside it.
    /// </summary>
    public static bool CanJumpOut(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodesAndSelf(n => n == node || !IsFunction(n)))
        {
            switch (descendant)
            {
                case ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax or GotoStatementSyntax:
                    return true;
                case YieldStatementSyntax yield when yield.IsKind(SyntaxKind.YieldBreakStatement):
                    return true;
                case BreakStatementSyntax or ContinueStatementSyntax when !IsOwnedWithin(descendant, node):
                    return true;
            }
        }

        return false;
    }

    private static bool IsFunction(SyntaxNode node) => node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;

    private static bool IsOwnedWithin(SyntaxNode jump, SyntaxNode container)
    {
        for (var ancestor = jump.Parent; ancestor is not null && ancestor != container.Parent; ancestor = ancestor.Parent)
        {
            if (ancestor is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax
                || (ancestor is SwitchStatementSyntax && jump is BreakStatementSyntax))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The statement that releases <paramref name="variable"/> when <paramref name="invocation"/> is a release of it
    /// used as a whole statement (<c>x.Put();</c>, <c>x?.Put();</c>, <c>pool.Return(x);</c>), else null.
    /// </summary>
    public static ExpressionStatementSyntax? ReleaseStatementOf(SemanticModel model, AnnotationModel annotations, ExpressionStatementSyntax statement, ISymbol variable, CancellationToken cancellationToken)
    {
        var operation = model.GetOperation(statement, cancellationToken) is IExpressionStatementOperation expression ? expression.Operation : null;
        if (operation is IConditionalAccessOperation conditional)
        {
            if (Referenced(conditional.Operation) is { } receiver && SymbolEqualityComparer.Default.Equals(receiver, variable)
                && conditional.WhenNotNull is IInvocationOperation whenNotNull && annotations.Get(whenNotNull.TargetMethod).ReleasesThis)
            {
                return statement;
            }

            return null;
        }

        if (operation is not IInvocationOperation invocation)
        {
            return null;
        }

        var memberAnnotations = annotations.Get(invocation.TargetMethod);
        if (memberAnnotations.ReleasesThis && invocation.Instance is { } instance && SymbolEqualityComparer.Default.Equals(Referenced(instance), variable))
        {
            return statement;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter && (memberAnnotations.GetParameter(parameter.Ordinal) & ParameterAnnotation.ReleasesReference) != 0
                && SymbolEqualityComparer.Default.Equals(Referenced(argument.Value), variable))
            {
                return statement;
            }
        }

        return null;
    }

    /// <summary>The local or parameter an operation reads, through conversions.</summary>
    public static ISymbol? Referenced(IOperation operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        return operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IConditionalAccessInstanceOperation => null,
            _ => null,
        };
    }

    /// <summary>
    /// Removes a release statement. An <c>if</c> without <c>else</c> whose only job was that release, with a condition
    /// that has no side effects, goes with it; an embedded release elsewhere becomes an empty block.
    /// </summary>
    public static void RemoveRelease(SyntaxEditor editor, ExpressionStatementSyntax release)
    {
        SyntaxNode removed = release;
        while (true)
        {
            var parent = removed.Parent;
            if (parent is BlockSyntax block && block.Statements.Count == 1 && block.Parent is IfStatementSyntax blockIf && blockIf.Else is null && IsPure(blockIf.Condition) && IsInStatementList(blockIf))
            {
                removed = blockIf;
                continue;
            }

            if (parent is IfStatementSyntax embeddingIf && embeddingIf.Statement == removed && embeddingIf.Else is null && IsPure(embeddingIf.Condition) && IsInStatementList(embeddingIf))
            {
                removed = embeddingIf;
                continue;
            }

            break;
        }

        if (removed is StatementSyntax statement && IsInStatementList(statement))
        {
            editor.RemoveNode(statement, RemoveOptions(statement));
        }
        else
        {
            editor.ReplaceNode(removed, SyntaxFactory.Block().WithTriviaFrom(removed).WithAdditionalAnnotations(Formatter.Annotation));
        }
    }

    /// <summary>Removal that drops the statement's own line but keeps a comment or directive written above it.</summary>
    public static SyntaxRemoveOptions RemoveOptions(StatementSyntax statement)
        => statement.GetLeadingTrivia().Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia))
            ? SyntaxRemoveOptions.KeepLeadingTrivia | SyntaxRemoveOptions.KeepDirectives
            : SyntaxRemoveOptions.KeepNoTrivia;

    /// <summary>An expression whose evaluation changes nothing: names, literals, member reads, comparisons, patterns.</summary>
    public static bool IsPure(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax or LiteralExpressionSyntax or ThisExpressionSyntax => true,
        MemberAccessExpressionSyntax access => IsPure(access.Expression),
        ElementAccessExpressionSyntax element => IsPure(element.Expression) && element.ArgumentList.Arguments.All(a => a.RefKindKeyword.RawKind == 0 && IsPure(a.Expression)),
        ParenthesizedExpressionSyntax parenthesized => IsPure(parenthesized.Expression),
        PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.LogicalNotExpression) => IsPure(unary.Operand),
        BinaryExpressionSyntax binary => !binary.IsKind(SyntaxKind.CoalesceExpression) && IsPure(binary.Left) && IsPure(binary.Right),
        IsPatternExpressionSyntax pattern => IsPure(pattern.Expression),
        ConditionalAccessExpressionSyntax conditional => IsPure(conditional.Expression) && conditional.WhenNotNull is MemberBindingExpressionSyntax,
        _ => false,
    };

    /// <summary>The statement (within a function body) that an expression belongs to, or null for an expression body.</summary>
    public static StatementSyntax? EnclosingStatement(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case BlockSyntax:
                    return null;
                case StatementSyntax statement:
                    return statement;
                case ArrowExpressionClauseSyntax or AnonymousFunctionExpressionSyntax:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The declarator a diagnostic location names, when it is a plain local declaration.</summary>
    public static VariableDeclaratorSyntax? DeclaratorAt(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
        => root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<VariableDeclaratorSyntax>().FirstOrDefault(d => d.Span == span);

    /// <summary>The expression at a diagnostic location.</summary>
    public static ExpressionSyntax? ExpressionAt(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        ExpressionSyntax? found = null;
        foreach (var ancestor in root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf())
        {
            if (ancestor.Span != span)
            {
                break;
            }

            if (ancestor is ExpressionSyntax expression)
            {
                found = expression;
            }
        }

        return found;
    }

    /// <summary>The acquisition an owned local was initialized with (through conversions), when the location is its declarator.</summary>
    public static IOperation? InitializerAcquisition(SemanticModel model, VariableDeclaratorSyntax declarator, CancellationToken cancellationToken)
        => declarator.Initializer is { } initializer ? Strip(model.GetOperation(initializer.Value, cancellationToken)) : null;

    public static IOperation? Strip(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        return operation;
    }
}
