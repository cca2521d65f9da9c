using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// Ownership of references through one control flow graph: what an [AcquiresReference] member returns is owned;
/// a [ReleasesReference] call releases it; returning it, passing it to a [TransfersOwnership] parameter or a
/// constructor, or storing it anywhere but a local moves it away. Reports TG0001 (not released on a path),
/// TG0004 (released twice), TG0005 (used after release), TG0008 (discarded), TG0010 (lost only to an exception)
/// and, in an [AcquiresReference] method, TG0013 (a return of a reference the method does not own).
/// <para>
/// A void [AcquiresReference] instance method (SafeHandle.DangerousAddRef) takes a count on its receiver: when the
/// receiver is a local or parameter, the count is a value that variable holds, released by the receiver's
/// [ReleasesReference] method like any other.
/// </para>
/// </summary>
internal sealed partial class OwnershipAnalysis : ForwardFlowAnalysis<OwnershipState>
{
    private const int MaxValues = 64;

    private readonly AnnotationModel _annotations;
    private readonly DiagnosticSink _sink;
    private readonly ISet<ISymbol> _captured;
    private readonly VariableSlots _variableSlots = new();
    private readonly Dictionary<CaptureId, int> _captureSlots = new();
    private readonly Dictionary<IOperation, int> _valueIds = new();
    private readonly List<ValueInfo> _values = new();
    private readonly List<IFlowAnonymousFunctionOperation> _lambdas = new();
    private readonly Dictionary<int, LeakRecord> _leaks = new();
    private readonly Dictionary<int, (string What, int Line)> _exceptionLeaks = new();
    private readonly Dictionary<int, int> _handlerTryLines = new();

    /// <summary>The method whose returns TG0013 checks (this graph's owner, when it is [AcquiresReference]); else null.</summary>
    private readonly IMethodSymbol? _checkedMethod;

    /// <summary>Values that are counts taken through a receiver (DangerousAddRef), not references of their own.</summary>
    private ulong _receiverValues;

    /// <summary>
    /// Whether the graph has a loop. Without one, an acquisition runs at most once on a path, and a value nothing holds
    /// can never be held again: what is known of it no longer matters, and is left as it is.
    /// </summary>
    private bool _hasLoops;

    /// <summary>
    /// In a graph with loops, each acquisition's older twin: the value that stands for the references an earlier run
    /// of the acquisition made and something still holds (-1 for none). Null when no value has one.
    /// </summary>
    private int[]? _olderTwins;

    /// <summary>The acquisitions whose earlier reference moved to their older twin while the current assignment was evaluated.</summary>
    private ulong _movedToOlder;

    /// <summary>The <c>ref bool success</c> variables of receiver acquisitions, and the values whose acquisition sets them.</summary>
    private Dictionary<ISymbol, ulong>? _successFlags;
    private ulong _acquired;
    private bool _unwinding;
    private ulong _lastNullTested;
    private bool _lastNullTestIsNegated;

    private OwnershipAnalysis(ControlFlowGraph graph, AnnotationModel annotations, DiagnosticSink sink, ISet<ISymbol> captured, IMethodSymbol? checkedMethod, CancellationToken cancellationToken)
        : base(graph, annotations, cancellationToken)
    {
        _annotations = annotations;
        _sink = sink;
        _captured = captured;
        _checkedMethod = checkedMethod;
    }

    /// <summary>Analyses a graph and the graphs of the local functions and lambdas inside it.</summary>
    /// <param name="ownerDeclaration">
    /// The owner's declaration, when at hand: its syntax may tell that it has no annotations (see
    /// <see cref="AnnotationModel.GetForOwner(IMethodSymbol, SyntaxNode?)"/>).
    /// </param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static void Analyze(ControlFlowGraph graph, ISymbol owner, SyntaxNode? ownerDeclaration, bool ownsParameters, AnnotationModel annotations, OperationScan scan, DiagnosticSink sink, CancellationToken cancellationToken)
    {
        var ownerAnnotations = ownsParameters && owner is IMethodSymbol method ? annotations.GetForOwner(method, ownerDeclaration) : MemberAnnotations.Empty;
        var checkedMethod = ChecksReturns(owner, ownerAnnotations) ? (IMethodSymbol)owner : null;
        var analysis = new OwnershipAnalysis(graph, annotations, sink, scan.Captured, checkedMethod, cancellationToken);
        var entry = analysis.Prepare(ownsParameters ? owner : null, ownerAnnotations);
        if (entry is not null)
        {
            analysis.Run(entry);
        }

        foreach (var localFunction in graph.LocalFunctions)
        {
            if ((scan.NeedsOf(localFunction) & AnalysisNeeds.Ownership) != 0)
            {
                Analyze(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, ownerDeclaration: null, ownsParameters: true, annotations, scan, sink, cancellationToken);
            }
        }

        foreach (var lambda in analysis._lambdas)
        {
            if ((scan.NeedsOf(lambda.Symbol) & AnalysisNeeds.Ownership) != 0)
            {
                Analyze(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, lambda.Syntax, ownsParameters: true, annotations, scan, sink, cancellationToken);
            }
        }
    }

    /// <summary>Finds the values and variables worth tracking; null when the graph acquires nothing.</summary>
    /// <param name="owner">The method whose parameters the graph owns, if it does.</param>
    /// <param name="ownerAnnotations">Its annotations.</param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private OwnershipState? Prepare(ISymbol? owner, MemberAnnotations ownerAnnotations)
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

        var ownedParameters = new List<(IParameterSymbol Parameter, int Value)>();
        if (owner is IMethodSymbol method && ownerAnnotations.HasParameterAnnotation(ParameterAnnotation.TransfersOwnership))
        {
            foreach (var parameter in method.Parameters)
            {
                if ((ownerAnnotations.GetParameter(parameter.Ordinal) & ParameterAnnotation.TransfersOwnership) != 0 && _values.Count < MaxValues && !_captured.Contains(parameter))
                {
                    ownedParameters.Add((parameter, _values.Count));
                    SlotOf(parameter);
                    var location = parameter.Locations.IsEmpty ? Location.None : parameter.Locations[0];
                    _values.Add(new ValueInfo(null, location, parameter.Name, nameFromVariable: true));
                }
            }
        }

        if (_values.Count == 0 && _checkedMethod is null)
        {
            return null;
        }

        _hasLoops = HasBackEdges;
        if (_hasLoops)
        {
            AddOlderTwins();
        }

        var state = new OwnershipState(_variableSlots.Count + _captureSlots.Count, _values.Count, trackProvenance: _checkedMethod is not null);
        foreach (var (parameter, value) in ownedParameters)
        {
            state.PointsTo[_variableSlots.Find(parameter)] = 1UL << value;
            state.Flags[value] = OwnershipFlags.Owned;
        }

        if (_checkedMethod is not null)
        {
            InitializeSources(state);
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
            case OperationKind.SimpleAssignment:
                var assignment = (ISimpleAssignmentOperation)operation;
                if (MayCarryValue(assignment.Value) && TrackableVariable(assignment.Target) is { } variable)
                {
                    SlotOf(variable);
                }

                break;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                if (MayCarryValue(capture.Value) && !_captureSlots.ContainsKey(capture.Id))
                {
                    _captureSlots.Add(capture.Id, _captureSlots.Count);
                }

                break;
            case OperationKind.IsPattern:
                var pattern = (IIsPatternOperation)operation;
                if (DeclaredByPattern(pattern.Pattern) is { } declared && MayCarryValue(pattern.Value) && !_captured.Contains(declared))
                {
                    SlotOf(declared);
                }

                break;
            case OperationKind.Invocation:
                var invocation = (IInvocationOperation)operation;
                if (invocation is { TargetMethod.ReturnsVoid: true, Instance: not null } && IsReceiverAcquisition(invocation, _annotations.Get(invocation.TargetMethod)))
                {
                    ScanReceiverAcquisition(invocation);
                }

                break;
        }

        if (_checkedMethod is not null)
        {
            ScanForReturns(operation);
        }

        if (IsAcquisition(operation) && !_valueIds.ContainsKey(operation) && _values.Count < MaxValues)
        {
            _valueIds.Add(operation, _values.Count);
            // Named by its expression until a variable names it; the text is made only for a message.
            _values.Add(new ValueInfo(operation));
        }

        foreach (var child in operation.ChildOperations)
        {
            Scan(child);
        }
    }

    /// <summary>The local a pattern binds the tested value to: <c>is T t</c>, <c>is { } t</c>, <c>is not { } t</c>.</summary>
    private static ILocalSymbol? DeclaredByPattern(IPatternOperation pattern)
    {
        while (pattern is INegatedPatternOperation negated)
        {
            pattern = negated.Pattern;
        }

        return pattern switch
        {
            IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared } => declared,
            IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol declared } => declared,
            _ => null,
        };
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private int SlotOf(ISymbol variable) => _variableSlots.GetOrAdd(variable);

    private int VariableSlot(ISymbol variable) => _variableSlots.Find(variable);

    private int CaptureSlot(CaptureId id) => _captureSlots.TryGetValue(id, out var index) ? _variableSlots.Count + index : -1;

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private ISymbol? TrackableVariable(IOperation target)
    {
        ISymbol? symbol = target switch
        {
            ILocalReferenceOperation { Local: { IsRef: false } local } => local,
            IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter } => parameter,
            _ => null,
        };
        return symbol is not null && !_captured.Contains(symbol) ? symbol : null;
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private bool MayCarryValue(IOperation value)
    {
        value = OperationHelpers.WithoutConversions(value);
        return value is ILocalReferenceOperation or IParameterReferenceOperation or IFlowCaptureReferenceOperation
            || IsAcquisition(value)
            || (_checkedMethod is not null && IsBorrowedSource(value));
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private bool IsAcquisition(IOperation operation) => operation.Kind switch
    {
        OperationKind.Invocation => _annotations.Get(((IInvocationOperation)operation).TargetMethod) is { AcquiresReference: true } annotations && !IsReceiverAcquisition((IInvocationOperation)operation, annotations),
        OperationKind.PropertyReference => _annotations.Get(((IPropertyReferenceOperation)operation).Property).AcquiresReference,
        OperationKind.ObjectCreation => ((IObjectCreationOperation)operation).Constructor is { } constructor && _annotations.Get(constructor).AcquiresReference,
        _ => false,
    };

}
