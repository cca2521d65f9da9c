using System;
using TrefGuard.Annotations;

namespace TrefGuard;

/// <summary>
/// The kernel's task_ref functions that are not members of <see cref="TaskRef"/>: lookups
/// (<c>tref_get_by_task</c>, <c>tref_get_by_pid</c>), slot management (<c>tref_init</c>, <c>tref_set</c>,
/// <c>tref_reset</c>, <c>tref_fini</c>) and signalling (<c>kill_tref</c>).
/// </summary>
/// <remarks>
/// A slot is a <c>TaskRef?</c> field or local that always holds a counted reference while its owner lives:
/// <see cref="Init"/> in the constructor stores <see cref="TaskRef.None"/>, <see cref="Set"/> swaps in a fresh
/// reference, <see cref="Fini"/> in <c>Dispose</c> releases it and leaves null.
/// </remarks>
public static class Tref
{
    /// <summary>
    /// The tref for <paramref name="task"/>'s pid of <paramref name="type"/> (the kernel's <c>tref_get_by_task</c>):
    /// the existing one with its count raised, else a new one. It names the first task holding that number,
    /// which for a group may be another member than <paramref name="task"/>. A task that has exited (even if
    /// pinned) gives <see cref="TaskRef.None"/> with its count raised. The caller owns the result.
    /// </summary>
    /// <param name="task">A task of a table, live or exited but not freed.</param>
    /// <param name="type">Which of its pids.</param>
    /// <returns>An owned reference: put it, or store it with <see cref="Set"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined <see cref="PidType"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="task"/> was freed.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [AcquiresReference]
    [ExcludesLock("tasklist")]
    public static TaskRef GetByTask(TaskStruct task, PidType type)
    {
        ArgumentNullException.ThrowIfNull(task);
        TaskTable table = task.Table;
        table.ValidateTask(task, nameof(task));
        TaskTable.ValidateType(type, nameof(type));
        return table.Acquire(task, 0, type, "Tref.GetByTask");
    }

    /// <summary>
    /// The tref for pid number <paramref name="nr"/> of <paramref name="type"/> in <paramref name="table"/> (the
    /// kernel's <c>tref_get_by_pid</c>): the existing one with its count raised, else a new one, or
    /// <see cref="TaskRef.None"/> (count raised) when no task holds that number. The caller owns the result.
    /// </summary>
    /// <param name="table">The table to look in.</param>
    /// <param name="nr">The pid number, 0 .. PidMax-1.</param>
    /// <param name="type">Which kind of pid.</param>
    /// <returns>An owned reference: put it, or store it with <see cref="Set"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="table"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nr"/> or <paramref name="type"/> is out of range.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [AcquiresReference]
    [ExcludesLock("tasklist")]
    public static TaskRef GetByPid(TaskTable table, int nr, PidType type)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.ValidateNr(nr, nameof(nr));
        TaskTable.ValidateType(type, nameof(type));
        return table.Acquire(null, nr, type, "Tref.GetByPid");
    }

    /// <summary>
    /// Initializes a slot with a counted <see cref="TaskRef.None"/> (the kernel's <c>tref_init</c>). Like the
    /// kernel's, it does not release what the slot held: call it on a fresh slot, typically in a constructor.
    /// </summary>
    /// <param name="slot">The slot to initialize.</param>
    public static void Init([InitializesSlot] ref TaskRef? slot)
    {
        slot = TaskRef.None.Get();
    }

    /// <summary>
    /// Stores <paramref name="r"/> in an initialized slot, releasing the slot's old reference (the kernel's
    /// <c>tref_set</c>). The slot takes over the caller's reference to <paramref name="r"/>. When it throws,
    /// nothing changed and the caller still owns <paramref name="r"/>.
    /// </summary>
    /// <param name="slot">A slot initialized by <see cref="Init"/>.</param>
    /// <param name="r">An owned reference, typically fresh from <see cref="GetByTask"/> or <see cref="GetByPid"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    /// <exception cref="TrefDisciplineException">
    /// The slot is null, i.e. not initialized (TG0003); <paramref name="r"/> was already released (TG0005); or
    /// releasing the old reference broke a rule (TG0006 under the lock, TG0004).
    /// </exception>
    [ExcludesLock("tasklist")]
    public static void Set([RequiresInitializedSlot] ref TaskRef? slot, [TransfersOwnership] TaskRef r)
    {
        ArgumentNullException.ThrowIfNull(r);
        TaskRef old = slot ?? throw Errors.UninitializedSlot("Tref.Set");
        r.ThrowIfReleased("Tref.Set");
        old.Put();
        slot = r;
    }

    /// <summary>
    /// Releases an initialized slot's reference and stores a counted <see cref="TaskRef.None"/> (the kernel's
    /// <c>tref_reset</c>). When it throws, nothing changed.
    /// </summary>
    /// <param name="slot">A slot initialized by <see cref="Init"/>.</param>
    /// <exception cref="TrefDisciplineException">
    /// The slot is null (TG0003); or releasing its reference broke a rule (TG0006 under the lock, TG0004).
    /// </exception>
    [ExcludesLock("tasklist")]
    public static void Reset([RequiresInitializedSlot] ref TaskRef? slot)
    {
        TaskRef old = slot ?? throw Errors.UninitializedSlot("Tref.Reset");
        old.Put();
        slot = TaskRef.None.Get();
    }

    /// <summary>
    /// Releases an initialized slot's reference and leaves the slot null (the kernel's <c>tref_fini</c>), for a
    /// destructor or <c>Dispose</c>. When it throws, nothing changed.
    /// </summary>
    /// <param name="slot">A slot initialized by <see cref="Init"/>.</param>
    /// <exception cref="TrefDisciplineException">
    /// The slot is null: never initialized or already finalized (TG0003); or releasing its reference broke a
    /// rule (TG0006 under the lock, TG0004).
    /// </exception>
    [ExcludesLock("tasklist")]
    public static void Fini([FinalizesSlot] ref TaskRef? slot)
    {
        TaskRef old = slot ?? throw Errors.UninitializedSlot("Tref.Fini");
        old.Put();
        slot = null;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every task the tref's pid names, each once (the RFC's <c>kill_tref</c>):
    /// for <see cref="PidType.Pid"/> the one task, for <see cref="PidType.Tgid"/> every thread, for
    /// <see cref="PidType.Pgid"/> and <see cref="PidType.Sid"/> every member. Takes the read lock. Never reaches
    /// a task that got the number after the tref's users left.
    /// </summary>
    /// <param name="r">The tref (borrowed).</param>
    /// <param name="signal">1 .. 64, or 0 to only count the tasks that would receive one.</param>
    /// <returns>How many tasks were signalled; 0 when the tref names no task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is out of range.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006); or <paramref name="r"/> was released (TG0005).</exception>
    [ExcludesLock("tasklist")]
    public static int Kill(TaskRef r, int signal)
    {
        ArgumentNullException.ThrowIfNull(r);
        TaskTable.ValidateSignal(signal, nameof(signal));
        r.ThrowIfReleased("Tref.Kill");
        TaskTable? table = r.Table;
        if (table is null)
        {
            if (LockTracker.HoldsAny)
            {
                throw Errors.LockAlreadyHeld("Tref.Kill");
            }

            return 0;
        }

        long sequence = table.EnterRead("Tref.Kill", checkAny: true);
        try
        {
            return TaskTable.SignalLocked(r, signal);
        }
        finally
        {
            table.Release(sequence);
        }
    }

    /// <summary>
    /// <see cref="Kill"/> for a caller that already holds the tref's table lock (the F_SETOWN client's
    /// <c>send_sigio</c>, which walks the ref's group under <c>tasklist_lock</c>).
    /// </summary>
    /// <param name="r">The tref (borrowed).</param>
    /// <param name="signal">1 .. 64, or 0 to only count.</param>
    /// <returns>How many tasks were signalled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is out of range.</exception>
    /// <exception cref="TrefDisciplineException">Lock checks are on and the lock is not held (TG0002); or <paramref name="r"/> was released (TG0005).</exception>
    [RequiresLock("tasklist")]
    public static int KillLocked(TaskRef r, int signal)
    {
        ArgumentNullException.ThrowIfNull(r);
        TaskTable.ValidateSignal(signal, nameof(signal));
        TaskTable? table = r.Table;
        if (table is null)
        {
            return 0;
        }

        if (table.CheckLocks && !LockTracker.Holds(table))
        {
            throw Errors.LockNotHeld("Tref.KillLocked");
        }

        r.ThrowIfReleased("Tref.KillLocked");
        return TaskTable.SignalLocked(r, signal);
    }
}
