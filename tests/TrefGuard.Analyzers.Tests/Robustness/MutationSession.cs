using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>Limits of one mutation run.</summary>
/// <param name="Seed">The seed every variant derives from.</param>
/// <param name="FirstIndex">The first variant index.</param>
/// <param name="Variants">How many variants at most.</param>
/// <param name="TimeCap">Stop starting new variants after this much wall time (null: no cap).</param>
/// <param name="HangTimeout">A variant still running after this long is a hang: recorded, and the run stops.</param>
public sealed record MutationSettings(int Seed, int FirstIndex, int Variants, TimeSpan? TimeCap, TimeSpan HangTimeout);

/// <summary>The totals of a mutation run.</summary>
public sealed class MutationSummary
{
    public int Ran { get; set; }

    public int Requested { get; set; }

    public bool StoppedByTimeCap { get; set; }

    public bool StoppedByHang { get; set; }

    public TimeSpan Elapsed { get; set; }

    public long TrefGuardDiagnostics { get; set; }

    public long FixesApplied { get; set; }

    public long DiagnosticsNotTried { get; set; }

    public List<VariantOutcome> Failed { get; } = new();

    public Dictionary<MutationFailureKind, int> FailuresByKind { get; } = new();

    public Dictionary<string, int> Mutations { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct failures (kind, exception type and throwing TrefGuard frame, or fixer): count and first variant.</summary>
    public Dictionary<string, (int Count, int FirstVariant)> Signatures { get; } = new(StringComparer.Ordinal);

    public VariantOutcome? SlowestByAnalyzerTime { get; set; }

    public VariantOutcome? SlowestByWallTime { get; set; }

    public VariantOutcome? SlowestByCpuTime { get; set; }

    public VariantOutcome? SlowestBudgeted { get; set; }

    public int Exceptions =>
        FailuresByKind.Where(p => p.Key is MutationFailureKind.AnalyzerException or MutationFailureKind.AnalyzerCrashDiagnostic or MutationFailureKind.FixerThrew).Sum(p => p.Value);

    public string Report()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"variants: {Ran} of {Requested} requested");
        if (StoppedByTimeCap)
        {
            text.Append(" (stopped by the time cap)");
        }

        if (StoppedByHang)
        {
            text.Append(" (stopped by a hang)");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $" in {Elapsed.TotalSeconds:F1} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"TrefGuard diagnostics: {TrefGuardDiagnostics}; fixes applied: {FixesApplied}; diagnostics over the per-variant cap, not fixed: {DiagnosticsNotTried}");
        text.AppendLine(CultureInfo.InvariantCulture, $"failing variants: {Failed.Count}; exceptions (analyzer, AD0001, fixer): {Exceptions}");
        foreach (var kind in Enum.GetValues<MutationFailureKind>())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind}: {FailuresByKind.GetValueOrDefault(kind)}");
        }

        if (SlowestByAnalyzerTime is { } slowest)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"slowest variant by analyzer execution time: {slowest.AnalyzerTime.TotalMilliseconds:F0} ms (variant {slowest.Variant.Index}, {slowest.Variant.Origin}; analysis CPU {slowest.AnalysisCpuTime.TotalMilliseconds:F0} ms, wall {slowest.Wall.TotalMilliseconds:F0} ms)");
        }

        if (SlowestBudgeted is { } budgeted)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"slowest variant by the budgeted measure (smaller of the two): {budgeted.Budgeted.TotalMilliseconds:F0} ms (variant {budgeted.Variant.Index}, {budgeted.Variant.Origin})");
        }

        if (SlowestByCpuTime is { } slowestCpu)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"most analysis CPU time: {slowestCpu.AnalysisCpuTime.TotalMilliseconds:F0} ms (variant {slowestCpu.Variant.Index}, {slowestCpu.Variant.Origin}; analyzers {slowestCpu.AnalyzerTime.TotalMilliseconds:F0} ms)");
        }

        if (SlowestByWallTime is { } slowestWall)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"slowest variant by wall time: {slowestWall.Wall.TotalMilliseconds:F0} ms (variant {slowestWall.Variant.Index}, {slowestWall.Variant.Origin}; analyzers {slowestWall.AnalyzerTime.TotalMilliseconds:F0} ms, fixes {slowestWall.FixTime.TotalMilliseconds:F0} ms)");
        }

        foreach (var (signature, (count, first)) in Signatures.OrderByDescending(p => p.Value.Count))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {count} x {signature} (first: variant {first})");
        }

        text.AppendLine("mutations applied: " + string.Join(", ", Mutations.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        return text.ToString();
    }

    /// <summary>Each failing variant with its failures and its source, the first <paramref name="max"/> in full.</summary>
    public string FailureReport(int max)
    {
        var text = new StringBuilder();
        foreach (var outcome in Failed.Take(max))
        {
            text.AppendLine("==========");
            foreach (var failure in outcome.Failures)
            {
                text.Append(failure.Kind).Append(": ").AppendLine(failure.Detail);
            }

            text.AppendLine(outcome.Variant.Describe());
        }

        if (Failed.Count > max)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"... and {Failed.Count - max} more failing variants: {string.Join(", ", Failed.Skip(max).Select(f => f.Variant.Index))}");
        }

        return text.ToString();
    }
}

/// <summary>Runs variants one after another, within a count, a time cap and a per-variant hang timeout.</summary>
public static class MutationSession
{
    public static MutationSummary Run(MutationCorpus corpus, MutationRunner runner, MutationSettings settings, Action<VariantOutcome>? onOutcome = null)
    {
        var summary = new MutationSummary { Requested = settings.Variants };

        // The first analysis in a process pays for JIT-compiling the analyzers, Roslyn's driver and the fixers;
        // charged to a variant, that would fail the budget for a cost no user sees twice. The first unit of each
        // source (tests, samples, cost corpus), unmutated and not counted, pays it.
        foreach (var warmUp in corpus.Units.GroupBy(u => u.Origin.Split('/')[0]).Select(g => g.First()))
        {
            runner.RunAsync(new MutationVariant(settings.Seed, -1, warmUp.Origin, -1, false, ["none: warm-up"], warmUp.Sources, warmUp.AdditionalFiles), CancellationToken.None)
                .Wait(settings.HangTimeout);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < settings.Variants; i++)
        {
            if (settings.TimeCap is { } cap && clock.Elapsed > cap)
            {
                summary.StoppedByTimeCap = true;
                break;
            }

            var variant = MutationVariants.Create(corpus, settings.Seed, settings.FirstIndex + i);
            using var cancellation = new CancellationTokenSource();
            var run = Task.Run(() => runner.RunAsync(variant, cancellation.Token));
            VariantOutcome outcome;
            if (run.Wait(settings.HangTimeout))
            {
                outcome = run.Result;
            }
            else
            {
                // The analysis may ignore cancellation in a loop: the run cannot go on with it still busy.
                cancellation.Cancel();
                outcome = new VariantOutcome(variant, settings.HangTimeout, TimeSpan.Zero, TimeSpan.Zero, 0, 0, 0, [new MutationFailure(MutationFailureKind.Hang, $"still running after {settings.HangTimeout.TotalSeconds:F0} s", "hang")]);
                summary.StoppedByHang = true;
            }

            Record(summary, outcome);
            onOutcome?.Invoke(outcome);
            if (summary.StoppedByHang)
            {
                break;
            }
        }

        summary.Elapsed = clock.Elapsed;
        return summary;
    }

    private static void Record(MutationSummary summary, VariantOutcome outcome)
    {
        summary.Ran++;
        summary.TrefGuardDiagnostics += outcome.TrefGuardDiagnostics;
        summary.FixesApplied += outcome.FixesApplied;
        summary.DiagnosticsNotTried += outcome.DiagnosticsNotTried;
        foreach (var mutation in outcome.Variant.Mutations)
        {
            var name = mutation.Split(':')[0];
            summary.Mutations[name] = summary.Mutations.GetValueOrDefault(name) + 1;
        }

        if (!outcome.Failures.IsEmpty)
        {
            summary.Failed.Add(outcome);
            foreach (var failure in outcome.Failures)
            {
                summary.FailuresByKind[failure.Kind] = summary.FailuresByKind.GetValueOrDefault(failure.Kind) + 1;
                var signature = failure.Signature;
                summary.Signatures[signature] = summary.Signatures.TryGetValue(signature, out var seen)
                    ? (seen.Count + 1, seen.FirstVariant)
                    : (1, outcome.Variant.Index);
            }
        }

        if (summary.SlowestByAnalyzerTime is null || outcome.AnalyzerTime > summary.SlowestByAnalyzerTime.AnalyzerTime)
        {
            summary.SlowestByAnalyzerTime = outcome;
        }

        if (summary.SlowestBudgeted is null || outcome.Budgeted > summary.SlowestBudgeted.Budgeted)
        {
            summary.SlowestBudgeted = outcome;
        }

        if (summary.SlowestByCpuTime is null || outcome.AnalysisCpuTime > summary.SlowestByCpuTime.AnalysisCpuTime)
        {
            summary.SlowestByCpuTime = outcome;
        }

        if (summary.SlowestByWallTime is null || outcome.Wall > summary.SlowestByWallTime.Wall)
        {
            summary.SlowestByWallTime = outcome;
        }
    }
}
