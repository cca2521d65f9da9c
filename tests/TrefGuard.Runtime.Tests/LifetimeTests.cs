using System;
using System.Collections.Concurrent;
using System.Threading;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 4: a tref whose count reached zero is unlinked and never handed out again.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public void LastPutUnlinksTheTrefFromItsPid()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        Assert.Equal(1, table.LiveRefCount);
        r.Put();

        Assert.Equal(0, table.LiveRefCount);
        Assert.False(r.IsAlive);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => r.Get());
        Assert.Equal(0, r.RefCount);
        AssertSound(table);
    }

    [Fact]
    public void ALookupRacingTheLastPutGetsALiveTrefNotAReleasedOne()
    {
        // The seed decremented outside the lock: between "count reached 0" and the unlink, tref_get_by_task
        // could still find and revive it. Here the put is parked exactly in that window.
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        using var parked = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        table.BeforeLastPutLocks = _ =>
        {
            parked.Set();
            resume.Wait();
        };

        var putter = new Thread(r.Put);
        putter.Start();
        Assert.True(parked.Wait(TimeSpan.FromSeconds(30)));
        table.BeforeLastPutLocks = null;

        TaskRef raced = Tref.GetByTask(task, PidType.Pid);
        resume.Set();
        putter.Join();

        Assert.Same(r, raced); // it was still owned when the lookup ran, so sharing it is right
        Assert.Equal(1, raced.RefCount); // and the parked put did not free it from under the lookup
        Assert.True(raced.IsAlive);
        Assert.Same(task, TaskOf(raced));
        raced.Put();
        Assert.Equal(0, table.LiveRefCount);
        AssertSound(table);
    }

    [Fact]
    public void GetAndPutConcurrentWithExitNeverYieldAReleasedTref()
    {
        TaskTable table = NewTable(pidMax: 16, trackLeaks: false);
        var failures = new ConcurrentQueue<string>();
        for (int round = 0; round < 200; round++)
        {
            TaskStruct task = table.Spawn("round " + round).Get();
            using var start = new Barrier(4);
            var threads = new Thread[3];
            for (int i = 0; i < threads.Length; i++)
            {
                PidType type = (PidType)(i % 2 == 0 ? 0 : 2);
                threads[i] = new Thread(() =>
                {
                    start.SignalAndWait();
                    for (int k = 0; k < 50; k++)
                    {
                        TaskRef r = Tref.GetByTask(task, type);
                        if (!ReferenceEquals(r, TaskRef.None))
                        {
                            if (r.RefCount < 1)
                            {
                                failures.Enqueue($"got {r} with count {r.RefCount}");
                            }

                            using (TasklistReadGuard guard = table.ReadLock())
                            {
                                // While the task is live, the tref handed out must be the one its pid owns.
                                if (!task.HasExited && !ReferenceEquals(task.Entries[(int)type]?.Ref, r))
                                {
                                    failures.Enqueue($"got {r}, not the tref its pid owns");
                                }

                                TaskStruct? named = guard.TaskOf(r);
                                if (named is not null && !ReferenceEquals(named, task))
                                {
                                    failures.Enqueue($"{r} names {named}");
                                }
                            }

                            TaskRef copy = r.Get();
                            copy.Put();
                        }

                        r.Put();
                    }
                });
                threads[i].Start();
            }

            start.SignalAndWait();
            Thread.Yield();
            table.Exit(task);
            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            task.Put();
        }

        Assert.Empty(failures);
        Assert.Equal(0, table.LiveRefCount);
        AssertSound(table);
        AssertNothingOwned(table);
    }

    [Fact]
    public void PutsFromManyThreadsFreeTheTrefExactlyOnce()
    {
        TaskTable table = NewTable(trackLeaks: false);
        TaskStruct task = table.Spawn("task");
        for (int round = 0; round < 100; round++)
        {
            TaskRef r = Tref.GetByTask(task, PidType.Pid);
            for (int i = 0; i < 7; i++)
            {
                r.Get();
            }

            using var start = new Barrier(8);
            var threads = new Thread[8];
            for (int i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(() =>
                {
                    start.SignalAndWait();
                    r.Put();
                });
                threads[i].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Equal(0, r.RefCount);
            Assert.Equal(0, table.LiveRefCount);
        }

        AssertSound(table);
    }
}
