using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.CodeFixes;

/// <summary>Locating what the ownership diagnostics point at.</summary>
internal static class OwnershipFixes
{
    /// <summary>
    /// The statement that is exactly the release at <paramref name="span"/> (the call, the <c>.Put()</c> of
    /// <c>x?.Put()</c>, or the argument a static release takes): <c>x.Put();</c>, <c>x?.Put();</c>, <c>pool.Return(x);</c>.
    /// </summary>
    public static ExpressionStatementSyntax? ReleaseStatementAt(SyntaxNode root, TextSpan span)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        var statement = node.FirstAncestorOrSelf<ExpressionStatementSyntax>();
        if (statement is null)
        {
            return null;
        }

        var expression = statement.Expression;
        var isWhole = expression.Span == span
            || (expression is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull.Span == span)
            || (expression is InvocationExpressionSyntax invocation && invocation.ArgumentList.Arguments.Count == 1 && invocation.ArgumentList.Arguments[0].Span == span);
        return isWhole ? statement : null;
    }
}
