using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>
/// Semantic 6 under load: mutators spawn, exit and regroup with a tiny pid space so numbers wrap constantly,
/// while readers look trefs up, pin, copy, store and signal. Each thread's operations come from a fixed seed;
/// every run is bounded by an iteration count and a time cap.
/// </summary>
public sealed class StressTests
{
    private const int PidMax = 24;
    private const int Mutators = 2;
    private const int Readers = 3;
    private const int Iterations = 20_000;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(3);

    [Fact]
    public void ConcurrentLifecycleAndLookupsKeepEveryInvariant()
    {
        TaskTable table = NewTable(pidMax: PidMax, trackLeaks: false);
        var failures = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(Mutators + Readers);
        var threads = new List<Thread>();
        var survivors = new ConcurrentQueue<TaskStruct>();
        int operations = 0;
        int mutatorsRunning = Mutators;
        var counters = new int[3]; // spawned, exited, live trefs stored

        for (int m = 0; m < Mutators; m++)
        {
            int seed = 1000 + m;
            threads.Add(new Thread(() =>
            {
                try
                {
                    Run(() => Mutate(table, seed, start, clock, survivors, counters, ref operations), failures);
                }
                finally
                {
                    Interlocked.Decrement(ref mutatorsRunning);
                }
            }));
        }

        for (int r = 0; r < Readers; r++)
        {
            int seed = 2000 + r;
            threads.Add(new Thread(() => Run(() => Read(table, seed, start, clock, failures, counters, ref operations, ref mutatorsRunning), failures)));
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(operations > 0);

        // The run really exercised what it is for: pids wrapped many times and lookups found live tasks.
        Assert.True(counters[0] > 4 * PidMax, $"only {counters[0]} spawns");
        Assert.True(counters[1] > 4 * PidMax, $"only {counters[1]} exits");
        Assert.True(counters[2] > 0, "no lookup ever found a task");
        AssertSound(table);
        AssertNothingOwned(table);

        foreach (TaskStruct task in survivors)
        {
            table.Exit(task);
            Assert.True(task.IsFreed);
        }

        Assert.Equal(0, table.LiveTasks);
        Assert.Equal(0, table.LiveRefCount);
        AssertSound(table);
        AssertNothingOwned(table);
    }

    private static void Run(Action body, ConcurrentQueue<string> failures)
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

    private static void Mutate(TaskTable table, int seed, Barrier start, Stopwatch clock, ConcurrentQueue<TaskStruct> survivors, int[] counters, ref int operations)
    {
        var random = new Random(seed);
        var mine = new List<TaskStruct>();

        // Some tasks exist before anyone starts, so readers have something to find even if the scheduler
        // runs them first.
        for (int i = 0; i < 4; i++)
        {
            mine.Add(table.Spawn("initial"));
        }

        start.SignalAndWait();
        for (int i = 0; i < Iterations && clock.Elapsed < TimeCap; i++)
        {
            Interlocked.Increment(ref operations);
            int op = random.Next(10);
            TaskStruct? some = mine.Count > 0 ? mine[random.Next(mine.Count)] : null;
            try
            {
                if (op < 3 || some is null)
                {
                    mine.Add(table.Spawn("s" + i, random.Next(2) == 0 ? some : null));
                    Interlocked.Increment(ref counters[0]);
                }
                else if (op == 3)
                {
                    mine.Add(table.SpawnThread(some, "t" + i));
                    Interlocked.Increment(ref counters[0]);
                }
                else if (op < 7)
                {
                    table.Exit(some);
                    mine.Remove(some);
                    Interlocked.Increment(ref counters[1]);
                }
                else if (op < 9)
                {
                    TaskStruct other = mine[random.Next(mine.Count)];
                    table.SetPgid(some, random.Next(2) == 0 ? 0 : other.Pgid);
                }
                else
                {
                    table.SetSid(some);
                }
            }
            catch (InvalidOperationException ex) when (ex is not TrefDisciplineException)
            {
                // POSIX refusals (setsid by a group leader, another session's group) and a full pid space.
            }
            catch (ArgumentException ex) when (ex.ParamName == "pgid")
            {
                // The chosen group vanished: the other member exited, or left it.
            }
        }

        foreach (TaskStruct task in mine)
        {
            survivors.Enqueue(task);
        }
    }

    private static void Read(TaskTable table, int seed, Barrier start, Stopwatch clock, ConcurrentQueue<string> failures, int[] counters, ref int operations, ref int mutatorsRunning)
    {
        var random = new Random(seed);
        var slots = new TaskRef?[4];
        for (int s = 0; s < slots.Length; s++)
        {
            Tref.Init(ref slots[s]);
        }

        start.SignalAndWait();

        // Readers keep going while the mutators run (the point is to overlap them), up to a hard bound.
        for (int i = 0; (i < Iterations || Volatile.Read(ref mutatorsRunning) > 0) && i < 10 * Iterations && clock.Elapsed < TimeCap; i++)
        {
            Interlocked.Increment(ref operations);
            int k = random.Next(slots.Length);
            TaskRef slot = slots[k]!;
            switch (random.Next(7))
            {
                case 0:
                case 1:
                {
                    int nr = random.Next(PidMax);
                    var type = (PidType)random.Next(4);
                    TaskRef r = Tref.GetByPid(table, nr, type);
                    if (!ReferenceEquals(r, TaskRef.None) && (r.Nr != nr || r.Type != type || r.RefCount < 1))
                    {
                        failures.Enqueue($"GetByPid({nr}, {type}) gave {r}");
                    }

                    if (r.IsAlive)
                    {
                        Interlocked.Increment(ref counters[2]);
                    }

                    Tref.Set(ref slots[k], r);
                    break;
                }

                case 2:
                {
                    TaskStruct? task = slot.GetTask();
                    if (task is null)
                    {
                        break;
                    }

                    try
                    {
                        // Pinned: usable even if it exits meanwhile.
                        _ = task.Name;
                        var type = (PidType)random.Next(4);
                        TaskRef r = Tref.GetByTask(task, type);
                        if (!ReferenceEquals(r, TaskRef.None) && (r.Type != type || r.RefCount < 1))
                        {
                            failures.Enqueue($"GetByTask({task}, {type}) gave {r}");
                        }

                        Tref.Set(ref slots[random.Next(slots.Length)], r);
                    }
                    finally
                    {
                        task.Put();
                    }

                    break;
                }

                case 3:
                    slot.Get().Put();
                    break;

                case 4:
                    if (Tref.Kill(slot, 0) < 0)
                    {
                        failures.Enqueue("negative kill count");
                    }

                    break;

                case 5:
                    Tref.Reset(ref slots[k]);
                    break;

                default:
                    CheckUnderLock(table, slot, failures);
                    break;
            }
        }

        for (int s = 0; s < slots.Length; s++)
        {
            Tref.Fini(ref slots[s]);
        }
    }

    /// <summary>Under the read lock nothing moves: what a tref names must hold its number, and own it.</summary>
    private static void CheckUnderLock(TaskTable table, TaskRef r, ConcurrentQueue<string> failures)
    {
        using TasklistReadGuard guard = table.ReadLock();
        TaskStruct? task = guard.TaskOf(r);
        if (task is null)
        {
            return;
        }

        int held = r.Type switch
        {
            PidType.Pid => task.PidValue,
            PidType.Tgid => task.TgidValue,
            PidType.Pgid => task.PgidValue,
            _ => task.SidValue,
        };
        if (task.HasExited || held != r.Nr)
        {
            failures.Enqueue($"{r} names {task}");
        }

        PidEntry? entry = task.Entries[(int)r.Type];
        if (entry is null || !ReferenceEquals(entry.Ref, r) || !ReferenceEquals(entry.First, task))
        {
            failures.Enqueue($"{r} is not the tref its pid owns, or does not name the first holder");
        }

        if (!ReferenceEquals(table.FindTask(r.Nr, r.Type), task))
        {
            failures.Enqueue($"{r} names {task}, FindTask disagrees");
        }
    }
}
