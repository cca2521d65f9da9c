using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.AnalyzerCost.Floor;

/// <summary>
/// Below the floor: asks for every operation block and does nothing with it. What it costs is what any
/// operation-based analyzer pays before it does anything (the driver binds the bodies and builds their operation
/// trees); the IDE benchmark subtracts it to show what an analyzer itself adds.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BindOnlyAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor s_neverReported = new(
        "FLOOR0002",
        "Bind-only analyzer",
        "Never reported",
        "Benchmark",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(s_neverReported);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(static _ => { });
    }
}
