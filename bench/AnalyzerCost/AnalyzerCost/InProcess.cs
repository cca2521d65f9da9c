using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Runtime;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.AnalyzerCost;

/// <summary>One in-process analysis: the analyzers' own time from Roslyn's telemetry, and the wall time around it.</summary>
internal sealed class InProcessResult
{
    public required IReadOnlyDictionary<string, TimeSpan> ExecutionTime { get; init; }

    public TimeSpan TotalExecutionTime => ExecutionTime.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    /// <summary>GetAnalysisResultAsync end to end: binding and the driver included.</summary>
    public required TimeSpan Wall { get; init; }

    public required ImmutableArray<Diagnostic> Diagnostics { get; init; }

    /// <summary>Bytes allocated during the analysis, the compiler's binding included.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Garbage collections during the analysis: 0 unless its allocations outgrew the no-GC budget.</summary>
    public required int Collections { get; init; }
}

/// <summary>Runs analyzers over a compilation in this process with <see cref="CompilationWithAnalyzers"/>.</summary>
internal static class InProcess
{
    /// <summary>Every analyzer TrefGuard.Analyzers declares (whatever rule families exist at the time of the run).</summary>
    public static ImmutableArray<DiagnosticAnalyzer> TrefGuardAnalyzers()
        => typeof(TrefGuard.Analyzers.Infrastructure.TrefGuardAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    public static ImmutableArray<DiagnosticAnalyzer> FloorAnalyzers() => ImmutableArray.Create<DiagnosticAnalyzer>(new Floor.FloorAnalyzer());

    /// <summary>
    /// Analyzes on one thread (concurrent analysis off) so that execution times add up to the time spent, and fails on
    /// an analyzer exception: a crash must not pass for a fast analyzer.
    /// </summary>
    /// <param name="bindReferences">
    /// Bind the compilation's references and global namespace first, as the compiler and the IDE have by the time
    /// analyzers run; otherwise the first analyzer to look up a type pays for the whole compilation's reference binding.
    /// </param>
    public static async Task<InProcessResult> AnalyzeAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, bool bindReferences = true)
    {
        if (bindReferences)
        {
            _ = compilation.GlobalNamespace.GetMembers();
        }

        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, _) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: true);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);

        // A collection is charged to whichever analyzer happens to run when it starts: 5 to 9 of them, 150 to 300 ms in
        // all, fell in each analysis of 2,000 methods, as much as the analyzers' own time. Allocations are counted
        // instead, and reported beside the times.
        var noGc = TryStartNoGCRegion();
        var collections = GC.CollectionCount(0);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var result = await withAnalyzers.GetAnalysisResultAsync(CancellationToken.None);
        stopwatch.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        collections = GC.CollectionCount(0) - collections;
        if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }

        if (!exceptions.IsEmpty)
        {
            throw new InvalidOperationException("An analyzer threw:\n" + string.Join("\n", exceptions));
        }

        var crashes = result.GetAllDiagnostics().Where(d => d.Id == "AD0001").ToList();
        if (crashes.Count > 0)
        {
            throw new InvalidOperationException("An analyzer crashed:\n" + string.Join("\n", crashes));
        }

        return new InProcessResult
        {
            ExecutionTime = analyzers.ToDictionary(a => a.GetType().Name, a => result.AnalyzerTelemetryInfo[a].ExecutionTime),
            Wall = stopwatch.Elapsed,
            Diagnostics = result.GetAllDiagnostics(),
            AllocatedBytes = allocated,
            Collections = collections,
        };
    }

    /// <summary>Room for an analysis of the largest in-process corpus (20,000 methods) without a collection.</summary>
    private const long NoGCBudget = 8L << 30;

    private static bool TryStartNoGCRegion()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }

        try
        {
            return GC.TryStartNoGCRegion(NoGCBudget);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A runtime that cannot set aside that much: the analysis runs with collections, and says how many.
            return false;
        }
    }

    /// <summary>
    /// Runs each analyzer set <paramref name="repetitions"/> times, the sets back to back within a repetition (in an
    /// order that rotates), each on a fresh compilation. On a shared machine the load changes from minute to minute;
    /// measured this way, the sets of one repetition meet the same load, and a ratio of two sets is best taken per
    /// repetition (<see cref="MedianRatio"/>).
    /// </summary>
    public static async Task<List<InProcessResult>[]> InterleaveAsync(Func<Compilation> compilation, IReadOnlyList<ImmutableArray<DiagnosticAnalyzer>> sets, int repetitions)
    {
        var results = sets.Select(_ => new List<InProcessResult>()).ToArray();
        for (var i = 0; i < repetitions; i++)
        {
            for (var j = 0; j < sets.Count; j++)
            {
                var set = (i + j) % sets.Count;
                var fresh = compilation();

                // Garbage left by the previous analysis would be collected, and charged, inside this one.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                results[set].Add(await AnalyzeAsync(fresh, sets[set]));
            }
        }

        return results;
    }

    /// <summary>The median over repetitions of one set's analyzer time over another's, measured side by side.</summary>
    public static double MedianRatio(IReadOnlyList<InProcessResult> numerator, IReadOnlyList<InProcessResult> denominator)
        => Stats.Median(numerator.Zip(denominator, (n, d) => n.TotalExecutionTime.TotalMilliseconds / d.TotalExecutionTime.TotalMilliseconds));

    /// <summary>Runs <paramref name="repetitions"/> analyses, each on a fresh compilation so nothing bound or cached carries over.</summary>
    public static async Task<List<InProcessResult>> RepeatAsync(Func<Compilation> compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, int repetitions, bool bindReferences = true)
    {
        var results = new List<InProcessResult>();
        for (var i = 0; i < repetitions; i++)
        {
            results.Add(await AnalyzeAsync(compilation(), analyzers, bindReferences));
        }

        return results;
    }
}
