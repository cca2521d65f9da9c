using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>Where a path leaves a scope, in the words of diagnostics: "return on line 14", "end of the block on line 9".</summary>
internal readonly struct ExitDescription
{
    public ExitDescription(string kind, int line, SyntaxNode? node)
    {
        Kind = kind;
        Line = line;
        Node = node;
    }

    /// <summary>"return", "break", "continue", "goto", "yield break", "throw", "end of the method", "end of the block".</summary>
    public string Kind { get; }

    /// <summary>One-based line.</summary>
    public int Line { get; }

    /// <summary>The jump statement, or the block whose end is meant, or null.</summary>
    public SyntaxNode? Node { get; }
}

/// <summary>
/// Maps a control flow branch back to the statement that takes it. The graph keeps no syntax for a bare
/// <c>return;</c>, <c>break;</c> or <c>continue;</c>: the jump is the statement that follows the last operation
/// of the block, or the body of the <c>if</c> whose condition ends the previous block.
/// </summary>
internal static class ExitDescriber
{
    public static ExitDescription Describe(ControlFlowGraph graph, BasicBlock source, ControlFlowBranch branch)
    {
        if (branch.Semantics == ControlFlowBranchSemantics.Return && source.BranchValue is { } returned)
        {
            var node = returned.Syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ReturnStatementSyntax or ArrowExpressionClauseSyntax or YieldStatementSyntax) ?? returned.Syntax;
            return new ExitDescription(node is YieldStatementSyntax ? "yield return" : "return", LineOf(node), node);
        }

        if (branch.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow)
        {
            var thrown = source.BranchValue?.Syntax ?? LastSyntax(source);
            var node = thrown?.FirstAncestorOrSelf<SyntaxNode>(n => n is ThrowStatementSyntax or ThrowExpressionSyntax) ?? thrown;
            return new ExitDescription("throw", node is null ? 0 : LineOf(node), node);
        }

        // A condition whose body is a jump: `if (c) continue;` may branch straight to the jump's target.
        if (source.ConditionKind != ControlFlowConditionKind.None && source.BranchValue is { } condition
            && (branch.LeavingRegions.Length > 0 || branch.Destination is null || branch.Destination.Kind == BasicBlockKind.Exit || branch.Destination.Ordinal <= source.Ordinal)
            && JumpGuardedBy(condition.Syntax) is { } guardedJump)
        {
            return Jump(guardedJump);
        }

        var anchor = LastSyntax(source);

        // A condition that skips the rest of its statement (the `if` without a jump in its body at the end of a
        // loop body): the path goes on from the end of that statement, not from the block's last operation.
        if (source.ConditionKind != ControlFlowConditionKind.None && source.BranchValue is { } skipped
            && (branch.LeavingRegions.Length > 0 || branch.Destination is null || branch.Destination.Kind == BasicBlockKind.Exit || branch.Destination.Ordinal <= source.Ordinal)
            && skipped.Syntax.FirstAncestorOrSelf<StatementSyntax>() is { } conditional and not BlockSyntax)
        {
            anchor = conditional;
        }

        if (anchor is null && source.Predecessors.Length == 1 && source.Predecessors[0].Source.BranchValue is { } predecessorCondition
            && JumpGuardedBy(predecessorCondition.Syntax) is { } jump)
        {
            // An empty block after a condition is the body of `if (c) return;` or of `case 2: return;`.
            return Jump(jump);
        }

        if (anchor?.FirstAncestorOrSelf<StatementSyntax>() is { } statement)
        {
            if (NextStatement(statement) is { } next && FirstJump(next) is { } nextJump)
            {
                return Jump(nextJump);
            }

            if (branch.Destination?.Kind == BasicBlockKind.Exit)
            {
                return EndOfMethod(statement);
            }

            if (statement.Parent is BlockSyntax block && NextStatement(statement) is null)
            {
                return new ExitDescription("end of the block", LineOf(block.CloseBraceToken), block);
            }

            return new ExitDescription("end of the block", LineOf(statement), statement);
        }

        var body = graph.OriginalOperation.Syntax;
        return branch.Destination?.Kind == BasicBlockKind.Exit || anchor is null
            ? EndOfMethod(body.ChildNodes().LastOrDefault() ?? body)
            : new ExitDescription("end of the block", LineOf(anchor), anchor);
    }

    /// <summary>The jump that a condition guards: the body of its <c>if</c>, or the statements of its switch section.</summary>
    private static StatementSyntax? JumpGuardedBy(SyntaxNode condition)
    {
        foreach (var ancestor in condition.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case IfStatementSyntax ifStatement when ifStatement.Condition.Span.Contains(condition.Span):
                    return FirstJump(ifStatement.Statement);
                case SwitchSectionSyntax section when section.Statements.Count > 0:
                    return FirstJump(section.Statements[0]);
                case StatementSyntax:
                    return null;
            }
        }

        return null;
    }

    // The analyses note lines as they go, on every path, while few of them ever reach a message: ask the tree's text
    // for the line of one position instead of making a Location and a span of both ends (GetLineSpan). The line is the
    // unmapped one, as GetLineSpan's: #line directives do not move it.
    public static int LineOf(SyntaxNode node) => LineAt(node.SyntaxTree, node.SpanStart);

    public static int LineOf(SyntaxToken token) => token.SyntaxTree is { } tree ? LineAt(tree, token.SpanStart) : 0;

    /// <summary>
    /// The line of a node's last token: where its span ends. Cheaper than <c>LineOf(node.GetLastToken())</c>, which
    /// makes the red nodes on the way down to that token.
    /// </summary>
    public static int EndLineOf(SyntaxNode node) => LineAt(node.SyntaxTree, node.Span.Length == 0 ? node.SpanStart : node.Span.End - 1);

    /// <summary>The line of a symbol's first declaration in source; 0 for a symbol from metadata.</summary>
    public static int LineOf(ISymbol symbol)
        => symbol.Locations.Length > 0 && symbol.Locations[0] is { IsInSource: true, SourceTree: { } tree } location ? LineAt(tree, location.SourceSpan.Start) : 0;

    private static int LineAt(SyntaxTree tree, int position) => tree.GetText().Lines.GetLineFromPosition(position).LineNumber + 1;

    private static ExitDescription EndOfMethod(SyntaxNode inside)
    {
        foreach (var ancestor in inside.Ancestors())
        {
            var body = ancestor switch
            {
                BaseMethodDeclarationSyntax method => method.Body,
                AccessorDeclarationSyntax accessor => accessor.Body,
                LocalFunctionStatementSyntax local => local.Body,
                AnonymousFunctionExpressionSyntax lambda => lambda.Body as BlockSyntax,
                _ => null,
            };
            if (body is not null)
            {
                return new ExitDescription("end of the method", LineOf(body.CloseBraceToken), body);
            }

            if (ancestor is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)
            {
                break;
            }
        }

        return new ExitDescription("end of the method", LineOf(inside), inside);
    }

    private static ExitDescription Jump(StatementSyntax jump)
    {
        var kind = jump switch
        {
            ReturnStatementSyntax => "return",
            BreakStatementSyntax => "break",
            ContinueStatementSyntax => "continue",
            GotoStatementSyntax => "goto",
            YieldStatementSyntax => "yield break",
            ThrowStatementSyntax => "throw",
            _ => "end of the block",
        };
        return new ExitDescription(kind, LineOf(jump), jump);
    }

    private static StatementSyntax? FirstJump(StatementSyntax statement)
    {
        while (statement is BlockSyntax block)
        {
            if (block.Statements.Count == 0)
            {
                return null;
            }

            statement = block.Statements[0];
        }

        return statement is ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or ThrowStatementSyntax
            || (statement is YieldStatementSyntax yield && yield.IsKind(SyntaxKind.YieldBreakStatement))
            ? statement
            : null;
    }

    private static StatementSyntax? NextStatement(StatementSyntax statement)
    {
        SyntaxList<StatementSyntax> siblings;
        switch (statement.Parent)
        {
            case BlockSyntax block:
                siblings = block.Statements;
                break;
            case SwitchSectionSyntax section:
                siblings = section.Statements;
                break;
            default:
                return null;
        }

        var index = siblings.IndexOf(statement);
        return index >= 0 && index + 1 < siblings.Count ? siblings[index + 1] : null;
    }

    private static SyntaxNode? LastSyntax(BasicBlock block)
    {
        if (block.BranchValue is { } value && block.ConditionKind == ControlFlowConditionKind.None)
        {
            return value.Syntax;
        }

        return block.Operations.Length > 0 ? block.Operations[block.Operations.Length - 1].Syntax : null;
    }
}
