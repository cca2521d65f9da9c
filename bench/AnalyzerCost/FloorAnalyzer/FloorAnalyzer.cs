using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace TrefGuard.AnalyzerCost.Floor;

/// <summary>
/// The least any control-flow-graph analysis pays: for every operation block it builds the graph and visits every
/// operation in it, and reports nothing. TrefGuard's cost is measured against this one's.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    // Never reported. The driver skips an analyzer whose every descriptor is disabled, so the floor carries one
    // enabled descriptor to be run at all.
    private static readonly DiagnosticDescriptor s_neverReported = new(
        "FLOOR0001",
        "Floor analyzer",
        "Never reported",
        "Benchmark",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    /// <summary>Operations visited since the process started; read by the harness so the walk cannot be optimized away.</summary>
    public static long OperationsVisited => System.Threading.Interlocked.Read(ref s_operationsVisited);

    private static long s_operationsVisited;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(s_neverReported);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(AnalyzeBlock);
    }

    internal static void AnalyzeBlock(OperationBlockAnalysisContext context)
    {
        var roots = new List<IOperation>(1);
        var visited = 0L;
        foreach (var block in context.OperationBlocks)
        {
            // Blocks that share a root (a body and its parameter initializers) share one graph.
            var root = block;
            while (root.Parent is { } parent)
            {
                root = parent;
            }

            if (roots.Contains(root))
            {
                continue;
            }

            roots.Add(root);
            visited += Walk(context.GetControlFlowGraph(block), context);
        }

        System.Threading.Interlocked.Add(ref s_operationsVisited, visited);
    }

    internal static long Walk(ControlFlowGraph graph, OperationBlockAnalysisContext context)
    {
        var visited = 0L;
        foreach (var block in graph.Blocks)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            foreach (var operation in block.Operations)
            {
                visited += Count(operation, graph, context);
            }

            if (block.BranchValue is { } branchValue)
            {
                visited += Count(branchValue, graph, context);
            }
        }

        foreach (var localFunction in graph.LocalFunctions)
        {
            visited += Walk(graph.GetLocalFunctionControlFlowGraph(localFunction, context.CancellationToken), context);
        }

        return visited;
    }

    private static long Count(IOperation operation, ControlFlowGraph graph, OperationBlockAnalysisContext context)
    {
        if (operation is IFlowAnonymousFunctionOperation lambda)
        {
            // A lambda's body is a graph of its own, as it is for TrefGuard's analyses.
            return 1 + Walk(graph.GetAnonymousFunctionControlFlowGraph(lambda, context.CancellationToken), context);
        }

        var visited = 1L;
        foreach (var child in operation.ChildOperations)
        {
            visited += Count(child, graph, context);
        }

        return visited;
    }
}
