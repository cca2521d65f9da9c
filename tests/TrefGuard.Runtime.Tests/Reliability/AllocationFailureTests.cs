using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Xunit;
using Xunit.Abstractions;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests.Reliability;

/// <summary>
/// Fault injection at tref_get_by_task's kmalloc (TaskTable.AllocationFailureHook): a lookup whose allocation fails
/// hands out TaskRef.None, like the kernel's init_tref, and nothing it touched stays behind — under concurrent
/// lookups, exits and slot updates, with the leak tracker on. None's count is process-wide, so these run alone.
/// </summary>
[Collection(NoneCountCollection.Name)]
public sealed class AllocationFailureTests
{
    private const int PidMax = 20;
    private const int Readers = 3;
    private const int IterationsPerReader = 4_000;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(4);

    private readonly ITestOutputHelper _output;

    public AllocationFailureTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void FailedAllocationsUnderConcurrentLookupsAndExitsGiveNoneAndLeakNothing()
    {
        TaskTable table = NewTable(pidMax: PidMax, trackLeaks: true);
        var injector = new AllocationFaults(table);
        int noneBefore = TaskRef.None.RefCount;
        var failures = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(Readers + 1);
        long operations = 0;
        int readersRunning = Readers;

        var threads = new List<Thread>
        {
            new(() => Guarded(failures, () =>
            {
                // Lookups must race exits and pid reuse, not a quiet table.
                var random = new Random(500);
                var mine = new List<TaskStruct>();

                // Populated before the readers start: a reader that outruns this thread still finds tasks to look up.
                for (int i = 0; i < 6; i++)
                {
                    mine.Add(table.Spawn("initial" + i, i % 2 == 0 ? null : mine[i - 1]));
                }

                start.SignalAndWait();
                for (int i = 0; clock.Elapsed < TimeCap && Volatile.Read(ref readersRunning) > 0; i++)
                {
                    Interlocked.Increment(ref operations);
                    if (mine.Count < 6 || (random.Next(3) > 0 && mine.Count < PidMax / 2))
                    {
                        try
                        {
                            mine.Add(table.Spawn("m" + i, mine.Count > 0 && random.Next(2) == 0 ? mine[random.Next(mine.Count)] : null));
                            continue;
                        }
                        catch (InvalidOperationException ex) when (ex is not TrefDisciplineException)
                        {
                            // Every number is held by some task, group or session: exit one instead.
                        }
                    }

                    int k = random.Next(mine.Count);
                    table.Exit(mine[k]);
                    mine.RemoveAt(k);
                }

                foreach (TaskStruct task in mine)
                {
                    table.Exit(task);
                }
            })),
        };

        for (int r = 0; r < Readers; r++)
        {
            int seed = 600 + r;
            threads.Add(new Thread(() => Guarded(failures, () =>
            {
                var random = new Random(seed);
                var held = new List<TaskRef>();
                TaskRef? slot = null;
                Tref.Init(ref slot);
                start.SignalAndWait();
                for (int i = 0; i < IterationsPerReader && clock.Elapsed < TimeCap; i++)
                {
                    Interlocked.Increment(ref operations);
                    var type = (PidType)random.Next(4);
                    injector.FailNextAllocation(random.Next(3) == 0);
                    TaskRef r;
                    if (random.Next(2) == 0)
                    {
                        r = Tref.GetByPid(table, random.Next(PidMax), type);
                    }
                    else
                    {
                        // Through a pinned task, so GetByTask sees tasks that exit while it runs.
                        TaskStruct? task = slot!.GetTask();
                        if (task is null)
                        {
                            r = Tref.GetByPid(table, random.Next(PidMax), type);
                        }
                        else
                        {
                            try
                            {
                                r = Tref.GetByTask(task, type);
                            }
                            finally
                            {
                                task.Put();
                            }
                        }
                    }

                    bool injected = injector.TakeInjected();
                    if (injected && !ReferenceEquals(r, TaskRef.None))
                    {
                        failures.Enqueue($"allocation failed but the lookup returned {r}");
                    }

                    if (!ReferenceEquals(r, TaskRef.None) && (r.Type != type || r.RefCount < 1))
                    {
                        failures.Enqueue($"lookup for {type} returned {r}");
                    }

                    switch (random.Next(3))
                    {
                        case 0:
                            r.Put();
                            break;
                        case 1:
                            held.Add(r);
                            break;
                        default:
                            Tref.Set(ref slot, r);
                            break;
                    }

                    if (held.Count > 8)
                    {
                        int k = random.Next(held.Count);
                        held[k].Put();
                        held.RemoveAt(k);
                    }
                }

                foreach (TaskRef r in held)
                {
                    r.Put();
                }

                Tref.Fini(ref slot);
                Interlocked.Decrement(ref readersRunning);
            })));
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        table.AllocationFailureHook = null;
        _output.WriteLine($"{operations} operations; {injector.Calls} allocations reached the hook, {injector.Injected} failed by injection; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(injector.Injected > 0 && injector.Calls > injector.Injected, $"{injector.Injected} injected of {injector.Calls}: the run did not exercise both outcomes");
        Assert.Equal(0, table.LiveTasks);
        Assert.Equal(0, table.LiveRefCount);
        AssertNothingOwned(table);
        AssertSound(table);
        Assert.Equal(noneBefore, TaskRef.None.RefCount);
    }

    [Fact]
    public void AFailureAfterTheTaskExitedAndOneBeforeItsFirstTrefBothLeaveTheTableUnchanged()
    {
        TaskTable table = NewTable(trackLeaks: true);
        int noneBefore = TaskRef.None.RefCount;
        TaskStruct parent = table.Spawn("parent");
        TaskStruct child = table.Spawn("child", parent).Get();
        string before = Fingerprint(table);
        table.AllocationFailureHook = () => true;

        // Every type of a live task: no tref exists yet, so each lookup allocates, and each fails.
        var results = new List<TaskRef>();
        foreach (PidType type in Enum.GetValues<PidType>())
        {
            results.Add(Tref.GetByTask(child, type));
            results.Add(Tref.GetByPid(table, parent.Pid, type));
        }

        Assert.All(results, r => Assert.Same(TaskRef.None, r));
        Assert.Equal(before, Fingerprint(table));
        Assert.Equal(0, table.LiveRefCount);
        Assert.Equal(noneBefore + results.Count, TaskRef.None.RefCount);
        Assert.Same(child, Assert.Single(table.OutstandingRefs).Task); // only the test's own pin
        foreach (TaskRef r in results)
        {
            r.Put();
        }

        // The slot pattern (tref_set(&dst, tref_get_by_task(...))): the slot ends holding None, its old tref released.
        table.AllocationFailureHook = null;
        TaskRef? slot = null;
        Tref.Init(ref slot);
        Tref.Set(ref slot, Tref.GetByTask(child, PidType.Pgid));
        TaskRef old = slot!;
        table.AllocationFailureHook = () => true;
        Tref.Set(ref slot, Tref.GetByTask(child, PidType.Sid));
        Assert.Same(TaskRef.None, slot);
        Assert.Equal(0, old.RefCount);
        Assert.Equal(0, table.LiveRefCount);
        Tref.Fini(ref slot);

        table.Exit(child);
        Assert.Same(TaskRef.None, Tref.GetByTask(child, PidType.Pid)); // exited: None without reaching the allocation
        TaskRef.None.Put();
        child.Put();
        table.Exit(parent);
        table.AllocationFailureHook = null;

        Assert.Equal(noneBefore, TaskRef.None.RefCount);
        AssertNothingOwned(table);
        AssertSound(table);
    }

    [Fact]
    public void AnAllocationThatThrowsPropagatesWithNoLockHeldAndNothingTaken()
    {
        // kmalloc cannot throw, but new TaskRef(...) can (OutOfMemoryException): nothing may be half done.
        TaskTable table = NewTable(trackLeaks: true);
        int noneBefore = TaskRef.None.RefCount;
        TaskStruct task = table.Spawn("task");
        TaskRef kept = Tref.GetByTask(task, PidType.Pid);
        string before = Fingerprint(table);
        int calls = 0;
        table.AllocationFailureHook = () =>
        {
            calls++;
            throw new OutOfMemoryException("injected");
        };

        Assert.Throws<OutOfMemoryException>(() => Tref.GetByTask(task, PidType.Pgid));
        Assert.Throws<OutOfMemoryException>(() => Tref.GetByPid(table, task.Pid, PidType.Sid));
        Assert.Equal(2, calls);
        Assert.False(table.IsLockHeld);
        Assert.Equal(before, Fingerprint(table));
        Assert.Equal(1, table.LiveRefCount);
        Assert.Equal(noneBefore, TaskRef.None.RefCount);

        // The existing tref needs no allocation: still handed out while allocation throws.
        TaskRef shared = Tref.GetByTask(task, PidType.Pid);
        Assert.Same(kept, shared);
        Assert.Equal(2, calls);

        // Another thread can take the write lock: nothing was left locked.
        Assert.True(WriteLockFromAnotherThread(table, TimeSpan.FromSeconds(10)), "another thread could not take the write lock");

        table.AllocationFailureHook = null;
        shared.Put();
        kept.Put();
        table.Exit(task);
        AssertNothingOwned(table);
        AssertSound(table);
        Assert.Equal(noneBefore, TaskRef.None.RefCount);
    }

    internal static bool WriteLockFromAnotherThread(TaskTable table, TimeSpan timeout)
    {
        var other = new Thread(() =>
        {
            using TasklistWriteGuard guard = table.WriteLock();
        })
        {
            // If the lock leaked, the thread blocks forever: it must not keep the test host alive.
            IsBackground = true,
        };
        other.Start();
        return other.Join(timeout);
    }

    private static void Guarded(ConcurrentQueue<string> failures, Action body)
    {
        try
        {
            body();
        }
        catch (Exception ex)
        {
            failures.Enqueue(ex.ToString());
        }
    }
}

/// <summary>
/// Drives a table's AllocationFailureHook per thread: each thread says whether its next allocation fails, and
/// learns afterwards whether the hook ran and failed it.
/// </summary>
internal sealed class AllocationFaults
{
    [ThreadStatic]
    private static bool t_failNext;

    [ThreadStatic]
    private static bool t_injected;

    private long _calls;
    private long _injected;

    public AllocationFaults(TaskTable table)
    {
        table.AllocationFailureHook = () =>
        {
            Interlocked.Increment(ref _calls);
            if (t_failNext)
            {
                t_injected = true;
                Interlocked.Increment(ref _injected);
                return true;
            }

            return false;
        };
    }

    public long Calls => Interlocked.Read(ref _calls);

    public long Injected => Interlocked.Read(ref _injected);

    public void FailNextAllocation(bool fail)
    {
        t_failNext = fail;
        t_injected = false;
    }

    /// <summary>Whether the hook failed an allocation since <see cref="FailNextAllocation"/>.</summary>
    public bool TakeInjected()
    {
        bool injected = t_injected;
        t_injected = false;
        t_failNext = false;
        return injected;
    }
}
