using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>Helpers over <c>OperationBlockAnalysisContext.OperationBlocks</c>.</summary>
internal static class OperationBlocks
{
    /// <summary>
    /// One block per control flow graph: blocks that share a root (a method body and its parameter
    /// initializers) would otherwise be analysed twice. The analysis context wants the block itself, not its root.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static ImmutableArray<IOperation> Distinct(ImmutableArray<IOperation> blocks)
    {
        // Most members have one block: every analyzer asks for every member, so that case allocates nothing.
        if (blocks.Length <= 1)
        {
            return blocks;
        }

        var roots = new List<IOperation>(blocks.Length);
        var distinct = ImmutableArray.CreateBuilder<IOperation>(blocks.Length);
        foreach (var block in blocks)
        {
            var root = RootOf(block);
            if (!roots.Contains(root))
            {
                roots.Add(root);
                distinct.Add(block);
            }
        }

        return distinct.Count == blocks.Length ? blocks : distinct.ToImmutable();
    }

    /// <summary>The top of the operation tree <paramref name="block"/> belongs to: what its control flow graph covers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static IOperation RootOf(IOperation block)
    {
        var root = block;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        return root;
    }

    /// <summary>
    /// The declaration of the method or constructor whose body <paramref name="block"/> belongs to (the syntax of the
    /// tree's root, a method or constructor body operation); null for any other block (an accessor's, a field
    /// initializer, …), whose owner has its annotations read from its symbol.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static SyntaxNode? MethodDeclarationOf(IOperation block)
    {
        var root = RootOf(block);
        return root.Kind is OperationKind.MethodBody or OperationKind.ConstructorBody ? root.Syntax : null;
    }
}
