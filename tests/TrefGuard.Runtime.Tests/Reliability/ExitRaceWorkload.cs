using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;

namespace TrefGuard.Runtime.Tests.Reliability;

/// <summary>Counts of one or more exit-race rounds; thread-safe.</summary>
internal sealed class ReliabilityStats
{
    private long _operations;
    private long _rounds;
    private long _exits;
    private long _kills;
    private long _signalsDelivered;
    private long _pins;
    private long _lookups;
    private long _allocationFailures;
    private long _guardExceptions;
    private long _invariantChecks;
    private long _invariantViolations;
    private long _racingTicks;

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Operations => Interlocked.Read(ref _operations);

    public long Rounds => Interlocked.Read(ref _rounds);

    public long Exits => Interlocked.Read(ref _exits);

    public long Kills => Interlocked.Read(ref _kills);

    public long SignalsDelivered => Interlocked.Read(ref _signalsDelivered);

    public long Pins => Interlocked.Read(ref _pins);

    public long AllocationFailures => Interlocked.Read(ref _allocationFailures);

    public long GuardExceptions => Interlocked.Read(ref _guardExceptions);

    public long InvariantChecks => Interlocked.Read(ref _invariantChecks);

    public long InvariantViolations => Interlocked.Read(ref _invariantViolations);

    public void Operation() => Interlocked.Increment(ref _operations);

    public void Round() => Interlocked.Increment(ref _rounds);

    public void Exit() => Interlocked.Increment(ref _exits);

    public void Kill(int delivered)
    {
        Interlocked.Increment(ref _kills);
        Interlocked.Add(ref _signalsDelivered, delivered);
    }

    public void Raced(TimeSpan duration) => Interlocked.Add(ref _racingTicks, duration.Ticks);

    public void Pin() => Interlocked.Increment(ref _pins);

    public void Lookup() => Interlocked.Increment(ref _lookups);

    public void AllocationFailure() => Interlocked.Increment(ref _allocationFailures);

    public void GuardException() => Interlocked.Increment(ref _guardExceptions);

    public void InvariantCheck(IReadOnlyList<string> problems)
    {
        Interlocked.Increment(ref _invariantChecks);
        if (problems.Count > 0)
        {
            Interlocked.Add(ref _invariantViolations, problems.Count);
            Fail("invariants broken:\n  " + string.Join("\n  ", problems));
        }
    }

    public void Fail(string failure)
    {
        // Bounded: a systematic failure would otherwise fill memory during a soak.
        if (Failures.Count < 100)
        {
            Failures.Enqueue(failure);
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append($"{Rounds} rounds, {Operations} operations: {Exits} exits, {Interlocked.Read(ref _lookups)} lookups ({AllocationFailures} with an injected allocation failure), ");
        text.Append($"{Pins} pins, {Kills} kills delivering {SignalsDelivered} signals, {GuardExceptions} exceptions thrown out of guards; ");
        text.Append($"{InvariantChecks} invariant checks during the run, {InvariantViolations} violations; {Failures.Count} failures; ");
        text.Append($"exits took {TimeSpan.FromTicks(Interlocked.Read(ref _racingTicks)).TotalMilliseconds / Math.Max(1, Rounds):F1} ms per round");
        return text.ToString();
    }
}

/// <summary>
/// One round: a session of two process groups with threads is built in a table, every task pinned and every pid
/// type of every task held as a tref. Then one thread exits the group's tasks in a seeded order while others race it:
/// killers signal through the trefs (each killer with its own signal, so deliveries can be counted), a pinner
/// takes tasks with GetTask and looks trefs up through them (allocations failing now and then) and throws out of
/// read guards, a copier gets and puts trefs and task pins, a spawner churns unrelated tasks so numbers are reused,
/// and a checker runs the table's invariant checker throughout. Afterwards every tref names nothing, each killer's
/// signals were delivered exactly as often as Kill reported and only to the group, and once everything is put the
/// table owns nothing and is sound.
/// </summary>
internal static class ExitRaceWorkload
{
    private const int KillerCount = 2;
    private const int FirstKillerSignal = 10;

    /// <summary>Iterations of each racing loop after the exits are done, so the end of the race is covered too.</summary>
    private const int TailIterations = 30;

    /// <summary>The most iterations any racing loop makes in a round, whatever the clock says.</summary>
    private const int MaxIterations = 1_000_000;

    public static TaskTable NewTable() => new(new TaskTableOptions { PidMax = 40, TrackLeaks = true });

    /// <summary>Runs one round on <paramref name="table"/>, which must own nothing when called and owns nothing after.</summary>
    public static void RunRound(TaskTable table, AllocationFaults faults, int seed, ReliabilityStats stats, TimeSpan roundCap)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        List<TaskStruct> group = BuildGroup(table, random);
        var groupSet = new HashSet<TaskStruct>(group, ReferenceEqualityComparer.Instance);
        foreach (TaskStruct task in group)
        {
            task.Get();
        }

        var refs = new List<TaskRef>();
        foreach (TaskStruct task in group)
        {
            foreach (PidType type in Enum.GetValues<PidType>())
            {
                refs.Add(Tref.GetByTask(task, type));
            }
        }

        var newcomers = new ConcurrentQueue<TaskStruct>();
        var killed = new long[KillerCount];
        int exitsDone = 0;
        int progress = 0;
        using var start = new Barrier(5 + KillerCount);

        bool Racing(ref int tail, int iteration)
        {
            if (iteration >= MaxIterations || clock.Elapsed > roundCap)
            {
                return false;
            }

            Interlocked.Increment(ref progress);
            if ((iteration & 15) == 15)
            {
                // Seven busy threads on two cores: let the exiter run, or the race is all racers and no exits.
                Thread.Yield();
            }

            return Volatile.Read(ref exitsDone) == 0 || tail++ < TailIterations;
        }

        var threads = new List<Thread>
        {
            Start(stats, "exiter", () =>
            {
                var order = group.OrderBy(_ => random.Next()).ToList();
                var spin = new Random(seed + 1);
                start.SignalAndWait();
                foreach (TaskStruct task in order)
                {
                    // Paced by the racers' progress, not by time: on a loaded machine the racers may not have run at
                    // all within any fixed delay, and the exits would race nothing.
                    int target = Volatile.Read(ref progress) + spin.Next(1, 80);
                    while (Volatile.Read(ref progress) < target && clock.Elapsed < roundCap)
                    {
                        Thread.Yield();
                    }

                    table.Exit(task);
                    stats.Exit();
                    stats.Operation();
                }

                Volatile.Write(ref exitsDone, 1);
                stats.Raced(clock.Elapsed);
            }),
            Start(stats, "spawner", () =>
            {
                var rng = new Random(seed + 2);
                var live = new List<TaskStruct>();
                int tail = 0;
                start.SignalAndWait();
                for (int i = 0; Racing(ref tail, i); i++)
                {
                    stats.Operation();
                    if (live.Count > 4 || (live.Count > 0 && rng.Next(2) == 0))
                    {
                        // Exiting newcomers frees their numbers, so the group's numbers and new ones get reused.
                        int k = rng.Next(live.Count);
                        table.Exit(live[k]);
                        live.RemoveAt(k);
                        continue;
                    }

                    try
                    {
                        TaskStruct task = table.Spawn("newcomer").Get();
                        newcomers.Enqueue(task);
                        live.Add(task);
                    }
                    catch (InvalidOperationException ex) when (ex is not TrefDisciplineException)
                    {
                        // Every pid is in use by a task, group or session of this round: fine, try again later.
                    }
                }

                foreach (TaskStruct task in live)
                {
                    table.Exit(task);
                }
            }),
            Start(stats, "pinner", () =>
            {
                var rng = new Random(seed + 3);
                int tail = 0;
                start.SignalAndWait();
                for (int i = 0; Racing(ref tail, i); i++)
                {
                    stats.Operation();
                    TaskRef r = refs[rng.Next(refs.Count)];
                    if (rng.Next(4) == 0)
                    {
                        ThrowOutOfAGuard(table, r, groupSet, stats);
                        continue;
                    }

                    if (rng.Next(3) == 0)
                    {
                        // By number: the newcomers' pids have no tref yet, so this lookup allocates (and may fail).
                        LookUpByNumber(table, faults, rng, stats);
                        continue;
                    }

                    TaskStruct? task = r.GetTask();
                    if (task is null)
                    {
                        continue;
                    }

                    stats.Pin();
                    try
                    {
                        if (!groupSet.Contains(task))
                        {
                            stats.Fail($"{r} pinned {task}, which is not of the group the tref was taken for");
                        }

                        _ = task.Name; // pinned: readable even if it exits right now
                        var type = (PidType)rng.Next(4);
                        faults.FailNextAllocation(rng.Next(4) == 0);
                        TaskRef found = Tref.GetByTask(task, type);
                        stats.Lookup();
                        if (faults.TakeInjected())
                        {
                            stats.AllocationFailure();
                            if (!ReferenceEquals(found, TaskRef.None))
                            {
                                stats.Fail($"the allocation failed, yet GetByTask returned {found}");
                            }
                        }

                        if (!ReferenceEquals(found, TaskRef.None) && (found.Type != type || found.RefCount < 1))
                        {
                            stats.Fail($"GetByTask({task}, {type}) returned {found}");
                        }

                        found.Put();
                    }
                    finally
                    {
                        task.Put();
                    }
                }
            }),
            Start(stats, "copier", () =>
            {
                var rng = new Random(seed + 4);
                int tail = 0;
                start.SignalAndWait();
                for (int i = 0; Racing(ref tail, i); i++)
                {
                    stats.Operation();
                    if (rng.Next(2) == 0)
                    {
                        TaskRef r = refs[rng.Next(refs.Count)];
                        r.Get().Put();
                    }
                    else
                    {
                        // A pin racing Exit dropping the table's two references (the test's own pin keeps it unfreed).
                        TaskStruct task = group[rng.Next(group.Count)];
                        task.Get().Put();
                    }
                }
            }),
            Start(stats, "checker", () =>
            {
                int tail = 0;
                start.SignalAndWait();
                for (int i = 0; Racing(ref tail, i); i += 50)
                {
                    stats.InvariantCheck(table.FindInvariantViolations());
                    Thread.Yield();
                }
            }),
        };

        for (int k = 0; k < KillerCount; k++)
        {
            int killer = k;
            threads.Add(Start(stats, "killer " + k, () =>
            {
                var rng = new Random(seed + 10 + killer);
                int signal = FirstKillerSignal + killer;
                int tail = 0;
                start.SignalAndWait();
                for (int i = 0; Racing(ref tail, i); i++)
                {
                    stats.Operation();
                    int delivered = Tref.Kill(refs[rng.Next(refs.Count)], signal);
                    if (delivered < 0 || delivered > group.Count)
                    {
                        stats.Fail($"Kill reported {delivered} tasks; the group has {group.Count}");
                    }

                    killed[killer] += delivered;
                    stats.Kill(delivered);
                }
            }));
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        CheckAfterTheRace(table, group, refs, newcomers, killed, stats);
        stats.Round();
    }

    private static List<TaskStruct> BuildGroup(TaskTable table, Random random)
    {
        TaskStruct leader = table.Spawn("leader");
        var group = new List<TaskStruct> { leader, table.SpawnThread(leader, "leader thread") };
        TaskStruct child = table.Spawn("child", leader);
        group.Add(child);
        if (random.Next(2) == 0)
        {
            group.Add(table.SpawnThread(child, "child thread"));
        }

        // A second process group in the same session.
        TaskStruct other = table.Spawn("other group", leader);
        table.SetPgid(other, 0);
        group.Add(other);
        group.Add(table.Spawn("other member", other));
        return group;
    }

    private static void LookUpByNumber(TaskTable table, AllocationFaults faults, Random random, ReliabilityStats stats)
    {
        int nr = random.Next(1, table.PidMax);
        var type = (PidType)random.Next(4);
        faults.FailNextAllocation(random.Next(3) == 0);
        TaskRef found = Tref.GetByPid(table, nr, type);
        stats.Lookup();
        if (faults.TakeInjected())
        {
            stats.AllocationFailure();
            if (!ReferenceEquals(found, TaskRef.None))
            {
                stats.Fail($"the allocation failed, yet GetByPid returned {found}");
            }
        }

        if (!ReferenceEquals(found, TaskRef.None) && (found.Type != type || found.Nr != nr || found.RefCount < 1))
        {
            stats.Fail($"GetByPid({nr}, {type}) returned {found}");
        }

        found.Put();
    }

    private static void ThrowOutOfAGuard(TaskTable table, TaskRef r, HashSet<TaskStruct> group, ReliabilityStats stats)
    {
        try
        {
            using TasklistReadGuard guard = table.ReadLock();
            TaskStruct? task = guard.TaskOf(r);
            if (task is not null && (!group.Contains(task) || task.HasExited))
            {
                stats.Fail($"under the lock {r} names {task}");
            }

            throw new GuardScopeException();
        }
        catch (GuardScopeException)
        {
            stats.GuardException();
        }

        if (table.IsLockHeld)
        {
            stats.Fail("the lock is still held after an exception left the guard's scope");
        }
    }

    private static void CheckAfterTheRace(TaskTable table, List<TaskStruct> group, List<TaskRef> refs, ConcurrentQueue<TaskStruct> newcomers, long[] killed, ReliabilityStats stats)
    {
        foreach (TaskRef r in refs)
        {
            if (r.IsAlive || r.GetTask() is not null || Tref.Kill(r, 0) != 0)
            {
                stats.Fail($"{r} still names a task after its whole group exited");
            }
        }

        var received = new long[KillerCount];
        foreach (TaskStruct task in group)
        {
            foreach (int signal in task.TakePendingSignals())
            {
                received[signal - FirstKillerSignal]++;
            }
        }

        foreach (TaskStruct task in newcomers)
        {
            if (task.TakePendingSignals().Count > 0)
            {
                stats.Fail($"{task} got the number of a group member and a signal sent through that member's tref");
            }
        }

        for (int k = 0; k < KillerCount; k++)
        {
            if (received[k] != killed[k])
            {
                stats.Fail($"killer {k}: Kill reported {killed[k]} deliveries, the group received {received[k]}");
            }
        }

        foreach (TaskRef r in refs)
        {
            r.Put();
        }

        foreach (TaskStruct task in group)
        {
            task.Put();
            if (!task.IsFreed)
            {
                stats.Fail($"{task} was not freed by its last put");
            }
        }

        foreach (TaskStruct task in newcomers)
        {
            task.Put();
        }

        if (table.LiveTasks != 0 || table.LiveRefCount != 0)
        {
            stats.Fail($"after the round: {table}");
        }

        IReadOnlyList<OutstandingReference> owned = table.OutstandingRefs;
        if (owned.Count != 0)
        {
            stats.Fail("still owned after the round:\n" + string.Join("\n", owned));
        }

        stats.InvariantCheck(table.FindInvariantViolations());
    }

    private static Thread Start(ReliabilityStats stats, string name, Action body)
        => new(() =>
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                stats.Fail($"{name} threw {ex}");
            }
        })
        {
            Name = name,
            IsBackground = true,
        };

    private sealed class GuardScopeException : Exception
    {
        public GuardScopeException()
            : base("injected inside the guard's scope")
        {
        }
    }
}
