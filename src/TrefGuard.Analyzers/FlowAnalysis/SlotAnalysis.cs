using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>How a graph's code relates to the construction of its type's slot fields.</summary>
internal enum SlotGraphKind
{
    /// <summary>A method, accessor, lambda or local function: slot fields start as construction left them.</summary>
    Member,

    /// <summary>An instance constructor: instance slot fields start uninitialized (or as a chained <c>this(…)</c> leaves them).</summary>
    InstanceConstructor,

    /// <summary>The static constructor: static slot fields start uninitialized.</summary>
    StaticConstructor,
}

/// <summary>
/// Slot initialization through one control flow graph: which slot variables (locals, ref parameters, and the slot
/// fields of the type) are definitely initialized by an [InitializesSlot] call, which may be, and which were
/// finalized or found null. Reports TG0003 (a [RequiresInitializedSlot]/[FinalizesSlot] call on a slot not
/// definitely initialized) and TG0007 (plain assignment to a slot that may hold a reference).
/// <para>
/// Decisions: an assignment does not initialize a slot (only an [InitializesSlot] call does) and does not change
/// what is known of it; after a failing Set/Reset the slot counts as initialized, so one mistake is reported once;
/// <c>slot = null</c> right after Fini is not TG0007, since Fini left nothing to leak; a slot found non-null holds a
/// reference, so it counts as initialized, and one found null as finalized (the lazy <c>if (_f is null)
/// Tref.Init(ref _f);</c>); a slot passed to an unannotated ref or out parameter is no longer followed.
/// </para>
/// </summary>
internal sealed partial class SlotAnalysis : ForwardFlowAnalysis<SlotState>
{
    private readonly SlotTypeContext _context;
    private readonly AnnotationModel _annotations;
    private readonly ISymbol _owner;
    private readonly SlotGraphKind _kind;
    private readonly ISet<ISymbol> _captured;
    private readonly DiagnosticSink _sink;
    private readonly Dictionary<ISymbol, int> _variables = new(SymbolEqualityComparer.Default);
    private readonly List<ISymbol> _variableSymbols = new();
    private readonly Dictionary<int, INamedTypeSymbol> _variableApis = new();
    private readonly Dictionary<CaptureId, IOperation> _captures = new();
    private readonly List<IFlowAnonymousFunctionOperation> _lambdas = new();

    private SlotAnalysis(ControlFlowGraph graph, SlotTypeContext context, ISymbol owner, SlotGraphKind kind, ISet<ISymbol> captured, DiagnosticSink sink, CancellationToken cancellationToken)
        : base(graph, context.Annotations, cancellationToken)
    {
        _context = context;
        _annotations = context.Annotations;
        _owner = owner;
        _kind = kind;
        _captured = captured;
        _sink = sink;
        foreach (var field in context.Fields)
        {
            _variables.Add(field, _variableSymbols.Count);
            _variableSymbols.Add(field);
        }
    }

    /// <summary>
    /// Analyses a graph, and hands its lambdas and local functions to <paramref name="context"/> for later (they run on
    /// their own terms: fields as construction left them, their own locals). Returns the state at the graph's exit,
    /// or null when the exit cannot be reached (a constructor that always throws makes no object).
    /// </summary>
    public static SlotState? Analyze(ControlFlowGraph graph, ISymbol owner, SlotGraphKind kind, SlotTypeContext context, ISet<ISymbol> captured, DiagnosticSink sink, CancellationToken cancellationToken)
    {
        var analysis = new SlotAnalysis(graph, context, owner, kind, captured, sink, cancellationToken);
        analysis.Prepare();
        analysis.Run(analysis.EntryState());
        var exit = analysis.GetEntryState(graph.Blocks[graph.Blocks.Length - 1])?.Clone();

        foreach (var localFunction in graph.LocalFunctions)
        {
            context.Enqueue(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, captured);
        }

        foreach (var lambda in analysis._lambdas)
        {
            context.Enqueue(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, captured);
        }

        return exit;
    }

    /// <summary>Finds the flow captures, the lambdas, and the locals and ref parameters used as slots.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Prepare()
    {
        foreach (var block in Graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                CollectCaptures(operation);
            }

            if (block.BranchValue is { } value)
            {
                CollectCaptures(value);
            }
        }

        foreach (var block in Graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                CollectSlots(operation);
            }

            if (block.BranchValue is { } value)
            {
                CollectSlots(value);
            }
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void CollectCaptures(IOperation operation)
    {
        switch (operation)
        {
            case IFlowAnonymousFunctionOperation lambda:
                _lambdas.Add(lambda);
                return;
            case IFlowCaptureOperation capture:
                // A capture may be assigned on several branches (a ?: spilled early); any of them tells what it holds.
                _captures[capture.Id] = capture.Value;
                break;
        }

        foreach (var child in operation.ChildOperations)
        {
            CollectCaptures(child);
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void CollectSlots(IOperation operation)
    {
        if (operation is IFlowAnonymousFunctionOperation)
        {
            return;
        }

        var (method, arguments) = operation switch
        {
            IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments),
            IObjectCreationOperation { Constructor: { } constructor } creation => (constructor, creation.Arguments),
            _ => (null, ImmutableArray<IArgumentOperation>.Empty),
        };
        if (method is not null)
        {
            var annotations = _annotations.Get(method);
            if (annotations.AffectsSlots)
            {
                foreach (var argument in arguments)
                {
                    if (argument.Parameter is { RefKind: RefKind.Ref } parameter && IsSlotParameter(annotations.GetParameter(parameter.Ordinal))
                        && TrackableLocalOrParameter(argument.Value) is { } variable)
                    {
                        if (!_variables.TryGetValue(variable, out var index))
                        {
                            index = _variableSymbols.Count;
                            _variables.Add(variable, index);
                            _variableSymbols.Add(variable);
                        }

                        if (!_variableApis.ContainsKey(index) && method.ContainingType is { } api)
                        {
                            _variableApis.Add(index, api);
                        }
                    }
                }
            }
        }

        foreach (var child in operation.ChildOperations)
        {
            CollectSlots(child);
        }
    }

    private static bool IsSlotParameter(ParameterAnnotation annotation)
        => (annotation & (ParameterAnnotation.InitializesSlot | ParameterAnnotation.RequiresInitializedSlot | ParameterAnnotation.FinalizesSlot)) != 0;

    private SlotState EntryState()
    {
        var state = new SlotState(_variableSymbols.Count);
        for (var i = 0; i < _context.Fields.Length; i++)
        {
            var field = _context.Fields[i];
            if (field.IsStatic ? _kind == SlotGraphKind.StaticConstructor : _kind == SlotGraphKind.InstanceConstructor)
            {
                state.SetUninitialized(i);
            }
            else
            {
                // Outside its constructors a slot field is whatever construction made it, and may hold a reference.
                state.SetAll(i, must: _context.IsInitializedByConstruction(i), may: true, cleared: false);
            }
        }

        var annotations = _owner is IMethodSymbol method ? _annotations.GetForOwner(method) : MemberAnnotations.Empty;
        for (var i = _context.Fields.Length; i < _variableSymbols.Count; i++)
        {
            if (_variableSymbols[i] is IParameterSymbol parameter
                && (annotations.GetParameter(parameter.Ordinal) & ParameterAnnotation.InitializesSlot) == 0)
            {
                // A slot the caller passes in: initializing it was the caller's duty.
                state.SetInitialized(i);
            }
            else
            {
                state.SetUninitialized(i);
            }
        }

        return state;
    }

    /// <summary>A local or ref parameter of this graph that may be followed as a slot (not captured, not a ref local).</summary>
    private ISymbol? TrackableLocalOrParameter(IOperation operation)
    {
        ISymbol? symbol = Resolve(operation) switch
        {
            ILocalReferenceOperation { Local: { IsRef: false } local } => local,
            IParameterReferenceOperation { Parameter: { RefKind: RefKind.Ref } parameter } => parameter,
            _ => null,
        };
        return symbol is not null && !_captured.Contains(symbol) ? symbol : null;
    }

    /// <summary>The tracked variable an operation denotes, or -1.</summary>
    private int VariableOf(IOperation operation)
    {
        var resolved = Resolve(operation);
        switch (resolved)
        {
            case ILocalReferenceOperation { Local: var local }:
                return _variables.TryGetValue(local, out var localIndex) ? localIndex : -1;
            case IParameterReferenceOperation { Parameter: var parameter }:
                return _variables.TryGetValue(parameter, out var parameterIndex) ? parameterIndex : -1;
            case IFieldReferenceOperation { Field: var field } fieldReference:
                if (!_variables.TryGetValue(field.OriginalDefinition, out var fieldIndex))
                {
                    return -1;
                }

                return field.IsStatic || IsThis(fieldReference.Instance) ? fieldIndex : -1;
            default:
                return -1;
        }
    }

    private bool IsThis(IOperation? instance)
        => instance is not null && Resolve(instance) is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    /// <summary>Strips conversions and parentheses, and looks through flow captures to what they hold.</summary>
    private IOperation Resolve(IOperation operation)
    {
        for (var depth = 0; depth < 16; depth++)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IFlowCaptureReferenceOperation reference when _captures.TryGetValue(reference.Id, out var captured):
                    operation = captured;
                    break;
                default:
                    return operation;
            }
        }

        return operation;
    }

    private INamedTypeSymbol? ApiOf(int variable)
        => variable < _context.Fields.Length ? _context.GetApi(variable) : _variableApis.TryGetValue(variable, out var api) ? api : null;

    private static string? DocumentationId(ISymbol? symbol) => symbol?.GetDocumentationCommentId();

    private ImmutableDictionary<string, string?> Properties(int variable, INamedTypeSymbol? api)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        if (DocumentationId(api ?? ApiOf(variable)) is { } apiId)
        {
            builder.Add(SlotAnalyzerCommon.SlotApi, apiId);
        }

        return builder.ToImmutable();
    }

    private static int ArgumentIndex(IArgumentOperation argument)
        => argument.Syntax is ArgumentSyntax { Parent: BaseArgumentListSyntax list } syntax ? list.Arguments.IndexOf(syntax) : -1;
}
