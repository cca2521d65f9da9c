using System.Runtime.CompilerServices;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// The slot analysis's state: for each tracked slot variable, three facts about the paths that reach a point.
/// <list type="bullet">
/// <item><see cref="IsMustInitialized"/>: initialized by an [InitializesSlot] call on every path (join =
/// intersection); a [RequiresInitializedSlot]/[FinalizesSlot] call needs it (TG0003).</item>
/// <item><see cref="IsMayInitialized"/>: initialized on some path (join = union); a plain assignment then leaks
/// the reference the slot holds (TG0007).</item>
/// <item><see cref="IsMayCleared"/>: finalized, or found null, on some path since it was last initialized (join =
/// union); it tells the TG0003 fixer that the slot must be initialized again right before its use rather than
/// earlier.</item>
/// </list>
/// "Unknown" (after the slot went to a method the analysis cannot see into) is must-initialized and not
/// may-initialized: neither rule reports on it.
/// </summary>
internal sealed class SlotState : FlowState<SlotState>
{
    private readonly ulong[] _must;
    private readonly ulong[] _may;
    private readonly ulong[] _cleared;

    public SlotState(int variableCount)
    {
        var words = (variableCount + 63) / 64;
        _must = new ulong[words];
        _may = new ulong[words];
        _cleared = new ulong[words];
    }

    private SlotState(ulong[] must, ulong[] may, ulong[] cleared)
    {
        _must = must;
        _may = may;
        _cleared = cleared;
    }

    public bool IsMustInitialized(int variable) => Get(_must, variable);

    public bool IsMayInitialized(int variable) => Get(_may, variable);

    public bool IsMayCleared(int variable) => Get(_cleared, variable);

    /// <summary>After an [InitializesSlot] call, or a successful [RequiresInitializedSlot] one.</summary>
    public void SetInitialized(int variable) => SetAll(variable, must: true, may: true, cleared: false);

    /// <summary>After a [FinalizesSlot] call, or on the branch where the slot was found null.</summary>
    public void SetCleared(int variable) => SetAll(variable, must: false, may: false, cleared: true);

    /// <summary>A fresh variable (a local's declaration, a parameter the method must initialize).</summary>
    public void SetUninitialized(int variable) => SetAll(variable, must: false, may: false, cleared: false);

    /// <summary>The slot went where the analysis cannot follow (an unannotated ref or out argument).</summary>
    public void SetUnknown(int variable) => SetAll(variable, must: true, may: false, cleared: false);

    public void SetAll(int variable, bool must, bool may, bool cleared)
    {
        Set(_must, variable, must);
        Set(_may, variable, may);
        Set(_cleared, variable, cleared);
    }

    public override SlotState Clone() => new(Arrays.CopyOf(_must), Arrays.CopyOf(_may), Arrays.CopyOf(_cleared));

    [MethodImpl(JitOptions.AggressiveOptimization)]
    public override bool JoinWith(SlotState other)
    {
        var changed = false;
        for (var i = 0; i < _must.Length; i++)
        {
            var must = _must[i] & other._must[i];
            var may = _may[i] | other._may[i];
            var cleared = _cleared[i] | other._cleared[i];
            changed |= must != _must[i] || may != _may[i] || cleared != _cleared[i];
            _must[i] = must;
            _may[i] = may;
            _cleared[i] = cleared;
        }

        return changed;
    }

    private static bool Get(ulong[] bits, int index) => (bits[index >> 6] & (1UL << (index & 63))) != 0;

    private static void Set(ulong[] bits, int index, bool value)
    {
        if (value)
        {
            bits[index >> 6] |= 1UL << (index & 63);
        }
        else
        {
            bits[index >> 6] &= ~(1UL << (index & 63));
        }
    }
}
