using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>Small operation helpers the rule families share.</summary>
internal static class OperationHelpers
{
    /// <summary>
    /// The operation under any conversions and parentheses: <c>(object)r</c> and <c>r</c> carry the same reference,
    /// and an annotated call wrapped in an implicit conversion is still that call.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static IOperation WithoutConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }
}
