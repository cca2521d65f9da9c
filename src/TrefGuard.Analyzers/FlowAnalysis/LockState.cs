using System;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// The lock analysis's state at one point. Lock sets are bit masks of the ids <c>AnnotationModel</c> interns.
/// <list type="bullet">
/// <item><see cref="Held"/> is a MUST set (join = intersection): TG0006 is an error, so it only fires when the lock
/// is held on every path.</item>
/// <item><see cref="Unknown"/> is a MAY set (join = union): locks whose state nobody knows, such as every lock at
/// the entry of a lambda that may run later under the lock. Neither TG0002 nor TG0006 is reported for them.</item>
/// <item>Per variable slot (local, parameter or flow capture): the locks a guard in it may hold, the locks its value
/// is scoped to (read from a [GuardedBy] member or returned by a [RequiresLock] member), and which of those may
/// have been released since (stale: TG0009 on use). All three are MAY sets.</item>
/// </list>
/// </summary>
internal sealed class LockState : FlowState<LockState>
{
    public LockState(int lockCount, int slotCount)
    {
        TakenLine = new int[lockCount];
        ReleasedLine = new int[lockCount];
        Guard = new ulong[slotCount];
        Scoped = new ulong[slotCount];
        Stale = new ulong[slotCount];
    }

    private LockState(LockState other)
    {
        Held = other.Held;
        Unknown = other.Unknown;
        TakenLine = (int[])other.TakenLine.Clone();
        ReleasedLine = (int[])other.ReleasedLine.Clone();
        Guard = (ulong[])other.Guard.Clone();
        Scoped = (ulong[])other.Scoped.Clone();
        Stale = (ulong[])other.Stale.Clone();
    }

    /// <summary>Locks held on every path that reaches here.</summary>
    public ulong Held { get; set; }

    /// <summary>Locks whose state is unknown on some path (nested functions start with every lock unknown).</summary>
    public ulong Unknown { get; set; }

    /// <summary>Per lock id: the line where it was taken (for TG0006's message); 0 when unknown.</summary>
    public int[] TakenLine { get; }

    /// <summary>Per lock id: the line where it was last released (for TG0009's message); 0 when never.</summary>
    public int[] ReleasedLine { get; }

    /// <summary>Per slot: the locks that a guard stored there may hold (its Dispose releases them).</summary>
    public ulong[] Guard { get; }

    /// <summary>Per slot: the locks whose scope the value stored there may come from.</summary>
    public ulong[] Scoped { get; }

    /// <summary>Per slot: the scope locks that may have been released since the value was read.</summary>
    public ulong[] Stale { get; }

    public override LockState Clone() => new(this);

    public override bool JoinWith(LockState other)
    {
        var changed = false;
        var held = Held & other.Held;
        changed |= held != Held;
        Held = held;

        var unknown = Unknown | other.Unknown;
        changed |= unknown != Unknown;
        Unknown = unknown;

        changed |= JoinLines(TakenLine, other.TakenLine);
        changed |= JoinLines(ReleasedLine, other.ReleasedLine);
        changed |= JoinMasks(Guard, other.Guard);
        changed |= JoinMasks(Scoped, other.Scoped);
        changed |= JoinMasks(Stale, other.Stale);
        return changed;
    }

    /// <summary>Sets a slot to what a value carries (an assignment).</summary>
    public void Assign(int slot, LockFacts facts)
    {
        Guard[slot] = facts.Guard;
        Scoped[slot] = facts.Scoped;
        Stale[slot] = facts.Stale & facts.Scoped;
    }

    public LockFacts Read(int slot) => new(Guard[slot], Scoped[slot], Stale[slot]);

    public void Clear(int slot)
    {
        Guard[slot] = 0;
        Scoped[slot] = 0;
        Stale[slot] = 0;
    }

    private static bool JoinMasks(ulong[] into, ulong[] other)
    {
        var changed = false;
        for (var i = 0; i < into.Length; i++)
        {
            var joined = into[i] | other[i];
            changed |= joined != into[i];
            into[i] = joined;
        }

        return changed;
    }

    /// <summary>The earliest known line wins, so that the message does not depend on the order paths are joined.</summary>
    private static bool JoinLines(int[] into, int[] other)
    {
        var changed = false;
        for (var i = 0; i < into.Length; i++)
        {
            var line = into[i] == 0 ? other[i] : other[i] == 0 ? into[i] : Math.Min(into[i], other[i]);
            changed |= line != into[i];
            into[i] = line;
        }

        return changed;
    }
}

/// <summary>What the lock analysis knows of one value: the guard locks it holds, the lock scopes it belongs to, and which are released.</summary>
internal readonly struct LockFacts
{
    public static readonly LockFacts None = default;

    public LockFacts(ulong guard, ulong scoped, ulong stale)
    {
        Guard = guard;
        Scoped = scoped;
        Stale = stale;
    }

    public ulong Guard { get; }

    public ulong Scoped { get; }

    public ulong Stale { get; }

    public bool IsEmpty => (Guard | Scoped | Stale) == 0;
}
