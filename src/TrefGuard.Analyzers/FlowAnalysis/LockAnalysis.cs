using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// Which locks are held at each point of one control flow graph, like Clang's thread safety analysis but driven by
/// TrefGuard's annotations: an [AcquiresLock] call takes its lock (returning a guard whose <c>Dispose</c> releases
/// it, or, for a void method, until a [ReleasesLock] call); [AssertsLock] counts as taking it; a [RequiresLock]
/// method and a method with a guard parameter start with it held; lambdas and local functions start with every lock
/// unknown. Reports TG0002 (guarded member used without the lock), TG0006 (an [ExcludesLock] call while the lock is
/// definitely held) and TG0009 (a lock-scoped value used after its lock was released).
/// </summary>
internal sealed partial class LockAnalysis : ForwardFlowAnalysis<LockState>
{
    private const int MaxLockIds = 64;

    private readonly AnnotationModel _annotations;
    private readonly LockAnalysisGuardTypes _guardTypes;
    private readonly DiagnosticSink _sink;
    private readonly ISet<ISymbol> _captured;
    private readonly ISymbol _owner;
    private readonly SyntaxNode? _ownerDeclaration;
    private readonly VariableSlots _variableSlots = new();
    private readonly Dictionary<CaptureId, int> _captureSlots = new();
    private readonly List<IFlowAnonymousFunctionOperation> _lambdas = new();
    private ulong _lockMask;

    private LockAnalysis(ControlFlowGraph graph, ISymbol owner, SyntaxNode? ownerDeclaration, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes, DiagnosticSink sink, ISet<ISymbol> captured, CancellationToken cancellationToken)
        : base(graph, annotations, cancellationToken)
    {
        _owner = owner;
        _ownerDeclaration = ownerDeclaration;
        _annotations = annotations;
        _guardTypes = guardTypes;
        _sink = sink;
        _captured = captured;
    }

    /// <summary>Analyses a graph and the graphs of the local functions and lambdas inside it.</summary>
    /// <param name="ownerDeclaration">
    /// The owner's declaration, when at hand: its syntax may tell that it has no annotations (see
    /// <see cref="AnnotationModel.GetForOwner(IMethodSymbol, SyntaxNode?)"/>).
    /// </param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static void Analyze(ControlFlowGraph graph, ISymbol owner, SyntaxNode? ownerDeclaration, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes, OperationScan scan, DiagnosticSink sink, CancellationToken cancellationToken)
        => Analyze(graph, owner, ownerDeclaration, nested: false, annotations, guardTypes, scan, sink, cancellationToken);

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static void Analyze(ControlFlowGraph graph, ISymbol owner, SyntaxNode? ownerDeclaration, bool nested, AnnotationModel annotations, LockAnalysisGuardTypes guardTypes, OperationScan scan, DiagnosticSink sink, CancellationToken cancellationToken)
    {
        var analysis = new LockAnalysis(graph, owner, ownerDeclaration, annotations, guardTypes, sink, scan.Captured, cancellationToken);
        analysis.Run(analysis.Prepare(nested));

        foreach (var localFunction in graph.LocalFunctions)
        {
            if ((scan.NeedsOf(localFunction) & AnalysisNeeds.Locks) != 0)
            {
                Analyze(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, ownerDeclaration: null, nested: true, annotations, guardTypes, scan, sink, cancellationToken);
            }
        }

        foreach (var lambda in analysis._lambdas)
        {
            if ((scan.NeedsOf(lambda.Symbol) & AnalysisNeeds.Locks) != 0)
            {
                Analyze(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, lambda.Syntax, nested: true, annotations, guardTypes, scan, sink, cancellationToken);
            }
        }
    }

    /// <summary>Finds the variables worth tracking and builds the entry state.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private LockState Prepare(bool nested)
    {
        foreach (var block in Graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                Scan(operation);
            }

            if (block.BranchValue is { } value)
            {
                Scan(value);
            }
        }

        ulong held = 0;
        var heldLines = new List<(ulong Locks, int Line)>();
        if (_owner is IMethodSymbol method)
        {
            var annotations = _annotations.GetForOwner(method, _ownerDeclaration);
            var required = annotations.RequiresLocks;

            // The accessor of a [GuardedBy] property runs only for callers that hold its lock.
            if (method.AssociatedSymbol is IPropertySymbol)
            {
                required |= annotations.GuardedBy;
            }

            if (required != 0)
            {
                held |= required;
                heldLines.Add((required, ExitDescriber.LineOf(method)));
            }

            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind == RefKind.Out)
                {
                    continue;
                }

                var guarded = _guardTypes.LocksOf(parameter.Type);
                if (guarded != 0)
                {
                    held |= guarded;
                    heldLines.Add((guarded, ExitDescriber.LineOf(parameter)));
                }
            }

            // An instance member of a guard type runs on a guard, which holds its lock.
            if (!method.IsStatic && method.MethodKind is MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet
                && method.ContainingType is { } containing && _guardTypes.LocksOf(containing) is var self and not 0)
            {
                held |= self;
                heldLines.Add((self, ExitDescriber.LineOf(method)));
            }
        }

        _lockMask |= held;
        var state = new LockState(LockCount(_lockMask), _variableSlots.Count + _captureSlots.Count)
        {
            Held = held,
            Unknown = nested ? ~0UL & ~held : 0,
        };
        foreach (var (locks, line) in heldLines)
        {
            foreach (var id in BitMask.Bits(locks))
            {
                state.SetTakenLine(id, line, onlyIfUnknown: true);
            }
        }

        return state;
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Scan(IOperation operation)
    {
        // Dispatch on the kind, not on interface type tests: this runs for every operation of every analysed graph.
        switch (operation.Kind)
        {
            case OperationKind.FlowAnonymousFunction:
                _lambdas.Add((IFlowAnonymousFunctionOperation)operation);
                return;
            case OperationKind.LocalReference when ((ILocalReferenceOperation)operation).Local is { IsRef: false } local && !_captured.Contains(local):
                SlotOf(local, local.Type);
                break;
            case OperationKind.ParameterReference when ((IParameterReferenceOperation)operation).Parameter is { RefKind: RefKind.None } parameter && !_captured.Contains(parameter):
                SlotOf(parameter, parameter.Type);
                break;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                if (CanCarryFacts(capture.Value.Type) && !_captureSlots.ContainsKey(capture.Id))
                {
                    _captureSlots.Add(capture.Id, _captureSlots.Count);
                }

                break;
            case OperationKind.DeclarationPattern when ((IDeclarationPatternOperation)operation).DeclaredSymbol is ILocalSymbol declared && !_captured.Contains(declared):
                SlotOf(declared, declared.Type);
                break;
            case OperationKind.RecursivePattern when ((IRecursivePatternOperation)operation).DeclaredSymbol is ILocalSymbol declared && !_captured.Contains(declared):
                SlotOf(declared, declared.Type);
                break;
            case OperationKind.Invocation:
                NoteLocks(AnnotationsOf((IInvocationOperation)operation));
                break;
            case OperationKind.PropertyReference:
                NoteLocks(_annotations.Get(((IPropertyReferenceOperation)operation).Property));
                break;
            case OperationKind.FieldReference:
                NoteLocks(_annotations.Get(((IFieldReferenceOperation)operation).Field));
                break;
            case OperationKind.ObjectCreation when ((IObjectCreationOperation)operation).Constructor is { } constructor:
                NoteLocks(_annotations.Get(constructor));
                break;
        }

        foreach (var child in operation.ChildOperations)
        {
            Scan(child);
        }
    }

    /// <summary>
    /// Whether a value of this type can carry lock facts: a guard or a lock-scoped reference. Numbers, enums and strings
    /// cannot (strings are immutable, so stay valid after the lock), and most locals of most methods are those; leaving
    /// them out keeps the states that the engine copies at every branch small.
    /// </summary>
    private static bool CanCarryFacts(ITypeSymbol? type)
        => type is null || (type.SpecialType is SpecialType.None or SpecialType.System_Object or SpecialType.System_Nullable_T && type.TypeKind != TypeKind.Enum);

    private void NoteLocks(MemberAnnotations annotations)
        => _lockMask |= annotations.RequiresLocks | annotations.ExcludesLocks | annotations.AcquiresLocks | annotations.ReleasesLocks | annotations.AssertsLocks | annotations.GuardedBy;

    private static int LockCount(ulong mask)
    {
        var count = 0;
        while (mask != 0 && count < MaxLockIds)
        {
            mask >>= 1;
            count++;
        }

        return count;
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void SlotOf(ISymbol variable, ITypeSymbol type)
    {
        if (_variableSlots.Find(variable) < 0 && CanCarryFacts(type))
        {
            _variableSlots.GetOrAdd(variable);
        }
    }

    private int VariableSlot(ISymbol variable) => _variableSlots.Find(variable);

    private int CaptureSlot(CaptureId id) => _captureSlots.TryGetValue(id, out var index) ? _variableSlots.Count + index : -1;

    /// <summary>The annotations of the called method; for an interface method, those of the receiver's implementation.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private MemberAnnotations AnnotationsOf(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var annotations = _annotations.Get(method);
        if (annotations.IsEmpty && method.ContainingType?.TypeKind == TypeKind.Interface && invocation.Instance is { } instance
            && OperationHelpers.WithoutConversions(instance).Type is { } receiverType && receiverType.FindImplementationForInterfaceMember(method) is { } implementation)
        {
            annotations = _annotations.Get(implementation);
        }

        return annotations;
    }
}
