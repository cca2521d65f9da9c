using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// A forward data-flow analysis over one <see cref="ControlFlowGraph"/>, shared by the ownership, lock and slot
/// analyses. It runs to a fixed point, then makes one more pass in which <see cref="IsReporting"/> is true so that
/// each operation is judged once against the converged state. A graph (or finally region) without back edges
/// converges in one pass in block order, so there that pass is the reporting pass: each block is visited once.
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
    // A finally nested in itself cannot happen; the depth guard only protects against malformed graphs.
    private const int MaxFinallyDepth = 32;

    private readonly TState?[] _inStates;
    private readonly FlowGraphShape _shape;

    /// <summary>In-state arrays for finally regions, one per nesting depth, reused: only the region's range is ever set.</summary>
    private readonly List<TState?[]> _finallyStates = new();
    private int _finallyDepth;

    /// <summary>Set by a one-pass run, in which each block's visit used up its in-state.</summary>
    private bool _statesConsumed;

    protected ForwardFlowAnalysis(ControlFlowGraph graph, AnnotationModel annotations, CancellationToken cancellationToken)
    {
        Graph = graph;
        CancellationToken = cancellationToken;
        _inStates = new TState?[graph.Blocks.Length];
        _shape = annotations.ShapeOf(graph);
    }

    protected ControlFlowGraph Graph { get; }

    protected CancellationToken CancellationToken { get; }

    /// <summary>True when some block branches backwards: the graph has a loop, and an operation may run more than once.</summary>
    protected bool HasBackEdges => !IsForwardOnly(0, Graph.Blocks.Length - 1);

    /// <summary>True during the final pass, when the states have converged and diagnostics may be reported.</summary>
    protected bool IsReporting { get; private set; }

    /// <summary>The block being visited, for subclasses that describe where something happens.</summary>
    protected BasicBlock? CurrentBlock { get; private set; }

    /// <summary>Runs the analysis from <paramref name="entryState"/> at the graph's entry.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public void Run(TState entryState)
    {
        var blocks = Graph.Blocks;
        _inStates[0] = entryState;
        if (IsForwardOnly(0, blocks.Length - 1))
        {
            // Every predecessor of a block comes before it: the first visit already sees the converged state, and
            // nothing joins into a block after its visit, so the visit may work on the in-state itself.
            IsReporting = true;
            _statesConsumed = true;
            RunToFixedPoint(0, blocks.Length - 1, _inStates, exitStates: null, region: null, consume: true);
            OnCompleted();
            return;
        }

        RunToFixedPoint(0, blocks.Length - 1, _inStates, exitStates: null, region: null, consume: false);

        IsReporting = true;
        for (var ordinal = 0; ordinal < blocks.Length; ordinal++)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var state = _inStates[ordinal];
            if (state is not null)
            {
                ProcessBlock(blocks[ordinal], state.Clone(), _inStates, exitStates: null, region: null, changed: null);
            }
        }

        OnCompleted();
    }

    /// <summary>
    /// The converged state at the start of a block, or null when it is unreachable. After a one-pass run only the exit
    /// block's is left (the others were used up by their visits); the exit block has nothing to visit, so its entry
    /// state is the state at the end of the method.
    /// </summary>
    protected TState? GetEntryState(BasicBlock block)
        => !_statesConsumed || block.Kind == BasicBlockKind.Exit
            ? _inStates[block.Ordinal]
            : throw new System.InvalidOperationException("After a one-pass run only the exit block's entry state is kept.");

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
    /// go out of scope (<see cref="LeavingRegionsOf"/>), returns and throws here.
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
    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected TState? UnwindForException(BasicBlock block, TState state)
    {
        // A lambda's or local function's graph is rooted inside its enclosing method's regions: stop at its own root.
        var current = state;
        for (var region = block.EnclosingRegion; !ReferenceEquals(region, Graph.Root) && region.EnclosingRegion is { } parent; region = parent)
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
            else if (parent.Kind == ControlFlowRegionKind.TryAndCatch && FlowGraphShape.HasCatchAll(parent))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>True when a block lies inside a try region of this graph (one with a finally or with handlers).</summary>
    protected bool IsInsideTry(BasicBlock block)
    {
        for (var region = block.EnclosingRegion; !ReferenceEquals(region, Graph.Root) && region.EnclosingRegion is { } parent; region = parent)
        {
            if (region.Kind == ControlFlowRegionKind.Try)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a block lies inside a try region whose exceptions some handler in this method can see.</summary>
    protected bool HasHandlerFor(BasicBlock block) => _shape.HandlerEdges[block.Ordinal] is not null;

    /// <summary>
    /// <see cref="ControlFlowBranch.LeavingRegions"/>, without asking the graph when the branch stays in its block's
    /// region (most branches): the graph computes the regions a branch leaves on first request, which costs more than
    /// everything else an analysis does with most branches.
    /// </summary>
    protected static ImmutableArray<ControlFlowRegion> LeavingRegionsOf(BasicBlock source, ControlFlowBranch branch)
        => StaysInRegion(source, branch) ? ImmutableArray<ControlFlowRegion>.Empty : branch.LeavingRegions;

    /// <summary>True when no block in <c>first..last</c> branches backwards, so one pass in block order converges.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private bool IsForwardOnly(int first, int last)
        => _shape.BackEdgesUpTo[last] - (first > 0 ? _shape.BackEdgesUpTo[first - 1] : 0) == 0;

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private static bool StaysInRegion(BasicBlock source, ControlFlowBranch branch)
        => branch.Destination is { } destination && ReferenceEquals(destination.EnclosingRegion, source.EnclosingRegion);

    /// <param name="consume">
    /// Visit blocks on their in-states themselves rather than on copies: only for a range without back edges, where
    /// no in-state is joined into after its block's visit.
    /// </param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void RunToFixedPoint(int first, int last, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region, bool consume)
    {
        var blocks = Graph.Blocks;
        var dirty = new bool[last - first + 1];
        var changed = new List<int>(4);
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
                changed.Clear();
                ProcessBlock(blocks[next], consume ? state : state.Clone(), inStates, exitStates, region, changed);
                foreach (var target in changed)
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

    /// <summary>
    /// Visits a block with <paramref name="state"/> and follows its branches. With <paramref name="changed"/> the
    /// states are propagated (and the successors whose state changed are added to it); without, only visited.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void ProcessBlock(BasicBlock block, TState state, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region, List<int>? changed)
    {
        CurrentBlock = block;
        var handlers = changed is null ? null : _shape.HandlerEdges[block.Ordinal];
        foreach (var operation in block.Operations)
        {
            VisitOperation(operation, state);
            if (handlers is not null)
            {
                MergeIntoHandlers(handlers, state, inStates, region, changed!);
            }
        }

        if (block.BranchValue is { } branchValue)
        {
            VisitBranchValue(block, branchValue, state);
            if (handlers is not null)
            {
                MergeIntoHandlers(handlers, state, inStates, region, changed!);
            }
        }

        if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is { } condition && block.ConditionalSuccessor is { } conditional)
        {
            var taken = state.Clone();
            var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            RefineForCondition(block, condition, takenWhen, taken);
            FollowBranch(block, conditional, taken, inStates, exitStates, region, changed);
            RefineForCondition(block, condition, !takenWhen, state);
        }

        if (block.FallThroughSuccessor is { } fallThrough)
        {
            FollowBranch(block, fallThrough, state, inStates, exitStates, region, changed);
        }

        CurrentBlock = block;
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void FollowBranch(BasicBlock source, ControlFlowBranch branch, TState state, TState?[] inStates, List<TState>? exitStates, ControlFlowRegion? region, List<int>? changed)
    {
        TState? current = state;
        foreach (var finallyRegion in StaysInRegion(source, branch) ? ImmutableArray<ControlFlowRegion>.Empty : branch.FinallyRegions)
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

        if (changed is null || branch.Destination is not { } destination)
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

    /// <summary>
    /// Joins <paramref name="state"/> into a block's in-state. The caller hands <paramref name="state"/> over: it is
    /// not used after the branch is followed, so the first state to reach a block is stored as it is.
    /// </summary>
    private static bool Merge(TState?[] inStates, int ordinal, TState state)
    {
        var existing = inStates[ordinal];
        if (existing is null)
        {
            inStates[ordinal] = state;
            return true;
        }

        return existing.JoinWith(state);
    }

    /// <summary>
    /// Joins the state an exception would carry into the catch handlers that can see it. This is propagation, not
    /// a visit: nothing is reported on the way, even when it happens during the reporting pass.
    /// </summary>
    private void MergeIntoHandlers(FlowGraphShape.HandlerEdge[] handlers, TState state, TState?[] inStates, ControlFlowRegion? region, List<int> changed)
    {
        var savedReporting = IsReporting;
        IsReporting = false;
        try
        {
            foreach (var handler in handlers)
            {
                // A handler outside the finally region being run is not this run's business.
                if (region is not null && (handler.EntryOrdinal < region.FirstBlockOrdinal || handler.EntryOrdinal > region.LastBlockOrdinal))
                {
                    continue;
                }

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
        finally
        {
            IsReporting = savedReporting;
        }
    }

    /// <summary>Runs a finally region on a state; null when the region never completes normally.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private TState? ApplyFinally(ControlFlowRegion finallyRegion, TState state)
    {
        if (_finallyDepth >= MaxFinallyDepth)
        {
            return state;
        }

        var first = finallyRegion.FirstBlockOrdinal;
        var last = finallyRegion.LastBlockOrdinal;
        if (_finallyStates.Count == _finallyDepth)
        {
            _finallyStates.Add(new TState?[Graph.Blocks.Length]);
        }

        var inStates = _finallyStates[_finallyDepth];
        _finallyDepth++;
        var savedBlock = CurrentBlock;
        var savedReporting = IsReporting;
        try
        {
            inStates[first] = state;
            var exits = new List<TState>();
            if (IsForwardOnly(first, last))
            {
                // As for the whole graph: without back edges one pass converges, and is the reporting pass when the
                // caller reports. The state handed in is the caller's to give away (a branch's own state or a copy).
                RunToFixedPoint(first, last, inStates, exits, finallyRegion, consume: true);
            }
            else
            {
                IsReporting = false;
                RunToFixedPoint(first, last, inStates, exits, finallyRegion, consume: false);
                if (savedReporting)
                {
                    IsReporting = true;
                    exits.Clear();
                    for (var ordinal = first; ordinal <= last; ordinal++)
                    {
                        if (inStates[ordinal] is { } blockState)
                        {
                            ProcessBlock(Graph.Blocks[ordinal], blockState.Clone(), inStates, exits, finallyRegion, changed: null);
                        }
                    }
                }
            }

            // Each exit state is a visit's own working state, used by nothing else: the first becomes the result.
            TState? result = null;
            foreach (var exit in exits)
            {
                if (result is null)
                {
                    result = exit;
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
            System.Array.Clear(inStates, first, last - first + 1);
            IsReporting = savedReporting;
            CurrentBlock = savedBlock;
            _finallyDepth--;
        }
    }

}

/// <summary>
/// What the flow engine derives from a graph's shape: each block's handler edges and where the back edges are. The
/// same for every analysis of a graph, so the analyses of one graph (ownership, locks, slots) share one
/// (<see cref="AnnotationModel.ShapeOf"/>).
/// </summary>
internal sealed class FlowGraphShape
{
    public FlowGraphShape(ControlFlowGraph graph)
    {
        HandlerEdges = new HandlerEdge[]?[graph.Blocks.Length];
        BackEdgesUpTo = new int[graph.Blocks.Length];

        // Blocks of one region share its handler edges: computed once per innermost enclosing region.
        Dictionary<ControlFlowRegion, HandlerEdge[]?>? byRegion = null;
        var backEdges = 0;
        foreach (var block in graph.Blocks)
        {
            HandlerEdge[]? edges = null;
            var enclosing = block.EnclosingRegion;
            if (!ReferenceEquals(enclosing, graph.Root))
            {
                byRegion ??= new Dictionary<ControlFlowRegion, HandlerEdge[]?>();
                if (!byRegion.TryGetValue(enclosing, out edges))
                {
                    edges = HandlerEdgesOf(enclosing, graph.Root);
                    byRegion.Add(enclosing, edges);
                }

                HandlerEdges[block.Ordinal] = edges;
            }

            if (IsBackEdge(block, block.ConditionalSuccessor) || IsBackEdge(block, block.FallThroughSuccessor) || HasBackwardHandler(block, edges))
            {
                backEdges++;
            }

            BackEdgesUpTo[block.Ordinal] = backEdges;
        }
    }

    /// <summary>Per block ordinal: the catch handlers an exception thrown there can reach, or null.</summary>
    public HandlerEdge[]?[] HandlerEdges { get; }

    /// <summary>Per block ordinal: how many blocks up to and including it branch backwards (to a block at or before them).</summary>
    public int[] BackEdgesUpTo { get; }

    public static bool HasCatchAll(ControlFlowRegion tryAndCatch)
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

    private static bool IsBackEdge(BasicBlock source, ControlFlowBranch? branch)
        => branch?.Destination is { } destination && destination.Ordinal <= source.Ordinal;

    private static bool HasBackwardHandler(BasicBlock block, HandlerEdge[]? edges)
    {
        if (edges is not null)
        {
            foreach (var edge in edges)
            {
                if (edge.EntryOrdinal <= block.Ordinal)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <param name="root">
    /// The graph's root region. A lambda's or local function's graph is rooted inside its enclosing method's regions,
    /// whose handlers are not this graph's.
    /// </param>
    private static HandlerEdge[]? HandlerEdgesOf(ControlFlowRegion innermost, ControlFlowRegion root)
    {
        List<HandlerEdge>? edges = null;
        List<ControlFlowRegion>? finallys = null;
        for (var region = innermost; !ReferenceEquals(region, root) && region.EnclosingRegion is { } parent; region = parent)
        {
            if (region.Kind != ControlFlowRegionKind.Try)
            {
                continue;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                (finallys ??= new List<ControlFlowRegion>()).Add(parent.NestedRegions[1]);
            }
            else if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                var crossed = finallys is null ? ImmutableArray<ControlFlowRegion>.Empty : finallys.ToImmutableArray();
                for (var i = 1; i < parent.NestedRegions.Length; i++)
                {
                    (edges ??= new List<HandlerEdge>()).Add(new HandlerEdge(parent.NestedRegions[i].FirstBlockOrdinal, crossed));
                }

                if (HasCatchAll(parent))
                {
                    break;
                }
            }
        }

        return edges?.ToArray();
    }

    /// <summary>A catch handler an exception can reach, and the finally regions it runs on the way.</summary>
    public readonly struct HandlerEdge
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
