using System;
using System.Runtime.CompilerServices;
using TrefGuard.Analyzers.Infrastructure;

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
/// <item>Per lock: the lines where it was taken and last released, for messages.</item>
/// </list>
/// </summary>
internal sealed class LockState : FlowState<LockState>
{
    // Two arrays rather than one per fact: the flow engine copies a state at every branch, and for the small states
    // of most methods the cost of a copy is the number of arrays, not their length. Masks hold, per slot, the guard
    // locks, then the scope locks, then the stale locks; lines hold, per lock, the line it was taken, then the line it
    // was released.
    private readonly ulong[] _masks;
    private readonly int[] _lines;
    private readonly int _slotCount;
    private readonly int _lockCount;

    public LockState(int lockCount, int slotCount)
    {
        _lockCount = lockCount;
        _slotCount = slotCount;
        _masks = new ulong[3 * slotCount];
        _lines = new int[2 * lockCount];
    }

    private LockState(LockState other)
    {
        Held = other.Held;
        Unknown = other.Unknown;
        _lockCount = other._lockCount;
        _slotCount = other._slotCount;
        _masks = Arrays.CopyOf(other._masks);
        _lines = Arrays.CopyOf(other._lines);
    }

    /// <summary>Locks held on every path that reaches here.</summary>
    public ulong Held { get; set; }

    /// <summary>Locks whose state is unknown on some path (nested functions start with every lock unknown).</summary>
    public ulong Unknown { get; set; }

    public int SlotCount => _slotCount;

    public override LockState Clone() => new(this);

    [MethodImpl(JitOptions.AggressiveOptimization)]
    public override bool JoinWith(LockState other)
    {
        var changed = false;
        var held = Held & other.Held;
        changed |= held != Held;
        Held = held;

        var unknown = Unknown | other.Unknown;
        changed |= unknown != Unknown;
        Unknown = unknown;

        // Every mask is a MAY set: union.
        var masks = _masks;
        var otherMasks = other._masks;
        for (var i = 0; i < masks.Length; i++)
        {
            var joined = masks[i] | otherMasks[i];
            changed |= joined != masks[i];
            masks[i] = joined;
        }

        // The earliest known line wins, so that the message does not depend on the order paths are joined.
        var lines = _lines;
        var otherLines = other._lines;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i] == 0 ? otherLines[i] : otherLines[i] == 0 ? lines[i] : Math.Min(lines[i], otherLines[i]);
            changed |= line != lines[i];
            lines[i] = line;
        }

        return changed;
    }

    /// <summary>The line where lock <paramref name="id"/> was taken (for TG0006's message); 0 when unknown.</summary>
    public int TakenLine(int id) => id < _lockCount ? _lines[id] : 0;

    /// <summary>The line where lock <paramref name="id"/> was last released (for TG0009's message); 0 when never.</summary>
    public int ReleasedLine(int id) => id < _lockCount ? _lines[_lockCount + id] : 0;

    public void SetTakenLine(int id, int line, bool onlyIfUnknown = false)
    {
        if (id < _lockCount && (!onlyIfUnknown || _lines[id] == 0))
        {
            _lines[id] = line;
        }
    }

    public void SetReleasedLine(int id, int line)
    {
        if (id < _lockCount)
        {
            _lines[_lockCount + id] = line;
        }
    }

    /// <summary>Marks the values scoped to <paramref name="locks"/> as stale: those locks were released.</summary>
    public void MarkStale(ulong locks)
    {
        var scopedStart = _slotCount;
        var staleStart = 2 * _slotCount;
        for (var slot = 0; slot < _slotCount; slot++)
        {
            _masks[staleStart + slot] |= _masks[scopedStart + slot] & locks;
        }
    }

    /// <summary>Sets a slot to what a value carries (an assignment).</summary>
    public void Assign(int slot, LockFacts facts)
    {
        _masks[slot] = facts.Guard;
        _masks[_slotCount + slot] = facts.Scoped;
        _masks[(2 * _slotCount) + slot] = facts.Stale & facts.Scoped;
    }

    public LockFacts Read(int slot) => new(_masks[slot], _masks[_slotCount + slot], _masks[(2 * _slotCount) + slot]);

    public void Clear(int slot) => Assign(slot, LockFacts.None);
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
