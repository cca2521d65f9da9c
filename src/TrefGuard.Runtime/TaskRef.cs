using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using TrefGuard.Annotations;

namespace TrefGuard;

/// <summary>
/// A task reference, the kernel's <c>struct task_ref</c>: a small counted object that points at the first live
/// user of one (type, pid number) and becomes null when there is none, never at a later task that reuses the
/// number. Holding one costs a few dozen bytes; holding a <see cref="TaskStruct"/> pins its whole stack.
/// </summary>
/// <remarks>
/// Obtain one with <see cref="Tref.GetByTask"/> or <see cref="Tref.GetByPid"/>, copy it with <see cref="Get"/>,
/// release it with <see cref="Put"/>; keep it in a slot managed by <see cref="Tref.Init"/>,
/// <see cref="Tref.Set"/>, <see cref="Tref.Reset"/> and <see cref="Tref.Fini"/>. Read the task it names under the
/// table's lock (<see cref="Task"/>, <see cref="TasklistReadGuard.TaskOf"/>) or pinned
/// (<see cref="GetTask"/>); <see cref="IsAlive"/> only peeks.
/// </remarks>
public sealed class TaskRef
{
    private const int NrBits = 24;
    private const int NrMask = (1 << NrBits) - 1;

    private static readonly TaskRef NoneInstance = new();

    /// <summary>Null only for <see cref="None"/>, which belongs to no table.</summary>
    private readonly TaskTable? _table;

    /// <summary>The pid entry this tref was made for while it has a user; null once its last user left.</summary>
    private PidEntry? _entry;

    private int _count;

    /// <summary>
    /// Type and number in one word (pid numbers stay below 2^22): a tref outlives its task by design, so its
    /// size is the whole cost of holding one, and the benchmarks hold it to 64 bytes.
    /// </summary>
    private int _typeAndNr;

    private TaskRef()
    {
        _count = 1;
    }

    internal TaskRef(TaskTable table)
    {
        _table = table;
    }

    /// <summary>
    /// The shared reference to nothing (the kernel's <c>init_tref</c>): what an initialized slot holds when it
    /// names no task, and what lookups return when there is no task. It is counted like any tref (its count
    /// starts at 1 for itself); putting it more often than it was taken throws (TG0004). Reading this property
    /// borrows it: take a counted reference with <see cref="Get"/>.
    /// </summary>
    public static TaskRef None => NoneInstance;

    /// <summary>The pid type this tref was made for (<c>ref->type</c>); <see cref="PidType.Pid"/> for <see cref="None"/>.</summary>
    public PidType Type => (PidType)((uint)_typeAndNr >> NrBits);

    /// <summary>The pid number this tref was made for (<c>ref->pid</c>); 0 for <see cref="None"/>. It keeps the value after the task is gone.</summary>
    public int Nr => _typeAndNr & NrMask;

    /// <summary>The current count (<c>ref->count</c>): a snapshot. Saturates at <see cref="int.MaxValue"/>, after which the tref is never freed.</summary>
    public int RefCount => Volatile.Read(ref _count);

    /// <summary>
    /// A lock-free peek: is there a task behind this tref right now? Stale as soon as it returns: use it for a null
    /// test ("is the task gone?"), never as permission to dereference. False for <see cref="None"/>.
    /// </summary>
    public bool IsAlive => Volatile.Read(ref _entry) is not null;

    /// <summary>The table this tref belongs to; null for <see cref="None"/>.</summary>
    public TaskTable? Table => _table;

    /// <summary>
    /// The task this tref names (<c>tref->task</c>): the first task that holds the number, or null. The tasklist
    /// lock must be held while reading it and while using the task read: it keeps the task from exiting and
    /// being freed. To use the task after the lock, pin it (<see cref="TaskStruct.Get"/>) or use
    /// <see cref="GetTask"/>.
    /// </summary>
    /// <exception cref="TrefDisciplineException">
    /// <see cref="TaskTableOptions.CheckLocks"/> is on and the calling thread does not hold the table's lock
    /// (TG0002); or the tref's count already reached zero (TG0005).
    /// </exception>
    [GuardedBy("tasklist")]
    public TaskStruct? Task
    {
        get
        {
            TaskTable? table = _table;
            if (table is null)
            {
                return null;
            }

            if (table.CheckLocks && !LockTracker.Holds(table))
            {
                ThrowLockNotHeld();
            }

            if (Volatile.Read(ref _count) <= 0)
            {
                ThrowReleased("TaskRef.Task");
            }

            return Volatile.Read(ref _entry)?.First;
        }
    }

    internal PidEntry? Entry => Volatile.Read(ref _entry);

    /// <summary>Links in the table's list of live trefs (for OutstandingRefs); guarded by the write lock.</summary>
    internal TaskRef? LivePrevious { get; set; }

    /// <summary>Links in the table's list of live trefs (for OutstandingRefs); guarded by the write lock.</summary>
    internal TaskRef? LiveNext { get; set; }

    /// <summary>
    /// Takes another reference to this tref (the kernel's <c>tref_get</c>) without taking any lock. The caller
    /// owns the result and must <see cref="Put"/> it.
    /// </summary>
    /// <returns>This tref.</returns>
    /// <exception cref="TrefDisciplineException">The count already reached zero: the tref was released (TG0005).</exception>
    [AcquiresReference]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TaskRef Get()
    {
        // Inlined fast path: one uncontended CAS on a count that is neither released nor saturated.
        int count = Volatile.Read(ref _count);
        if ((uint)(count - 1) < int.MaxValue - 1 && Interlocked.CompareExchange(ref _count, count + 1, count) == count)
        {
            _table?.Leaks?.Record(this);
            return this;
        }

        return GetContended();
    }

    /// <summary>
    /// Releases a reference (the kernel's <c>tref_put</c>). When the count reaches zero the tref is unlinked from
    /// its pid under the table's write lock, so a concurrent lookup never hands it out again.
    /// </summary>
    /// <exception cref="TrefDisciplineException">
    /// The calling thread holds the tasklist lock (TG0006; the kernel's <c>might_sleep</c>, whichever tref it is);
    /// the count is already zero (TG0004); or this is <see cref="None"/> and would drop to zero (TG0004).
    /// </exception>
    [ReleasesReference]
    [ExcludesLock("tasklist")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put()
    {
        // Inlined fast path: not under the lock, not the last reference, not saturated: one CAS that can never
        // reach zero, so it needs no lock.
        int count = Volatile.Read(ref _count);
        if (!LockTracker.HoldsAny && (uint)(count - 2) < int.MaxValue - 2 &&
            Interlocked.CompareExchange(ref _count, count - 1, count) == count)
        {
            _table?.Leaks?.Release(this);
            return;
        }

        PutContended();
    }

    /// <summary>
    /// Pins and returns the task this tref names (the kernel's <c>get_tref_task</c>): takes the read lock, reads
    /// <see cref="Task"/> and raises its usage. The caller owns the task reference and must
    /// <see cref="TaskStruct.Put"/> it on every path.
    /// </summary>
    /// <returns>The pinned task, or null when the tref names no task.</returns>
    /// <exception cref="TrefDisciplineException">
    /// The calling thread holds the tasklist lock (TG0006); or the tref was released (TG0005).
    /// </exception>
    [AcquiresReference]
    [ExcludesLock("tasklist")]
    public TaskStruct? GetTask()
    {
        TaskTable? table = _table;
        if (table is null)
        {
            if (LockTracker.HoldsAny)
            {
                ThrowLockHeld("TaskRef.GetTask");
            }

            return null;
        }

        ThrowIfReleased("TaskRef.GetTask");
        return table.PinTask(this);
    }

    /// <summary>Describes the tref for diagnostics without taking the lock.</summary>
    /// <returns>For example <c>tref Pgid 42 (count 2, alive)</c>.</returns>
    public override string ToString() =>
        _table is null
            ? $"TaskRef.None (count {RefCount})"
            : $"tref {Type} {Nr} (count {RefCount}, {(IsAlive ? "alive" : "no task")})";

    /// <summary>Makes a fresh tref (count 1) name an entry; under the write lock, before anyone can see it.</summary>
    internal void Attach(PidEntry entry)
    {
        _typeAndNr = ((int)entry.Type << NrBits) | entry.Nr;
        _count = 1;
        Volatile.Write(ref _entry, entry);
    }

    /// <summary>The last user of the tref's number left: from now on it names nothing, forever.</summary>
    internal void Detach() => Volatile.Write(ref _entry, null);

    /// <summary>Count + 1, refusing zero; the caller holds the lock so zero means a bug, not a race.</summary>
    internal bool TryIncrement()
    {
        int count = Volatile.Read(ref _count);
        while (count != int.MaxValue)
        {
            if (count <= 0)
            {
                return false;
            }

            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return true;
    }

    /// <summary>The write-locked half of Put: decides between plain decrement and the 1 → 0 unlink.</summary>
    /// <returns>True when the count reached zero.</returns>
    internal bool DecrementLocked()
    {
        int count = Volatile.Read(ref _count);
        while (true)
        {
            if (count == int.MaxValue)
            {
                return false;
            }

            if (count <= 0)
            {
                throw Errors.PutBelowZero($"TaskRef.Put on {this}", count);
            }

            int seen = Interlocked.CompareExchange(ref _count, count - 1, count);
            if (seen == count)
            {
                return count == 1;
            }

            count = seen;
        }
    }

    internal void SetCountForTesting(int count) => Volatile.Write(ref _count, count);

    internal void ThrowIfReleased(string what)
    {
        if (Volatile.Read(ref _count) <= 0)
        {
            ThrowReleased(what);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLockHeld(string operation) => throw Errors.LockAlreadyHeld(operation);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLockNotHeld() => throw Errors.LockNotHeld("Reading TaskRef.Task");

    /// <summary>Kept out of line: the message's formatting would otherwise cost every hot-path call its stack setup.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowReleased(string what) =>
        throw Errors.UseAfterFree($"{what} on {this}, whose count already reached zero: the tref was released and may no longer be used.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TaskRef GetContended()
    {
        int count = Volatile.Read(ref _count);
        while (true)
        {
            // One unsigned compare catches both rare cases: released (<= 0) and saturated.
            if ((uint)(count - 1) >= int.MaxValue - 1)
            {
                if (count == int.MaxValue)
                {
                    break;
                }

                ThrowReleased("TaskRef.Get");
            }

            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                break;
            }

            count = seen;
        }

        _table?.Leaks?.Record(this);
        return this;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PutContended()
    {
        if (LockTracker.HoldsAny)
        {
            ThrowLockHeld("TaskRef.Put");
        }

        int count = Volatile.Read(ref _count);
        while (true)
        {
            if ((uint)(count - 2) >= int.MaxValue - 2)
            {
                PutRare(count);
                return;
            }

            int seen = Interlocked.CompareExchange(ref _count, count - 1, count);
            if (seen == count)
            {
                _table?.Leaks?.Release(this);
                return;
            }

            count = seen;
        }
    }

    /// <summary>The uncommon puts: saturated (nothing to do), already released, the last reference, or None's last.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PutRare(int count)
    {
        if (count == int.MaxValue)
        {
            return;
        }

        if (count <= 0)
        {
            throw Errors.PutBelowZero($"TaskRef.Put on {this}", count);
        }

        if (_table is null)
        {
            throw Errors.NoneToZero();
        }

        // Only the last reference needs the lock: dropping to zero must be atomic with unlinking.
        _table.PutLast(this);
    }
}
