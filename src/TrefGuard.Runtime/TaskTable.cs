using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using TrefGuard.Annotations;

namespace TrefGuard;

/// <summary>
/// A table of tasks: the kernel's pid hash, pid allocator (<c>pidmap</c>) and <c>tasklist_lock</c> together.
/// Spawns, regroups and exits tasks, and owns the lock that guards every <see cref="TaskRef.Task"/>.
/// </summary>
/// <remarks>
/// <para>
/// The lock (named <c>"tasklist"</c> in the annotations) is a reader-writer lock that does not recurse. Methods
/// that take it themselves are marked <c>[ExcludesLock("tasklist")]</c>: called by a thread that holds any
/// table's lock they throw <see cref="TrefDisciplineException"/> (TG0006) instead of deadlocking, like the
/// kernel's <c>might_sleep</c> under a spinlock.
/// </para>
/// <para>Every member is safe to call from any thread.</para>
/// </remarks>
public sealed class TaskTable
{
    private const int MaxSignal = 64;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    /// <summary>The pid hash: one dictionary per type, number → hashed entry. Guarded by the lock.</summary>
    private readonly Dictionary<int, PidEntry>[] _hash;

    /// <summary>How many hashed entries of any type use each number (the kernel's pidmap bit is "nonzero").</summary>
    private readonly int[] _numberUsers;

    /// <summary>Exited tasks still pinned, so OutstandingRefs can find them; removed when freed.</summary>
    private readonly ConcurrentDictionary<TaskStruct, byte> _pinnedExited = new();

    private int _lastPid;
    private int _liveTasks;
    private TaskRef? _liveRefs;
    private int _liveRefCount;

    /// <summary>Creates a table with the default options (pid_max 32768, 300 reserved pids, 8 KiB stacks, lock checks on).</summary>
    public TaskTable()
        : this(new TaskTableOptions())
    {
    }

    /// <summary>Creates a table with the given options, which are validated and copied.</summary>
    /// <param name="options">The settings; see <see cref="TaskTableOptions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names the property.</exception>
    public TaskTable(TaskTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int pidMax = options.PidMax;
        int reserved = options.ReservedPids;
        int stackSize = options.StackSize;
        if (pidMax < 2 || pidMax > TaskTableOptions.PidMaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options.PidMax), pidMax, $"PidMax must be in 2 .. {TaskTableOptions.PidMaxLimit} (pid 1 .. PidMax-1 are handed out).");
        }

        if (reserved < 1 || reserved >= pidMax)
        {
            throw new ArgumentOutOfRangeException(nameof(options.ReservedPids), reserved, "ReservedPids must be in 1 .. PidMax-1.");
        }

        if (stackSize < 1 || stackSize > TaskTableOptions.MaxStackSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options.StackSize), stackSize, $"StackSize must be in 1 .. {TaskTableOptions.MaxStackSize}.");
        }

        PidMax = pidMax;
        ReservedPids = reserved;
        StackSize = stackSize;
        CheckLocks = options.CheckLocks;
        TrackLeaks = options.TrackLeaks;
        Leaks = options.TrackLeaks ? new LeakTracker() : null;
        _numberUsers = new int[pidMax];
        _hash = new Dictionary<int, PidEntry>[4];
        for (int i = 0; i < _hash.Length; i++)
        {
            _hash[i] = new Dictionary<int, PidEntry>();
        }
    }

    /// <summary>One more than the largest pid handed out (the kernel's <c>pid_max</c>).</summary>
    public int PidMax { get; }

    /// <summary>Where allocation restarts after reaching <see cref="PidMax"/> (the kernel's <c>RESERVED_PIDS</c>).</summary>
    public int ReservedPids { get; }

    /// <summary>The size in bytes of each task's stack (the kernel's <c>THREAD_SIZE</c>).</summary>
    public int StackSize { get; }

    /// <summary>Whether guarded reads and <c>[RequiresLock]</c> calls check that the lock is held (TG0002).</summary>
    public bool CheckLocks { get; }

    /// <summary>Whether acquisitions record their call sites for <see cref="OutstandingRefs"/>.</summary>
    public bool TrackLeaks { get; }

    /// <summary>How many tasks have been spawned and not yet exited (the kernel's <c>nr_threads</c>).</summary>
    public int LiveTasks => Volatile.Read(ref _liveTasks);

    /// <summary>True when the calling thread holds this table's lock, for reading or writing (lockdep's view).</summary>
    public bool IsLockHeld => LockTracker.Holds(this);

    /// <summary>True when the calling thread holds this table's lock for writing.</summary>
    public bool IsWriteLockHeld => LockTracker.HoldsWrite(this);

    /// <summary>
    /// Every tref of this table with a nonzero count and every task pinned beyond the table's own references:
    /// what is still owned. With <see cref="TaskTableOptions.TrackLeaks"/> each entry lists where its references
    /// were taken. A test that balanced every acquisition ends with this empty. Excludes
    /// <see cref="TaskRef.None"/>, which belongs to no table. May be read with or without the lock held.
    /// </summary>
    public IReadOnlyList<OutstandingReference> OutstandingRefs
    {
        get
        {
            bool held = LockTracker.Holds(this);
            long sequence = held ? 0 : EnterRead("TaskTable.OutstandingRefs", checkAny: false);
            try
            {
                var result = new List<OutstandingReference>();
                for (TaskRef? r = _liveRefs; r is not null; r = r.LiveNext)
                {
                    int count = r.RefCount;
                    if (count > 0)
                    {
                        result.Add(new OutstandingReference(r, null, count, SitesOf(r)));
                    }
                }

                foreach (PidEntry entry in _hash[(int)PidType.Pid].Values)
                {
                    TaskStruct task = entry.First!;
                    int pins = task.Usage - 2;
                    if (pins > 0 && !task.HasExited)
                    {
                        result.Add(new OutstandingReference(null, task, pins, SitesOf(task)));
                    }
                }

                foreach (TaskStruct task in _pinnedExited.Keys)
                {
                    int pins = task.Usage;
                    if (pins > 0)
                    {
                        result.Add(new OutstandingReference(null, task, pins, SitesOf(task)));
                    }
                }

                return result.AsReadOnly();
            }
            finally
            {
                if (!held)
                {
                    Release(sequence);
                }
            }
        }
    }

    internal LeakTracker? Leaks { get; }

    /// <summary>
    /// Test hook standing in for <c>kmalloc</c> failing in <c>tref_get_by_task</c>: when it returns true, a
    /// lookup that would allocate a new tref returns <see cref="TaskRef.None"/> instead.
    /// </summary>
    internal Func<bool>? AllocationFailureHook { get; set; }

    /// <summary>
    /// Test hook run by a Put that may drop the last reference, before it takes the write lock: where the seed's
    /// tref_put had already decremented to zero, so a test can park it there and race a lookup against it.
    /// </summary>
    internal Action<TaskRef>? BeforeLastPutLocks { get; set; }

    /// <summary>The number of trefs with a nonzero count still linked to this table (for invariant checks).</summary>
    internal int LiveRefCount => Volatile.Read(ref _liveRefCount);

    /// <summary>
    /// Takes the lock for reading (the kernel's <c>read_lock(&amp;tasklist_lock)</c>): many readers may hold it
    /// at once. Use with <c>using var guard = table.ReadLock();</c>; disposing the guard releases it.
    /// </summary>
    /// <returns>The guard that holds the lock until disposed.</returns>
    /// <exception cref="TrefDisciplineException">The calling thread already holds this table's lock (TG0006).</exception>
    [AcquiresLock("tasklist")]
    [ExcludesLock("tasklist")] // the lock does not recurse: taking it again deadlocks, so the analyzer says TG0006
    public TasklistReadGuard ReadLock() => new(this, EnterRead("TaskTable.ReadLock", checkAny: false));

    /// <summary>
    /// Takes the lock for writing (the kernel's <c>write_lock_irq(&amp;tasklist_lock)</c>): excludes every other
    /// reader and writer. Use with <c>using var guard = table.WriteLock();</c>.
    /// </summary>
    /// <returns>The guard that holds the lock until disposed.</returns>
    /// <exception cref="TrefDisciplineException">The calling thread already holds this table's lock (TG0006).</exception>
    [AcquiresLock("tasklist")]
    [ExcludesLock("tasklist")]
    public TasklistWriteGuard WriteLock() => new(this, EnterWrite("TaskTable.WriteLock", checkAny: false));

    /// <summary>
    /// Throws unless the calling thread holds this table's lock (the kernel's <c>lockdep_assert_held</c>).
    /// Checked whatever <see cref="CheckLocks"/> says; afterwards the analyzer counts the lock as held.
    /// </summary>
    /// <exception cref="TrefDisciplineException">The lock is not held by the calling thread (TG0002).</exception>
    [AssertsLock("tasklist")]
    public void AssertLockHeld()
    {
        if (!LockTracker.Holds(this))
        {
            throw Errors.LockNotHeld("TaskTable.AssertLockHeld");
        }
    }

    /// <summary>
    /// The first task that holds <paramref name="nr"/> as a pid of <paramref name="type"/> (the kernel's
    /// <c>find_task_by_pid_type</c>), or null. The lock must be held while calling it and while using the result.
    /// </summary>
    /// <param name="nr">The pid number, 0 .. <see cref="PidMax"/>-1 (0 is never in use).</param>
    /// <param name="type">Which kind of pid.</param>
    /// <returns>The first holder in join order, or null.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nr"/> or <paramref name="type"/> is out of range.</exception>
    /// <exception cref="TrefDisciplineException">Lock checks are on and the lock is not held (TG0002).</exception>
    [RequiresLock("tasklist")]
    public TaskStruct? FindTask(int nr, PidType type)
    {
        ValidateNr(nr, nameof(nr));
        ValidateType(type, nameof(type));
        if (CheckLocks && !LockTracker.Holds(this))
        {
            throw Errors.LockNotHeld("TaskTable.FindTask");
        }

        return Lookup(type, nr)?.First;
    }

    /// <summary>
    /// Creates a task (the kernel's <c>fork</c>: <c>dup_task_struct</c>, <c>alloc_pidmap</c>, <c>attach_pid</c>).
    /// Without a parent it leads a new session and process group (pgid = sid = pid); with one it joins the
    /// parent's group and session. The table owns the returned task until <see cref="Exit"/>; to keep using it
    /// after that, pin it with <see cref="TaskStruct.Get"/>.
    /// </summary>
    /// <param name="name">The task's name.</param>
    /// <param name="parent">The forking task, or null.</param>
    /// <returns>The new live task, borrowed from the table.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parent"/> belongs to another table or has exited.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="parent"/> was freed.</exception>
    /// <exception cref="InvalidOperationException">Every pid is in use (the kernel's <c>-EAGAIN</c>); nothing changed.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [ExcludesLock("tasklist")]
    public TaskStruct Spawn(string name, TaskStruct? parent = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (parent is not null)
        {
            ValidateTask(parent, nameof(parent));
        }

        // dup_task_struct allocates before taking the lock.
        byte[] stack = new byte[StackSize];
        long sequence = EnterWrite("TaskTable.Spawn", checkAny: true);
        try
        {
            if (parent is not null && parent.HasExited)
            {
                throw new ArgumentException("The parent has exited: an exited task cannot fork.", nameof(parent));
            }

            int pid = AllocatePid();
            var task = new TaskStruct(this, name, pid, pid, stack);
            Join(task, CreateEntry(PidType.Pid, pid));
            Join(task, CreateEntry(PidType.Tgid, pid));
            if (parent is null)
            {
                Join(task, CreateEntry(PidType.Pgid, pid));
                Join(task, CreateEntry(PidType.Sid, pid));
                task.PgidValue = pid;
                task.SidValue = pid;
            }
            else
            {
                Join(task, parent.Entries[(int)PidType.Pgid]!);
                Join(task, parent.Entries[(int)PidType.Sid]!);
                task.PgidValue = parent.PgidValue;
                task.SidValue = parent.SidValue;
            }

            _lastPid = pid;
            _liveTasks++;
            return task;
        }
        finally
        {
            Release(sequence);
        }
    }

    /// <summary>
    /// Creates a thread in <paramref name="leader"/>'s thread group (the kernel's <c>clone(CLONE_THREAD)</c>):
    /// it gets its own pid and shares the group's tgid, process group and session. The table owns the result.
    /// </summary>
    /// <param name="leader">A live task of the thread group to join (usually its leader).</param>
    /// <param name="name">The thread's name.</param>
    /// <returns>The new live thread, borrowed from the table.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="leader"/> belongs to another table or has exited.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="leader"/> was freed.</exception>
    /// <exception cref="InvalidOperationException">Every pid is in use; nothing changed.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [ExcludesLock("tasklist")]
    public TaskStruct SpawnThread(TaskStruct leader, string name)
    {
        ValidateTask(leader, nameof(leader));
        ArgumentNullException.ThrowIfNull(name);
        byte[] stack = new byte[StackSize];
        long sequence = EnterWrite("TaskTable.SpawnThread", checkAny: true);
        try
        {
            if (leader.HasExited)
            {
                throw new ArgumentException("The task has exited: no thread can join it.", nameof(leader));
            }

            int pid = AllocatePid();
            var task = new TaskStruct(this, name, pid, leader.TgidValue, stack);
            Join(task, CreateEntry(PidType.Pid, pid));
            Join(task, leader.Entries[(int)PidType.Tgid]!);
            Join(task, leader.Entries[(int)PidType.Pgid]!);
            Join(task, leader.Entries[(int)PidType.Sid]!);
            task.PgidValue = leader.PgidValue;
            task.SidValue = leader.SidValue;
            _lastPid = pid;
            _liveTasks++;
            return task;
        }
        finally
        {
            Release(sequence);
        }
    }

    /// <summary>
    /// Moves <paramref name="task"/>'s process (all threads of its thread group) into process group
    /// <paramref name="pgid"/> (the kernel's <c>sys_setpgid</c>), with POSIX's rules: 0 means the process's own
    /// id; the process's own id creates (or rejoins) the group it leads; any other group must exist in the
    /// same session. Trefs of the old group move on to its next member, or go null with its last.
    /// </summary>
    /// <param name="task">A live task of the process to move.</param>
    /// <param name="pgid">The target group, 0 .. <see cref="PidMax"/>-1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pgid"/> is negative or not below <see cref="PidMax"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="task"/> belongs to another table or has exited; or no group <paramref name="pgid"/> exists
    /// (<c>-EPERM</c> in POSIX).
    /// </exception>
    /// <exception cref="ObjectDisposedException"><paramref name="task"/> was freed.</exception>
    /// <exception cref="InvalidOperationException">
    /// The process leads its session, or the group belongs to another session (<c>-EPERM</c>); nothing changed.
    /// </exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [ExcludesLock("tasklist")]
    public void SetPgid(TaskStruct task, int pgid)
    {
        ValidateTask(task, nameof(task));
        ValidateNr(pgid, nameof(pgid));
        long sequence = EnterWrite("TaskTable.SetPgid", checkAny: true);
        try
        {
            ThrowIfExited(task, nameof(task));
            int process = task.TgidValue;
            if (pgid == 0)
            {
                pgid = process;
            }

            if (task.SidValue == process)
            {
                throw new InvalidOperationException($"Process {process} leads its session, so its process group cannot change (setpgid: EPERM).");
            }

            if (task.PgidValue == pgid)
            {
                return;
            }

            PidEntry? target = Lookup(PidType.Pgid, pgid);
            if (target is not null)
            {
                if (target.First!.SidValue != task.SidValue)
                {
                    throw new InvalidOperationException($"Process group {pgid} belongs to session {target.First.SidValue}, not to process {process}'s session {task.SidValue} (setpgid: EPERM).");
                }
            }
            else if (pgid != process)
            {
                throw new ArgumentException($"There is no process group {pgid}; only the process's own id ({process}) may start a new group (setpgid: EPERM).", nameof(pgid));
            }
            else
            {
                target = CreateEntry(PidType.Pgid, pgid);
            }

            foreach (TaskStruct thread in task.Entries[(int)PidType.Tgid]!.Members)
            {
                Leave(thread, PidType.Pgid);
                Join(thread, target);
                thread.PgidValue = pgid;
            }
        }
        finally
        {
            Release(sequence);
        }
    }

    /// <summary>
    /// Makes <paramref name="task"/>'s process the leader of a new session and of a new process group, both
    /// numbered with its id (the kernel's <c>sys_setsid</c>). Trefs of the old group and session move on to
    /// their next member, or go null with their last.
    /// </summary>
    /// <param name="task">A live task of the process.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="task"/> belongs to another table or has exited.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="task"/> was freed.</exception>
    /// <exception cref="InvalidOperationException">
    /// A process group with the process's id exists, e.g. the process leads its group (setsid: <c>-EPERM</c>);
    /// nothing changed.
    /// </exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [ExcludesLock("tasklist")]
    public void SetSid(TaskStruct task)
    {
        ValidateTask(task, nameof(task));
        long sequence = EnterWrite("TaskTable.SetSid", checkAny: true);
        try
        {
            ThrowIfExited(task, nameof(task));
            int process = task.TgidValue;
            if (Lookup(PidType.Pgid, process) is not null || Lookup(PidType.Sid, process) is not null)
            {
                throw new InvalidOperationException($"Process {process} leads a process group (a group numbered {process} exists), so it cannot start a session (setsid: EPERM).");
            }

            PidEntry group = CreateEntry(PidType.Pgid, process);
            PidEntry session = CreateEntry(PidType.Sid, process);
            foreach (TaskStruct thread in task.Entries[(int)PidType.Tgid]!.Members)
            {
                Leave(thread, PidType.Pgid);
                Leave(thread, PidType.Sid);
                Join(thread, group);
                Join(thread, session);
                thread.PgidValue = process;
                thread.SidValue = process;
            }
        }
        finally
        {
            Release(sequence);
        }
    }

    /// <summary>
    /// Ends a task (the kernel's <c>do_exit</c> + <c>release_task</c>: <c>detach_pid</c> for every type). Each of
    /// its pids passes to the next holder in join order, or is freed with its trefs going null; the table drops
    /// its two references, so an unpinned task is freed at once.
    /// </summary>
    /// <param name="task">A live task of this table.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="task"/> belongs to another table or already exited.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="task"/> was freed.</exception>
    /// <exception cref="TrefDisciplineException">The calling thread holds a tasklist lock (TG0006).</exception>
    [ExcludesLock("tasklist")]
    public void Exit(TaskStruct task)
    {
        ValidateTask(task, nameof(task));
        long sequence = EnterWrite("TaskTable.Exit", checkAny: true);
        try
        {
            ThrowIfExited(task, nameof(task));
            Leave(task, PidType.Pid);
            Leave(task, PidType.Tgid);
            Leave(task, PidType.Pgid);
            Leave(task, PidType.Sid);
            _liveTasks--;

            // Registered while the table's references still hold it, so a concurrent last Put cannot free it
            // before it is listed and leave a stale entry behind.
            _pinnedExited.TryAdd(task, 0);
            task.DropTableReferences();
        }
        finally
        {
            Release(sequence);
        }
    }

    /// <summary>Describes the table for diagnostics.</summary>
    /// <returns>For example <c>TaskTable (pid_max 512, 3 live tasks, 2 trefs)</c>.</returns>
    public override string ToString() => $"TaskTable (pid_max {PidMax}, {LiveTasks} live tasks, {LiveRefCount} trefs)";

    internal long EnterRead(string operation, bool checkAny)
    {
        if (checkAny ? LockTracker.HoldsAny : LockTracker.Holds(this))
        {
            throw Errors.LockAlreadyHeld(operation);
        }

        _lock.EnterReadLock();
        return LockTracker.Push(this, write: false);
    }

    internal long EnterWrite(string operation, bool checkAny)
    {
        if (checkAny ? LockTracker.HoldsAny : LockTracker.Holds(this))
        {
            throw Errors.LockAlreadyHeld(operation);
        }

        _lock.EnterWriteLock();
        return LockTracker.Push(this, write: true);
    }

    /// <summary>Releases the acquisition <paramref name="sequence"/> if this thread still holds it, so guards' Dispose is idempotent.</summary>
    internal void Release(long sequence)
    {
        if (LockTracker.TryRemove(this, sequence, out bool write))
        {
            if (write)
            {
                _lock.ExitWriteLock();
            }
            else
            {
                _lock.ExitReadLock();
            }
        }
    }

    internal void ValidateTask(TaskStruct? task, string paramName)
    {
        if (task is null)
        {
            throw new ArgumentNullException(paramName);
        }

        if (!ReferenceEquals(task.Table, this))
        {
            throw Errors.OtherTable(paramName);
        }

        if (task.IsFreed)
        {
            throw Errors.FreedArgument(paramName);
        }
    }

    internal void ValidateNr(int nr, string paramName)
    {
        if (nr < 0 || nr >= PidMax)
        {
            throw new ArgumentOutOfRangeException(paramName, nr, $"A pid number must be in 0 .. {PidMax - 1} (below pid_max).");
        }
    }

    internal static void ValidateType(PidType type, string paramName)
    {
        if ((uint)type > (uint)PidType.Sid)
        {
            throw Errors.BadType(type, paramName);
        }
    }

    /// <summary>
    /// tref_get_by_task / tref_get_by_pid: the entry's existing tref (count + 1) under the read lock, else a new one
    /// linked under the write lock. The tref hangs off the hashed entry, so it names the entry's first member
    /// whichever member it was asked through.
    /// </summary>
    internal TaskRef Acquire(TaskStruct? task, int nr, PidType type, string operation)
    {
        TaskRef? found = null;
        long sequence = EnterRead(operation, checkAny: true);
        try
        {
            PidEntry? entry = Locate(task, nr, type);
            if (entry is null)
            {
                return TaskRef.None.Get();
            }

            TaskRef? existing = entry.Ref;
            if (existing is not null && existing.TryIncrement())
            {
                found = existing;
            }
        }
        finally
        {
            Release(sequence);
        }

        if (found is null)
        {
            if (AllocationFailureHook?.Invoke() == true)
            {
                // tref_get_by_task when kmalloc fails: the caller gets init_tref, nothing is left behind.
                return TaskRef.None.Get();
            }

            var fresh = new TaskRef(this);
            sequence = EnterWrite(operation, checkAny: true);
            try
            {
                // Re-read: the task may have exited or changed group while no lock was held.
                PidEntry? entry = Locate(task, nr, type);
                if (entry is null)
                {
                    return TaskRef.None.Get();
                }

                TaskRef? existing = entry.Ref;
                if (existing is not null && existing.TryIncrement())
                {
                    found = existing;
                }
                else
                {
                    fresh.Attach(entry);
                    entry.Ref = fresh;
                    LinkLive(fresh);
                    found = fresh;
                }
            }
            finally
            {
                Release(sequence);
            }
        }

        Leaks?.Record(found);
        return found;
    }

    /// <summary>get_tref_task: read the tref's task under the read lock and pin it before the lock goes.</summary>
    internal TaskStruct? PinTask(TaskRef tref)
    {
        TaskStruct? task;
        long sequence = EnterRead("TaskRef.GetTask", checkAny: true);
        try
        {
            task = tref.Entry?.First;
            task?.PinLive();
        }
        finally
        {
            Release(sequence);
        }

        if (task is not null)
        {
            Leaks?.Record(task);
        }

        return task;
    }

    /// <summary>The last reference may be going: decrement and unlink atomically under the write lock.</summary>
    internal void PutLast(TaskRef tref)
    {
        bool freed;
        BeforeLastPutLocks?.Invoke(tref);
        long sequence = EnterWrite("TaskRef.Put", checkAny: true);
        try
        {
            freed = tref.DecrementLocked();
            if (freed)
            {
                PidEntry? entry = tref.Entry;
                if (entry is not null && ReferenceEquals(entry.Ref, tref))
                {
                    entry.Ref = null;
                }

                tref.Detach();
                UnlinkLive(tref);
            }
        }
        finally
        {
            Release(sequence);
        }

        if (freed)
        {
            Leaks?.Forget(tref);
        }
        else
        {
            Leaks?.Release(tref);
        }
    }

    /// <summary>kill_tref's walk: every task of the tref's entry once; the caller holds the lock.</summary>
    internal static int SignalLocked(TaskRef tref, int signal)
    {
        PidEntry? entry = tref.Entry;
        if (entry is null)
        {
            return 0;
        }

        List<TaskStruct> members = entry.Members;
        if (signal != 0)
        {
            foreach (TaskStruct member in members)
            {
                member.Deliver(signal);
            }
        }

        return members.Count;
    }

    internal static void ValidateSignal(int signal, string paramName)
    {
        if (signal < 0 || signal > MaxSignal)
        {
            throw new ArgumentOutOfRangeException(paramName, signal, $"A signal number must be in 0 .. {MaxSignal} (0 only tests for existence).");
        }
    }

    internal void OnTaskFreed(TaskStruct task)
    {
        _pinnedExited.TryRemove(task, out _);
        Leaks?.Forget(task);
    }

    /// <summary>
    /// Checks the table's structure and returns every inconsistency found (empty when sound): the tests' oracle
    /// after concurrent runs. Takes the write lock, so nothing moves while it looks.
    /// </summary>
    internal IReadOnlyList<string> FindInvariantViolations()
    {
        var problems = new List<string>();
        long sequence = EnterWrite("TaskTable.FindInvariantViolations", checkAny: true);
        try
        {
            var users = new int[PidMax];
            for (int type = 0; type < _hash.Length; type++)
            {
                foreach ((int nr, PidEntry entry) in _hash[type])
                {
                    users[nr]++;
                    if (entry.Nr != nr || (int)entry.Type != type)
                    {
                        problems.Add($"entry {entry.Type} {entry.Nr} hashed as {(PidType)type} {nr}");
                    }

                    if (entry.Members.Count == 0 || !ReferenceEquals(entry.First, entry.Members[0]))
                    {
                        problems.Add($"entry {entry.Type} {nr}: empty, or First is not the first member");
                    }

                    if ((PidType)type == PidType.Pid && entry.Members.Count != 1)
                    {
                        problems.Add($"pid {nr} has {entry.Members.Count} holders");
                    }

                    foreach (TaskStruct member in entry.Members)
                    {
                        if (member.HasExited || !ReferenceEquals(member.Entries[type], entry))
                        {
                            problems.Add($"entry {entry.Type} {nr}: member {member} exited or points elsewhere");
                        }

                        int expected = (PidType)type switch
                        {
                            PidType.Pid => member.PidValue,
                            PidType.Tgid => member.TgidValue,
                            PidType.Pgid => member.PgidValue,
                            _ => member.SidValue,
                        };
                        if (expected != nr)
                        {
                            problems.Add($"entry {entry.Type} {nr}: member {member} has {entry.Type} {expected}");
                        }
                    }

                    if (entry.Ref is { } tref)
                    {
                        if (!ReferenceEquals(tref.Entry, entry) || tref.RefCount <= 0 || tref.Type != entry.Type || tref.Nr != nr)
                        {
                            problems.Add($"entry {entry.Type} {nr}: its tref {tref} does not point back, or is released");
                        }
                    }
                }
            }

            for (int nr = 0; nr < PidMax; nr++)
            {
                if (users[nr] != _numberUsers[nr])
                {
                    problems.Add($"number {nr}: {_numberUsers[nr]} users recorded, {users[nr]} hashed");
                }
            }

            if (_hash[(int)PidType.Pid].Count != _liveTasks)
            {
                problems.Add($"{_liveTasks} live tasks recorded, {_hash[(int)PidType.Pid].Count} pids hashed");
            }

            int linked = 0;
            for (TaskRef? r = _liveRefs; r is not null; r = r.LiveNext)
            {
                linked++;
                if (r.RefCount <= 0)
                {
                    problems.Add($"released {r} still listed as live");
                }

                if (r.Entry is { } entry && !ReferenceEquals(entry.Ref, r))
                {
                    problems.Add($"{r} points at an entry that does not own it");
                }

                if (r.Entry is { } e2 && !ReferenceEquals(Lookup(e2.Type, e2.Nr), e2))
                {
                    problems.Add($"{r} points at an unhashed entry");
                }
            }

            if (linked != _liveRefCount)
            {
                problems.Add($"{_liveRefCount} live trefs recorded, {linked} linked");
            }
        }
        finally
        {
            Release(sequence);
        }

        return problems;
    }

    private static void ThrowIfExited(TaskStruct task, string paramName)
    {
        if (task.HasExited)
        {
            throw new ArgumentException($"Task {task.PidValue} has exited (ESRCH).", paramName);
        }
    }

    private static void Join(TaskStruct task, PidEntry entry)
    {
        entry.Add(task);
        task.Entries[(int)entry.Type] = entry;
    }

    private IReadOnlyList<string> SitesOf(object target) => Leaks?.SitesOf(target) ?? Array.Empty<string>();

    private PidEntry? Lookup(PidType type, int nr) =>
        _hash[(int)type].TryGetValue(nr, out PidEntry? entry) ? entry : null;

    private PidEntry? Locate(TaskStruct? task, int nr, PidType type)
    {
        if (task is null)
        {
            return nr == 0 ? null : Lookup(type, nr);
        }

        // An exited task holds no pid, even while it is pinned (semantic 3).
        return task.HasExited ? null : task.Entries[(int)type];
    }

    private PidEntry CreateEntry(PidType type, int nr)
    {
        var entry = new PidEntry(type, nr);
        _hash[(int)type].Add(nr, entry);
        _numberUsers[nr]++;
        return entry;
    }

    /// <summary>detach_pid for one type, with the seed's hand-over done right: the tref follows the first member.</summary>
    private void Leave(TaskStruct task, PidType type)
    {
        PidEntry entry = task.Entries[(int)type]!;
        task.Entries[(int)type] = null;
        if (entry.Remove(task))
        {
            _hash[(int)type].Remove(entry.Nr);
            _numberUsers[entry.Nr]--;
            if (entry.Ref is { } tref)
            {
                tref.Detach();
                entry.Ref = null;
            }
        }
    }

    /// <summary>
    /// alloc_pidmap: the next number after the last one handed out whose every pid type is free, wrapping from
    /// pid_max back to RESERVED_PIDS. Changes nothing when the table is full.
    /// </summary>
    private int AllocatePid()
    {
        int candidate = _lastPid + 1;
        for (int scanned = 0; scanned < PidMax; scanned++)
        {
            if (candidate >= PidMax)
            {
                candidate = ReservedPids;
            }

            if (_numberUsers[candidate] == 0)
            {
                return candidate;
            }

            candidate++;
        }

        throw new InvalidOperationException($"No free pid: all of {ReservedPids} .. {PidMax - 1} are in use by some task, group or session (fork: EAGAIN).");
    }

    private void LinkLive(TaskRef tref)
    {
        tref.LiveNext = _liveRefs;
        if (_liveRefs is not null)
        {
            _liveRefs.LivePrevious = tref;
        }

        _liveRefs = tref;
        _liveRefCount++;
    }

    private void UnlinkLive(TaskRef tref)
    {
        if (tref.LivePrevious is null)
        {
            _liveRefs = tref.LiveNext;
        }
        else
        {
            tref.LivePrevious.LiveNext = tref.LiveNext;
        }

        if (tref.LiveNext is not null)
        {
            tref.LiveNext.LivePrevious = tref.LivePrevious;
        }

        tref.LivePrevious = null;
        tref.LiveNext = null;
        _liveRefCount--;
    }
}
