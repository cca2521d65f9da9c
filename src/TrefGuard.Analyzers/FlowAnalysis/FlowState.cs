namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>An abstract state of a forward data-flow analysis: a lattice element that can be copied and joined.</summary>
internal abstract class FlowState<TSelf>
    where TSelf : FlowState<TSelf>
{
    public abstract TSelf Clone();

    /// <summary>Joins <paramref name="other"/> into this state; true when this state changed.</summary>
    public abstract bool JoinWith(TSelf other);
}
