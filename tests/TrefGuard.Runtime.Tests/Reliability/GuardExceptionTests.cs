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
/// An exception thrown while the tasklist lock is held — by the caller inside a guard's scope, or by the runtime
/// inside its own write-locked section — must release the lock: afterwards the thread holds nothing, another thread
/// can take the write lock, and the table is unchanged and sound.
/// </summary>
public sealed class GuardExceptionTests
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;

    public GuardExceptionTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> CallerExceptions => new()
    {
        "read guard, user exception",
        "write guard, user exception",
        "read guard, TG0006 from Put under the lock",
        "read guard, TG0006 from GetTask under the lock",
        "write guard, TG0006 from Spawn under the lock",
        "read guard, TaskOf with another table's tref",
        "read guard, FindTask with a bad number",
    };

    [Theory]
    [MemberData(nameof(CallerExceptions))]
    public void AnExceptionInsideAGuardsScopeReleasesTheLock(string scenario)
    {
        TaskTable table = NewTable(trackLeaks: true);
        TaskTable other = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskRef foreign = Tref.GetByTask(other.Spawn("elsewhere"), PidType.Pid);
        string before = Fingerprint(table);

        Exception thrown = Assert.ThrowsAny<Exception>(() => ThrowInsideGuard(scenario, table, r, foreign));

        _output.WriteLine($"{scenario}: {thrown.GetType().Name}");
        Assert.False(table.IsLockHeld);
        Assert.False(table.IsWriteLockHeld);
        Assert.True(AllocationFailureTests.WriteLockFromAnotherThread(table, LockWait), $"{scenario}: another thread could not take the write lock");
        using (table.WriteLock())
        {
            // And this thread can take it again: nothing of the failed scope is still recorded as held.
            Assert.True(table.IsWriteLockHeld);
        }

        Assert.Equal(before, Fingerprint(table));
        r.Put();
        foreign.Put();
        AssertNothingOwned(table);
        AssertSound(table);
    }

    public static TheoryData<string> RuntimeExceptions => new()
    {
        "Spawn with every pid in use",
        "Spawn with an exited parent",
        "SpawnThread of an exited leader",
        "SetSid by a group leader",
        "SetPgid into another session's group",
        "SetPgid into a group that does not exist",
        "Exit of an exited task",
        "Put whose count dropped to zero before it took the lock",
    };

    [Theory]
    [MemberData(nameof(RuntimeExceptions))]
    public void AnExceptionFromInsideTheRuntimesOwnLockedSectionReleasesTheLock(string scenario)
    {
        TaskTable table = NewTable(pidMax: 8, trackLeaks: true);
        TaskStruct leader = table.Spawn("leader");
        TaskStruct member = table.Spawn("member", leader);
        TaskStruct stranger = table.Spawn("stranger");
        TaskStruct exited = table.Spawn("exited").Get();
        table.Exit(exited);
        TaskRef victim = Tref.GetByTask(stranger, PidType.Sid);
        var filler = new List<TaskStruct>();
        if (scenario == "Spawn with every pid in use")
        {
            for (int i = 0; i < 8; i++)
            {
                try
                {
                    filler.Add(table.Spawn("filler" + i));
                }
                catch (InvalidOperationException)
                {
                    break;
                }
            }
        }

        string before = Fingerprint(table);
        Action action = scenario switch
        {
            "Spawn with every pid in use" => () => table.Spawn("one too many"),
            "Spawn with an exited parent" => () => table.Spawn("orphan", exited),
            "SpawnThread of an exited leader" => () => table.SpawnThread(exited, "thread"),
            "SetSid by a group leader" => () => table.SetSid(leader),
            "SetPgid into another session's group" => () => table.SetPgid(member, stranger.Pgid),
            "SetPgid into a group that does not exist" => () => table.SetPgid(member, table.PidMax - 1),
            "Exit of an exited task" => () => table.Exit(exited),
            "Put whose count dropped to zero before it took the lock" => () =>
            {
                // Injected between the lock-free check and the write lock: DecrementLocked then refuses under the lock.
                table.BeforeLastPutLocks = t => t.SetCountForTesting(0);
                victim.Put();
            },
            _ => throw new ArgumentException(scenario),
        };

        Exception thrown = Assert.ThrowsAny<Exception>(action);

        _output.WriteLine($"{scenario}: {thrown.GetType().Name}: {thrown.Message}");
        Assert.False(table.IsLockHeld);
        Assert.True(AllocationFailureTests.WriteLockFromAnotherThread(table, LockWait), $"{scenario}: another thread could not take the write lock");
        Assert.Equal(before, Fingerprint(table));
        table.BeforeLastPutLocks = null;
        if (victim.RefCount == 0)
        {
            victim.SetCountForTesting(1);
        }

        victim.Put();
        foreach (TaskStruct task in filler)
        {
            table.Exit(task);
        }

        table.Exit(stranger);
        table.Exit(member);
        table.Exit(leader);
        exited.Put();
        AssertNothingOwned(table);
        AssertSound(table);
    }

    [Fact]
    public void GuardsOfTwoTablesThrownThroughTogetherAreBothReleased()
    {
        TaskTable first = NewTable();
        TaskTable second = NewTable();

        Assert.Throws<InvalidOperationException>(() => ThrowThroughBoth(first, second));

        // Released out of order, then an exception: each guard releases only its own acquisition.
        Assert.Throws<InvalidOperationException>(() => ReleaseOutOfOrderThenThrow(first, second));

        Assert.False(first.IsLockHeld);
        Assert.False(second.IsLockHeld);
        Assert.True(AllocationFailureTests.WriteLockFromAnotherThread(first, LockWait));
        Assert.True(AllocationFailureTests.WriteLockFromAnotherThread(second, LockWait));
    }

    [Fact]
    public void ReadersThrowingInsideTheirGuardsNeverStarveAWriter()
    {
        // Many threads take the read lock and often throw out of the guard's scope; a writer must keep getting the
        // lock, and when everyone stops no thread holds it. Bounded by count and time, fixed seeds.
        TaskTable table = NewTable(trackLeaks: false);
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        const int Readers = 3;
        const int Iterations = 20_000;
        var cap = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentQueue<string>();
        long reads = 0;
        long thrown = 0;
        long writes = 0;
        int running = Readers;
        var threads = new List<Thread>();
        for (int t = 0; t < Readers; t++)
        {
            int seed = 700 + t;
            threads.Add(new Thread(() =>
            {
                var random = new Random(seed);
                try
                {
                    for (int i = 0; i < Iterations && clock.Elapsed < cap; i++)
                    {
                        try
                        {
                            using TasklistReadGuard guard = table.ReadLock();
                            Interlocked.Increment(ref reads);
                            if (!ReferenceEquals(guard.TaskOf(r), task))
                            {
                                failures.Enqueue("the tref does not name its task under the lock");
                            }

                            if (random.Next(3) == 0)
                            {
                                throw new InjectedException();
                            }
                        }
                        catch (InjectedException)
                        {
                            Interlocked.Increment(ref thrown);
                        }

                        if (table.IsLockHeld)
                        {
                            failures.Enqueue("the lock is still held after the guard's scope");
                        }
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex.ToString());
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            }));
        }

        var writer = new Thread(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                using TasklistWriteGuard guard = table.WriteLock();
                Interlocked.Increment(ref writes);
            }
        });

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        writer.Start();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.True(writer.Join(LockWait), "the writer never finished: a reader kept the lock");
        _output.WriteLine($"{reads} read scopes, {thrown} thrown out of, {writes} write scopes in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(thrown > 0 && writes > 0, $"{thrown} exceptions, {writes} writes: the run exercised nothing");
        Assert.True(AllocationFailureTests.WriteLockFromAnotherThread(table, LockWait));
        r.Put();
        AssertSound(table);
    }

    private static void ThrowThroughBoth(TaskTable first, TaskTable second)
    {
        using TasklistReadGuard outer = first.ReadLock();
        using TasklistWriteGuard inner = second.WriteLock();
        throw new InvalidOperationException("injected");
    }

    private static void ReleaseOutOfOrderThenThrow(TaskTable first, TaskTable second)
    {
        TasklistWriteGuard a = first.WriteLock();
        using TasklistReadGuard b = second.ReadLock();
        a.Dispose();
        Assert.True(second.IsLockHeld);
        Assert.False(first.IsLockHeld);
        throw new InvalidOperationException("injected");
    }

    private static void ThrowInsideGuard(string scenario, TaskTable table, TaskRef r, TaskRef foreign)
    {
        switch (scenario)
        {
            case "read guard, user exception":
            {
                using TasklistReadGuard guard = table.ReadLock();
                _ = guard.TaskOf(r);
                throw new InjectedException();
            }

            case "write guard, user exception":
            {
                using TasklistWriteGuard guard = table.WriteLock();
                _ = guard.TaskOf(r);
                throw new InjectedException();
            }

            case "read guard, TG0006 from Put under the lock":
            {
                using TasklistReadGuard guard = table.ReadLock();
                r.Put(); // refused before the count changes
                break;
            }

            case "read guard, TG0006 from GetTask under the lock":
            {
                using TasklistReadGuard guard = table.ReadLock();
                _ = r.GetTask();
                break;
            }

            case "write guard, TG0006 from Spawn under the lock":
            {
                using TasklistWriteGuard guard = table.WriteLock();
                table.Spawn("under the lock");
                break;
            }

            case "read guard, TaskOf with another table's tref":
            {
                using TasklistReadGuard guard = table.ReadLock();
                _ = guard.TaskOf(foreign);
                break;
            }

            case "read guard, FindTask with a bad number":
            {
                using TasklistReadGuard guard = table.ReadLock();
                _ = table.FindTask(-1, PidType.Pid);
                break;
            }

            default:
                throw new ArgumentException(scenario);
        }
    }

    private sealed class InjectedException : Exception
    {
        public InjectedException()
            : base("injected inside the guard's scope")
        {
        }
    }
}
