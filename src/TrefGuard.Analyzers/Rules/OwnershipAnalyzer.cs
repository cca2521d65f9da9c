using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// The ownership family: TG0001 (missed put), TG0004 (double put), TG0005 (use after put), TG0008 (discarded
/// acquisition), TG0010 (leak on an exception path) and TG0013 (an [AcquiresReference] method returning a reference
/// it does not own), all from one pass of <see cref="OwnershipAnalysis"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnershipAnalyzer : TrefGuardAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.TG0001_MissedPut,
        Descriptors.TG0004_DoublePut,
        Descriptors.TG0005_UseAfterPut,
        Descriptors.TG0008_DiscardedAcquisition,
        Descriptors.TG0010_LeakOnException,
        Descriptors.TG0013_ReturnsUnownedReference);

    /// <summary>Every diagnostic is located at an operation of the analysed block or at a parameter of its method.</summary>
    private protected override bool KeepsOutOfGeneratedCode => true;

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        context.RegisterOperationBlockAction(block => AnalyzeBlock(block, annotations));
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static void AnalyzeBlock(OperationBlockAnalysisContext context, AnnotationModel annotations)
    {
        DiagnosticSink? sink = null;
        MemberAnnotations? methodAnnotations = null;
        foreach (var root in OperationBlocks.Distinct(context.OperationBlocks))
        {
            // Attributes and parameter defaults are blocks of their own; only the body owns the parameters and returns.
            // The analysis follows values that are acquired, so a graph that acquires nothing (one that only puts, say)
            // is not built for it, unless a lambda or local function in it needs the analysis. A [TransfersOwnership]
            // parameter is owned from the start: its method is checked even when it calls nothing annotated (it may
            // simply drop what it was given). An [AcquiresReference] method's returns are checked even when it touches
            // nothing annotated (`=> _field` is the mistake TG0013 is for).
            var isBody = root.Kind is not (OperationKind.Attribute or OperationKind.ParameterInitializer or OperationKind.FieldInitializer or OperationKind.PropertyInitializer);
            var scan = OperationScan.Run(root, context.OwningSymbol, annotations);
            if ((scan.Needs & AnalysisNeeds.Acquisitions) == 0 && (scan.NestedFunctionNeeds & AnalysisNeeds.Ownership) == 0)
            {
                if (!isBody)
                {
                    continue;
                }

                methodAnnotations ??= context.OwningSymbol is IMethodSymbol method
                    ? annotations.GetForOwner(method, OperationBlocks.MethodDeclarationOf(root))
                    : MemberAnnotations.Empty;
                if (!methodAnnotations.AcquiresReference && !methodAnnotations.HasParameterAnnotation(ParameterAnnotation.TransfersOwnership))
                {
                    continue;
                }
            }

            sink ??= new DiagnosticSink();
            var graph = context.GetControlFlowGraph(root);
            OwnershipAnalysis.Analyze(graph, context.OwningSymbol, isBody ? OperationBlocks.MethodDeclarationOf(root) : null, isBody, annotations, scan, sink, context.CancellationToken);
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
