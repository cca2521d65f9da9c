using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.AnalyzerCost.Floor;

/// <summary>
/// The floor of a gate: visits every operation of every operation tree once and builds no graph. An analyzer that
/// decides from the operations whether a method concerns it pays at least this; the driver makes a tree's operations
/// lazily, so the first analyzer to walk a tree pays for making them. TrefGuard's cost on code that touches nothing
/// annotated is measured against this one's.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WalkOnlyAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor s_neverReported = new(
        "FLOOR0004",
        "Walk-only analyzer",
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
        context.RegisterOperationBlockAction(static context =>
        {
            var visited = 0L;
            foreach (var block in context.OperationBlocks)
            {
                visited += Count(block);
            }

            System.Threading.Interlocked.Add(ref s_operationsVisited, visited);
        });
    }

    private static long Count(IOperation operation)
    {
        var visited = 1L;
        foreach (var child in operation.ChildOperations)
        {
            visited += Count(child);
        }

        return visited;
    }
}
