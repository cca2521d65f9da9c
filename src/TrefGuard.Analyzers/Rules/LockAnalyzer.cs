using System.Collections.Immutable;
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

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        var guardTypes = new LockAnalysisGuardTypes(annotations);
        context.RegisterOperationBlockAction(block => AnalyzeBlock(block, annotations, guardTypes));
    }

    /// <summary>
    /// The finer gate. A block whose only lock annotations are [ExcludesLock] calls (most code that puts a reference)
    /// can report nothing: no lock is ever held in it (nothing acquires, asserts or is assumed at entry), and nothing
    /// in it needs one. Building its control flow graph would be wasted.
    /// </summary>
    private static bool CanHoldOrNeedALock(IOperation root, ISymbol owner, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
        => HeldAtEntry(owner, annotations, guardTypes) || TouchesLocks(root, annotations, guardTypes);

    private static bool HeldAtEntry(ISymbol symbol, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        if (symbol is not IMethodSymbol method)
        {
            return false;
        }

        var own = annotations.Get(method);
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

    private static bool TouchesLocks(IOperation operation, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        var member = operation switch
        {
            IInvocationOperation invocation => (ISymbol)invocation.TargetMethod,
            IPropertyReferenceOperation property => property.Property,
            IFieldReferenceOperation field => field.Field,
            IObjectCreationOperation creation => creation.Constructor,
            _ => null,
        };
        if (member is not null && annotations.Get(member) is var found
            && (found.AcquiresLocks | found.AssertsLocks | found.ReleasesLocks | found.RequiresLocks | found.GuardedBy) != 0)
        {
            return true;
        }

        // An interface call whose implementation carries the annotations, as the analysis resolves it.
        if (operation is IInvocationOperation { TargetMethod.ContainingType.TypeKind: TypeKind.Interface, Instance: { } instance } call
            && instance.WithoutConversions().Type?.FindImplementationForInterfaceMember(call.TargetMethod) is { } implementation
            && annotations.Get(implementation) is var implemented
            && (implemented.AcquiresLocks | implemented.AssertsLocks | implemented.ReleasesLocks | implemented.RequiresLocks) != 0)
        {
            return true;
        }

        // The lock statement's Monitor.Enter/Exit calls exist only in the control flow graph's lowering.
        if (operation is ILockOperation)
        {
            return true;
        }

        if ((operation is IAnonymousFunctionOperation lambda && HeldAtEntry(lambda.Symbol, annotations, guardTypes))
            || (operation is ILocalFunctionOperation local && HeldAtEntry(local.Symbol, annotations, guardTypes)))
        {
            return true;
        }

        foreach (var child in operation.ChildOperations)
        {
            if (TouchesLocks(child, annotations, guardTypes))
            {
                return true;
            }
        }

        return false;
    }

    private static void AnalyzeBlock(OperationBlockAnalysisContext context, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes)
    {
        DiagnosticSink? sink = null;
        foreach (var root in OperationBlocks.Distinct(context.OperationBlocks))
        {
            var scan = OperationScan.Run(root, annotations);
            if ((scan.Needs & AnalysisNeeds.Locks) == 0 || !CanHoldOrNeedALock(root, context.OwningSymbol, annotations, guardTypes))
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
