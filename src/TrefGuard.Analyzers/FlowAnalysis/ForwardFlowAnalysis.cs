using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// A forward data-flow analysis over one <see cref="ControlFlowGraph"/>, shared by the ownership, lock and slot
/// analyses. It runs to a fixed point, then makes one more pass in which <see cref="IsReporting"/> is true so that
/// each operation is judged once against the converged state.
/// <para>
/// Exceptions are modelled the way the graph leaves them to the client: a finally region, which has no
/// predecessors, is run for each branch that leaves its try (<see cref="ControlFlowBranch.FinallyRegions"/>) with
/// that branch's state; a catch region is entered with the join of the states inside its try, after any finally
/// regions that an exception crosses first; <see cref="UnwindForException"/> gives the state an exception carries
/// out of the method.
/// </para>
/// </summary>
internal abstract class ForwardFlowAnalysis<TState>
    where TState : FlowState<TState>
{
    private readonly TState?[] _inStates;
    private readonly HandlerEdge[]?[] _handlerEdges;
    private int _finallyDepth;

    protected ForwardFlowAnalysis(ControlFlowGraph graph, CancellationToken cancellationToken)
    {
        Graph = graph;
        CancellationToken = cancellationToken;
        _inStates = new TState?[graph.Blocks.Length];
        _handlerEdges = new HandlerEdge[]?[graph.Blocks.Length];
        ComputeHandlerEdges();
    }

    protected ControlFlowGraph Graph { get; }

    protected CancellationToken CancellationToken { get; }

    /// <summary>True during the final pass, when the states have converged and diagnostics may be reported.</summary>
    protected bool IsReporting { get; private set; }

    /// <summary>The block being visited, for subclasses that describe where something happens.</summary>
    protected BasicBlock? CurrentBlock { get; private set; }

    /// <summary>Runs the analysis from <paramref name="entryState"/> at the graph's entry.</summary>
    public void Run(TState entryState)
    {
        var blocks = Graph.Blocks;
        _inStates[0] = entryState;
        RunToFixedPoint(0, blocks.Length - 1, _inStates, exitStates: null, region: null);

        IsReporting = true;
        for (var ordinal = 0; ordinal < blocks.Length; ordinal++)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var state = _inStates[ordinal];
            if (state is not null)
            {
                ProcessBlock(blocks[ordinal], state.Clone(), _inStates, exitStates: null, region: null, propagate: false);
            }
        }

        OnCompleted();
    }

    /// <summary>The converged state at the start of a block, or null when it is unreachable.</summary>
    protected TState? GetEntryState(BasicBlock block) => _inStates[block.Ordinal];

    /// <summary>Applies one operation of a block (a statement or expression at the graph's top level).</summary>
    protected abstract void VisitOperation(IOperation operation, TState state);

    /// <summary>Evaluates the block's branch value: a condition, a returned value or a thrown exception.</summary>
    protected virtual void VisitBranchValue(BasicBlock block, IOperation branchValue, TState state)
        => VisitOperation(branchValue, state);

    /// <summary>Narrows a state by what is known when the block's condition is <paramref name="conditionValue"/>.</summary>
    protected virtual void RefineForCondition(BasicBlock block, IOperation condition, bool conditionValue, TState state)
    {
    }

    /// <summary>
    /// A branch is taken with <paramref name="state"/> (after the finally regions it runs). Subclasses see locals
    /// go out of scope (<see cref="ControlFlowBranch.LeavingRegions"/>), returns and throws here.
    /// </summary>
    protected virtual void OnBranch(BasicBlock source, ControlFlowBranch branch, TState state)
    {
    }

    /// <summary>The state an exception carries into a catch handler (after the finally regions it crossed).</summary>
    protected virtual TState OnEnterHandler(TState state) => state;

    /// <summary>Called once after the reporting pass.</summary>
    protected virtual void OnCompleted()
    {
    }

    /// <summary>
    /// The state an exception thrown from <paramref name="block"/> carries out of the method: the finally regions
    /// it crosses are applied; null when a catch-all handler in the method takes it instead.
    /// </summary>
    protected TState? UnwindForException(BasicBlock block, TState state)
    {
        var current = state;
        for (var region = block.EnclosingRegion; !IsGraphRoot(region) && region.EnclosingRegion is { } parent; region = parent)
        {
            if (region.Kind != ControlFlowRegionKind.Try)
            {
                continue;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                var after = ApplyFinally(parent.NestedRegions[1], current.Clone());
                if (after is null)
                {
                    return null;
                }

                current = after;
            }
            else if (parent.Kind == ControlFlowRegionKind.TryAndCatch && HasCatchAll(parent))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>True when a block lies inside a try region whose exceptions some handler in this method can see.</summary>
    protected bool HasHandlerFor(BasicBlock block) => _handlerEdges[block.Ordinal] is not null;

    private void RunToFixedPoint(int first, int last, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region)
    {
        var blocks = Graph.Blocks;
        var dirty = new bool[last - first + 1];
        var entry = region?.FirstBlockOrdinal ?? first;
        dirty[entry - first] = true;
        var next = entry;
        var pending = 1;
        while (pending > 0)
        {
            CancellationToken.ThrowIfCancellationRequested();
            if (next > last)
            {
                next = first;
            }

            if (!dirty[next - first])
            {
                next++;
                continue;
            }

            dirty[next - first] = false;
            pending--;
            var state = inStates[next];
            if (state is not null)
            {
                foreach (var target in ProcessBlock(blocks[next], state.Clone(), inStates, exitStates, region, propagate: true))
                {
                    if (target >= first && target <= last && !dirty[target - first])
                    {
                        dirty[target - first] = true;
                        pending++;
                    }
                }
            }

            next++;
        }
    }

    private List<int> ProcessBlock(BasicBlock block, TState state, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region, bool propagate)
    {
        var changed = new List<int>(2);
        CurrentBlock = block;
        var handlers = _handlerEdges[block.Ordinal];
        foreach (var operation in block.Operations)
        {
            VisitOperation(operation, state);
            if (handlers is not null && propagate)
            {
                MergeIntoHandlers(handlers, state, inStates, changed);
            }
        }

        if (block.BranchValue is { } branchValue)
        {
            VisitBranchValue(block, branchValue, state);
            if (handlers is not null && propagate)
            {
                MergeIntoHandlers(handlers, state, inStates, changed);
            }
        }

        if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is { } condition && block.ConditionalSuccessor is { } conditional)
        {
            var taken = state.Clone();
            var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            RefineForCondition(block, condition, takenWhen, taken);
            FollowBranch(block, conditional, taken, inStates, exitStates, region, propagate, changed);
            RefineForCondition(block, condition, !takenWhen, state);
        }

        if (block.FallThroughSuccessor is { } fallThrough)
        {
            FollowBranch(block, fallThrough, state, inStates, exitStates, region, propagate, changed);
        }

        CurrentBlock = block;
        return changed;
    }

    private void FollowBranch(BasicBlock source, ControlFlowBranch branch, TState state, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region, bool propagate, List<int> changed)
    {
        TState? current = state;
        foreach (var finallyRegion in branch.FinallyRegions)
        {
            current = ApplyFinally(finallyRegion, current);
            if (current is null)
            {
                return;
            }
        }

        CurrentBlock = source;
        OnBranch(source, branch, current);

        if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
        {
            exitStates?.Add(current);
            return;
        }

        if (!propagate || branch.Destination is not { } destination)
        {
            return;
        }

        if (region is not null && (destination.Ordinal < region.FirstBlockOrdinal || destination.Ordinal > region.LastBlockOrdinal))
        {
            return;
        }

        if (Merge(inStates, destination.Ordinal, current))
        {
            changed.Add(destination.Ordinal);
        }
    }

    private static bool Merge(TState?[] inStates, int ordinal, TState state)
    {
        var existing = inStates[ordinal];
        if (existing is null)
        {
            inStates[ordinal] = state.Clone();
            return true;
        }

        return existing.JoinWith(state);
    }

    private void MergeIntoHandlers(HandlerEdge[] handlers, TState state, TState?[] inStates, List<int> changed)
    {
        foreach (var handler in handlers)
        {
            TState? carried = state;
            foreach (var finallyRegion in handler.FinallyRegions)
            {
                carried = ApplyFinally(finallyRegion, carried.Clone());
                if (carried is null)
                {
                    break;
                }
            }

            if (carried is not null && handler.EntryOrdinal < inStates.Length && Merge(inStates, handler.EntryOrdinal, OnEnterHandler(carried.Clone())))
            {
                changed.Add(handler.EntryOrdinal);
            }
        }
    }

    /// <summary>Runs a finally region on a state; null when the region never completes normally.</summary>
    private TState? ApplyFinally(ControlFlowRegion finallyRegion, TState state)
    {
        // A finally nested in itself cannot happen; the depth guard only protects against malformed graphs.
        if (_finallyDepth > 32)
        {
            return state;
        }

        _finallyDepth++;
        var savedBlock = CurrentBlock;
        var savedReporting = IsReporting;
        try
        {
            var inStates = new TState?[Graph.Blocks.Length];
            inStates[finallyRegion.FirstBlockOrdinal] = state;
            var exits = new List<TState>();
            IsReporting = false;
            RunToFixedPoint(finallyRegion.FirstBlockOrdinal, finallyRegion.LastBlockOrdinal, inStates, exits, finallyRegion);
            if (savedReporting)
            {
                IsReporting = true;
                exits.Clear();
                for (var ordinal = finallyRegion.FirstBlockOrdinal; ordinal <= finallyRegion.LastBlockOrdinal; ordinal++)
                {
                    if (inStates[ordinal] is { } blockState)
                    {
                        ProcessBlock(Graph.Blocks[ordinal], blockState.Clone(), inStates, exits, finallyRegion, propagate: false);
                    }
                }
            }

            TState? result = null;
            foreach (var exit in exits)
            {
                if (result is null)
                {
                    result = exit.Clone();
                }
                else
                {
                    result.JoinWith(exit);
                }
            }

            return result;
        }
        finally
        {
            IsReporting = savedReporting;
            CurrentBlock = savedBlock;
            _finallyDepth--;
        }
    }

    private void ComputeHandlerEdges()
    {
        var edges = new List<HandlerEdge>();
        var finallys = new List<ControlFlowRegion>();
        foreach (var block in Graph.Blocks)
        {
            edges.Clear();
            finallys.Clear();
            for (var region = block.EnclosingRegion; !IsGraphRoot(region) && region.EnclosingRegion is { } parent; region = parent)
            {
                if (region.Kind != ControlFlowRegionKind.Try)
                {
                    continue;
                }

                if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
                {
                    finallys.Add(parent.NestedRegions[1]);
                }
                else if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
                {
                    for (var i = 1; i < parent.NestedRegions.Length; i++)
                    {
                        edges.Add(new HandlerEdge(parent.NestedRegions[i].FirstBlockOrdinal, finallys.ToImmutableArray()));
                    }

                    if (HasCatchAll(parent))
                    {
                        break;
                    }
                }
            }

            _handlerEdges[block.Ordinal] = edges.Count == 0 ? null : edges.ToArray();
        }
    }

    /// <summary>
    /// Whether a region is this graph's root. The root of a lambda's or local function's graph is linked to the
    /// region of the enclosing graph that declares it; walking past it would apply the enclosing graph's finally and
    /// catch regions, whose block ordinals belong to the other graph.
    /// </summary>
    private bool IsGraphRoot(ControlFlowRegion region) => ReferenceEquals(region, Graph.Root);

    private static bool HasCatchAll(ControlFlowRegion tryAndCatch)
    {
        for (var i = 1; i < tryAndCatch.NestedRegions.Length; i++)
        {
            var handler = tryAndCatch.NestedRegions[i];
            if (handler.Kind == ControlFlowRegionKind.Catch
                && (handler.ExceptionType is null
                    || handler.ExceptionType.SpecialType == SpecialType.System_Object
                    || (handler.ExceptionType.Name == "Exception" && handler.ExceptionType.ContainingNamespace?.Name == "System" && handler.ExceptionType.ContainingNamespace.ContainingNamespace?.IsGlobalNamespace == true)))
            {
                return true;
            }
        }

        return false;
    }

    private readonly struct HandlerEdge
    {
        public HandlerEdge(int entryOrdinal, ImmutableArray<ControlFlowRegion> finallyRegions)
        {
            EntryOrdinal = entryOrdinal;
            FinallyRegions = finallyRegions;
        }

        public int EntryOrdinal { get; }

        public ImmutableArray<ControlFlowRegion> FinallyRegions { get; }
    }
}
