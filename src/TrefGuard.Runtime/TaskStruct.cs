using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using TrefGuard.Annotations;

namespace TrefGuard;

/// <summary>
/// A task of a <see cref="TaskTable"/>, the kernel's <c>task_struct</c>: its pids, its name, its stack (a real
/// <c>byte[]</c> of <see cref="TaskTableOptions.StackSize"/>, the kernel's <c>THREAD_SIZE</c>) and a usage count.
/// </summary>
/// <remarks>
/// <para>
/// A task returned by <see cref="TaskTable.Spawn"/> is owned by the table (usage 2, as <c>dup_task_struct</c>
/// sets it: one reference for the running task, one for whoever calls <c>release_task</c>).
/// <see cref="TaskTable.Exit"/> drops both, so a caller that uses a task past its exit pins it with
/// <see cref="Get"/> (or obtains it from <see cref="TaskRef.GetTask"/>) and later calls <see cref="Put"/>.
/// </para>
/// <para>
/// When the usage of an exited task reaches zero the task is freed: its stack is released, and reading its
/// pids or name, <see cref="Get"/>, <see cref="Put"/> and <see cref="TakePendingSignals"/> throw
/// <see cref="TrefDisciplineException"/> (TG0005); table methods given it throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class TaskStruct
{
    /// <summary>Set while the task runs: the table's two references are counted in the low word.</summary>
    private const long AliveBit = 1L << 32;
    private const long CountMask = 0xFFFF_FFFFL;
    private const long Saturated = int.MaxValue;

    /// <summary>
    /// The usage count and whether the task is live, in one word: a Put must see both atomically to tell a
    /// caller's reference from one of the table's references, which Exit drops concurrently.
    /// </summary>
    private long _state;

    private byte[]? _stack;
    private int _pgid;
    private int _sid;
    private List<int>? _pendingSignals;

    internal TaskStruct(TaskTable table, string name, int pid, int tgid, byte[] stack)
    {
        Table = table;
        NameValue = name;
        PidValue = pid;
        TgidValue = tgid;
        _stack = stack;
        _state = AliveBit | 2;
    }

    /// <summary>The table that spawned the task. Readable even after the task is freed.</summary>
    public TaskTable Table { get; }

    /// <summary>The task's own id (<c>task->pid</c>, <see cref="PidType.Pid"/>).</summary>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public int Pid
    {
        get
        {
            ThrowIfFreed("TaskStruct.Pid");
            return PidValue;
        }
    }

    /// <summary>The thread group id (<c>task->tgid</c>, <see cref="PidType.Tgid"/>): the process id its threads share.</summary>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public int Tgid
    {
        get
        {
            ThrowIfFreed("TaskStruct.Tgid");
            return TgidValue;
        }
    }

    /// <summary>
    /// The process group id (<c>process_group(task)</c>, <see cref="PidType.Pgid"/>). Changed by
    /// <see cref="TaskTable.SetPgid"/> and <see cref="TaskTable.SetSid"/>, so without the lock it is a snapshot.
    /// </summary>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public int Pgid
    {
        get
        {
            ThrowIfFreed("TaskStruct.Pgid");
            return PgidValue;
        }
    }

    /// <summary>
    /// The session id (<c>task->signal->session</c>, <see cref="PidType.Sid"/>). Changed by
    /// <see cref="TaskTable.SetSid"/>, so without the lock it is a snapshot.
    /// </summary>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public int Sid
    {
        get
        {
            ThrowIfFreed("TaskStruct.Sid");
            return SidValue;
        }
    }

    /// <summary>The name given to <see cref="TaskTable.Spawn"/> (<c>task->comm</c>).</summary>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public string Name
    {
        get
        {
            ThrowIfFreed("TaskStruct.Name");
            return NameValue;
        }
    }

    /// <summary>
    /// True once <see cref="TaskTable.Exit"/> ran for the task (the kernel's <c>EXIT_DEAD</c> after
    /// <c>release_task</c>): it holds no pid any more, and only pinned references keep it.
    /// </summary>
    public bool HasExited => (Volatile.Read(ref _state) & AliveBit) == 0;

    /// <summary>
    /// The usage count (<c>task->usage</c>): 2 for a live task nobody pinned, plus one per <see cref="Get"/> not
    /// yet put. Saturates at <see cref="int.MaxValue"/> (then the task is never freed).
    /// </summary>
    public int Usage => (int)(Volatile.Read(ref _state) & CountMask);

    /// <summary>True once the usage reached zero after exit (<c>free_task</c>): the stack is gone and the task unusable.</summary>
    public bool IsFreed => (Volatile.Read(ref _state) & CountMask) == 0;

    internal int PidValue { get; }

    internal int TgidValue { get; }

    internal string NameValue { get; }

    internal int PgidValue
    {
        get => Volatile.Read(ref _pgid);
        set => Volatile.Write(ref _pgid, value);
    }

    internal int SidValue
    {
        get => Volatile.Read(ref _sid);
        set => Volatile.Write(ref _sid, value);
    }

    /// <summary>The task's pid entries by type (<c>task->pids[type]</c>); written under the table's write lock.</summary>
    internal PidEntry?[] Entries { get; } = new PidEntry?[4];

    /// <summary>The stack, or null once the task was freed: what a pinning reference keeps reachable.</summary>
    internal byte[]? Stack => Volatile.Read(ref _stack);

    /// <summary>
    /// Pins the task: raises its usage and returns it (the kernel's <c>get_task_struct</c>). The caller owns the
    /// reference and must <see cref="Put"/> it. Does not take the tasklist lock, so it may be called under it.
    /// </summary>
    /// <returns>This task.</returns>
    /// <exception cref="TrefDisciplineException">The task was already freed (TG0005).</exception>
    [AcquiresReference]
    public TaskStruct Get()
    {
        long state = Volatile.Read(ref _state);
        while (true)
        {
            long count = state & CountMask;
            if (count == 0)
            {
                ThrowFreed("TaskStruct.Get");
            }

            if (count == Saturated)
            {
                break;
            }

            long seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                break;
            }

            state = seen;
        }

        Table.Leaks?.Record(this);
        return this;
    }

    /// <summary>
    /// Releases a reference taken with <see cref="Get"/> or <see cref="TaskRef.GetTask"/> (the kernel's
    /// <c>put_task_struct</c>); when the last reference to an exited task goes, the task is freed and its stack
    /// released. Does not take the tasklist lock, so it may be called under it.
    /// </summary>
    /// <exception cref="TrefDisciplineException">
    /// The put would release one of the table's own references on a live task, i.e. the caller owned none
    /// (TG0004); or the task was already freed (TG0005).
    /// </exception>
    [ReleasesReference]
    public void Put()
    {
        long state = Volatile.Read(ref _state);
        while (true)
        {
            long count = state & CountMask;
            if (count == 0)
            {
                ThrowFreed("TaskStruct.Put");
            }

            if (count == Saturated)
            {
                return;
            }

            long floor = (state & AliveBit) != 0 ? 2 : 0;
            if (count - 1 < floor)
            {
                ThrowTableReference();
            }

            long seen = Interlocked.CompareExchange(ref _state, state - 1, state);
            if (seen == state)
            {
                if (count == 1)
                {
                    Free();
                }
                else
                {
                    Table.Leaks?.Release(this);
                }

                return;
            }

            state = seen;
        }
    }

    /// <summary>
    /// Removes and returns the signals delivered to this task by <see cref="Tref.Kill"/> and
    /// <see cref="Tref.KillLocked"/> (the kernel's pending signal queue, <c>dequeue_signal</c>), oldest first.
    /// </summary>
    /// <returns>The pending signals; empty when there are none.</returns>
    /// <exception cref="TrefDisciplineException">The task was freed (TG0005).</exception>
    public IReadOnlyList<int> TakePendingSignals()
    {
        ThrowIfFreed("TaskStruct.TakePendingSignals");
        List<int>? pending = Volatile.Read(ref _pendingSignals);
        if (pending is null)
        {
            return Array.Empty<int>();
        }

        lock (pending)
        {
            int[] taken = pending.ToArray();
            pending.Clear();
            return taken;
        }
    }

    /// <summary>Describes the task for diagnostics; safe on a freed task.</summary>
    /// <returns>For example <c>task 42 'shell' (pgid 42, sid 42, usage 3)</c>.</returns>
    public override string ToString()
    {
        string state = IsFreed ? "freed" : HasExited ? "exited" : "live";
        return $"task {PidValue} '{NameValue}' (tgid {TgidValue}, pgid {PgidValue}, sid {SidValue}, usage {Usage}, {state})";
    }

    internal void Deliver(int signal)
    {
        List<int> pending = Volatile.Read(ref _pendingSignals)
            ?? Interlocked.CompareExchange(ref _pendingSignals, new List<int>(2), null)
            ?? Volatile.Read(ref _pendingSignals)!;
        lock (pending)
        {
            pending.Add(signal);
        }
    }

    /// <summary>
    /// Exit's half of the lifetime: the task is no longer live and the table's two references go (the running
    /// task's and release_task's). Called under the write lock, once.
    /// </summary>
    internal void DropTableReferences()
    {
        long state = Volatile.Read(ref _state);
        while (true)
        {
            long count = state & CountMask;
            long next = count == Saturated ? count : count - 2;
            long seen = Interlocked.CompareExchange(ref _state, next, state);
            if (seen == state)
            {
                if (next == 0)
                {
                    Free();
                }

                return;
            }

            state = seen;
        }
    }

    /// <summary>Pins a task known to be live, from under the lock, for TaskRef.GetTask.</summary>
    internal void PinLive()
    {
        long state = Volatile.Read(ref _state);
        while ((state & CountMask) != Saturated)
        {
            long seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                break;
            }

            state = seen;
        }
    }

    internal void ThrowIfFreed(string what)
    {
        if ((Volatile.Read(ref _state) & CountMask) == 0)
        {
            ThrowFreed(what);
        }
    }

    internal void SetCountForTesting(int count)
    {
        long state = Volatile.Read(ref _state);
        Volatile.Write(ref _state, (state & AliveBit) | (uint)count);
    }

    /// <summary>Out of line so the message's formatting costs nothing on the paths that do not throw.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFreed(string what) =>
        throw Errors.UseAfterFree($"{what} on task {PidValue} ('{NameValue}'), which was freed: its last reference was put, so it may no longer be used.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTableReference() =>
        throw Errors.TableReferencePut($"TaskStruct.Put on live task {PidValue} ('{NameValue}')");

    /// <summary>The kernel's <c>free_task</c>: the stack goes, and the table forgets the task.</summary>
    private void Free()
    {
        Volatile.Write(ref _stack, null);
        Table.OnTaskFreed(this);
    }
}
