using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
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

    /// <summary>Every diagnostic is located in the analysed block: at an operation of its graph.</summary>
    private protected override bool KeepsOutOfGeneratedCode => true;

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        var guardTypes = new LockAnalysisGuardTypes(annotations);
        context.RegisterOperationBlockAction(block => AnalyzeBlock(block, annotations, guardTypes));
    }

    /// <summary>
    /// The finer gate. A block whose only lock annotations are [ExcludesLock] calls (most code that puts a reference)
    /// can report nothing: no lock is ever held in it (nothing acquires, asserts or is assumed at entry), and nothing
    /// in it needs one. Building its control flow graph would be wasted. The scan already knows whether the block
    /// touches a member that takes, releases, asserts or needs a lock; only a nested function that starts with a lock
    /// held (a guard parameter) needs another look.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static bool CanHoldOrNeedALock(IOperation root, OperationScan scan, ISymbol owner, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
        => (scan.Needs & AnalysisNeeds.LockState) != 0
            || HeldAtEntry(owner, OperationBlocks.MethodDeclarationOf(root), annotations, guardTypes)
            || (scan.HasNestedFunctions && NestedFunctionHoldsALock(root, annotations, guardTypes));

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static bool HeldAtEntry(ISymbol symbol, SyntaxNode? declaration, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        if (symbol is not IMethodSymbol method)
        {
            return false;
        }

        var own = annotations.GetForOwner(method, declaration);
        if ((own.RequiresLocks | own.GuardedBy) != 0)
        {
            return true;
        }

        foreach (var parameter in method.Parameters)
        {
            if (guardTypes.LocksOf(parameter.Type) != 0)
            {
                return true;
            }
        }

        return !method.IsStatic && method.ContainingType is { } type && guardTypes.LocksOf(type) != 0;
    }

    private static bool NestedFunctionHoldsALock(IOperation operation, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        switch (operation.Kind)
        {
            case OperationKind.AnonymousFunction when HeldAtEntry(((IAnonymousFunctionOperation)operation).Symbol, operation.Syntax, annotations, guardTypes):
            case OperationKind.LocalFunction when HeldAtEntry(((ILocalFunctionOperation)operation).Symbol, operation.Syntax, annotations, guardTypes):
                return true;
        }

        foreach (var child in operation.ChildOperations)
        {
            if (NestedFunctionHoldsALock(child, annotations, guardTypes))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static void AnalyzeBlock(OperationBlockAnalysisContext context, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        DiagnosticSink? sink = null;
        foreach (var root in OperationBlocks.Distinct(context.OperationBlocks))
        {
            var scan = OperationScan.Run(root, context.OwningSymbol, annotations);
            if ((scan.Needs & AnalysisNeeds.Locks) == 0 || !CanHoldOrNeedALock(root, scan, context.OwningSymbol, annotations, guardTypes))
            {
                continue;
            }

            sink ??= new DiagnosticSink();
            var graph = context.GetControlFlowGraph(root);
            LockAnalysis.Analyze(graph, context.OwningSymbol, OperationBlocks.MethodDeclarationOf(root), annotations, guardTypes, scan, sink, context.CancellationToken);
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
