using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests.Reliability;

/// <summary>
/// Exit racing GetTask, Put and Kill from several threads (<see cref="ExitRaceWorkload"/>): fixed seeds, bounded
/// by a round count and a time cap, on one long-lived table with the leak tracker on, so that pids wrap across
/// rounds. StressTests covers lookups against regrouping; this covers what happens to held trefs, pinned tasks and
/// signals while their tasks exit, with the invariant checker running during the race, not only after it.
/// </summary>
[Collection(NoneCountCollection.Name)]
public sealed class ExitRaceTests
{
    private const int Rounds = 150;
    private const int FirstSeed = 9_000;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan RoundCap = TimeSpan.FromSeconds(2);

    private readonly ITestOutputHelper _output;

    public ExitRaceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void ExitRacingGetTaskPutAndKillKeepsEveryInvariantAndLeaksNothing()
    {
        TaskTable table = ExitRaceWorkload.NewTable();
        var faults = new AllocationFaults(table);
        var stats = new ReliabilityStats();
        int noneBefore = TaskRef.None.RefCount;
        var clock = Stopwatch.StartNew();

        for (int round = 0; round < Rounds && clock.Elapsed < TimeCap && stats.Failures.IsEmpty; round++)
        {
            ExitRaceWorkload.RunRound(table, faults, FirstSeed + round, stats, RoundCap);
        }

        _output.WriteLine($"{stats} in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(stats.Failures.IsEmpty, string.Join("\n", stats.Failures));
        Assert.Equal(0, stats.InvariantViolations);

        // The cap may cut the run short on a loaded machine; a run that raced nothing proved nothing.
        Assert.True(stats.Rounds >= 5, $"only {stats.Rounds} rounds ran");
        Assert.True(stats.Kills > 0 && stats.SignalsDelivered > 0 && stats.Pins > 0 && stats.GuardExceptions > 0 && stats.InvariantChecks > stats.Rounds, stats.ToString());
        AssertNothingOwned(table);
        AssertSound(table);
        Assert.Equal(noneBefore, TaskRef.None.RefCount);
    }
}
