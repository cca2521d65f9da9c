using System;
using System.Diagnostics;
using System.Globalization;
using Xunit;
using Xunit.Abstractions;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests.Reliability;

/// <summary>
/// The opt-in soak: <see cref="ExitRaceWorkload"/> rounds back to back on one table for minutes, the leak tracker
/// on, allocation failures and guard exceptions injected throughout. It ends with OutstandingRefs empty, the table
/// sound and TaskRef.None's count where it started. Off unless TREFGUARD_SOAK_SECONDS is set:
/// <c>TREFGUARD_SOAK_SECONDS=300 nice -n 10 dotnet test tests/TrefGuard.Runtime.Tests -c Release --filter FullyQualifiedName~Reliability.SoakTests --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(NoneCountCollection.Name)]
public sealed class SoakTests
{
    public const string SecondsVariable = "TREFGUARD_SOAK_SECONDS";
    private const int FirstSeed = 20_000;
    private static readonly TimeSpan RoundCap = TimeSpan.FromSeconds(5);

    private readonly ITestOutputHelper _output;

    public SoakTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void SoakEndsWithNothingOutstanding()
    {
        string? setting = Environment.GetEnvironmentVariable(SecondsVariable);
        if (string.IsNullOrWhiteSpace(setting))
        {
            _output.WriteLine($"Soak skipped: set {SecondsVariable} (for example 300) to run it.");
            return;
        }

        var duration = TimeSpan.FromSeconds(double.Parse(setting, CultureInfo.InvariantCulture));
        TaskTable table = ExitRaceWorkload.NewTable();
        var faults = new AllocationFaults(table);
        var stats = new ReliabilityStats();
        int noneBefore = TaskRef.None.RefCount;
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromSeconds(30);
        for (int round = 0; clock.Elapsed < duration && stats.Failures.IsEmpty; round++)
        {
            ExitRaceWorkload.RunRound(table, faults, FirstSeed + round, stats, RoundCap);
            if (clock.Elapsed > nextReport)
            {
                _output.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] {stats}");
                nextReport += TimeSpan.FromSeconds(30);
            }
        }

        table.AllocationFailureHook = null;
        int outstanding = table.OutstandingRefs.Count;
        _output.WriteLine($"soak of {duration.TotalSeconds:F0} s (ran {clock.Elapsed.TotalSeconds:F1} s): {stats}; OutstandingRefs at the end: {outstanding}; TaskRef.None count {TaskRef.None.RefCount} (was {noneBefore})");
        Assert.True(stats.Failures.IsEmpty, string.Join("\n", stats.Failures));
        Assert.Equal(0, stats.InvariantViolations);
        AssertNothingOwned(table);
        AssertSound(table);
        Assert.Equal(noneBefore, TaskRef.None.RefCount);
    }
}
