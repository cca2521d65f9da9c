using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// The lock family: TG0002 (a [GuardedBy] member or [RequiresLock] member used without its lock), TG0006 (an
/// [ExcludesLock] call while the lock is definitely held) and TG0009 (a value read under a lock used after the lock
/// was released), all from one pass of <see cref="LockAnalysis"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LockAnalyzer : TrefGuardAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.TG0002_UnlockedGuardedAccess,
        Descriptors.TG0006_ExcludedLockHeld,
        Descriptors.TG0009_TaskUsedAfterUnlock);

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        var guardTypes = new LockAnalysisGuardTypes(annotations);
        context.RegisterOperationBlockAction(block => AnalyzeBlock(block, annotations, guardTypes));
    }

    private static void AnalyzeBlock(OperationBlockAnalysisContext context, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        DiagnosticSink? sink = null;
        foreach (var root in OperationBlocks.Distinct(context.OperationBlocks))
        {
            var scan = OperationScan.Run(root, annotations);
            if ((scan.Needs & AnalysisNeeds.Locks) == 0)
            {
                continue;
            }

            sink ??= new DiagnosticSink();
            var graph = context.GetControlFlowGraph(root);
            LockAnalysis.Analyze(graph, context.OwningSymbol, annotations, guardTypes, scan.Captured, sink, context.CancellationToken);
        }

        if (sink is not null)
        {
            foreach (var diagnostic in sink.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }
        }
    }
}
