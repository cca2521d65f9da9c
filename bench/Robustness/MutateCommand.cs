using System;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Tests.Robustness;

namespace TrefGuard.Robustness;

/// <summary>The full mutation run: the same engine as the tests' fast slice, thousands of variants.</summary>
internal static class MutateCommand
{
    internal sealed record Options(
        int Variants,
        int Seed,
        int From,
        int? Only,
        int BudgetMilliseconds,
        bool WallBudget,
        DirectoryInfo[] CostCorpus,
        double? TimeCapMinutes,
        int HangSeconds,
        DirectoryInfo? Out,
        int ProgressEvery,
        bool ReanalyzeFixes,
        string CommandLine);

    public static int Run(Options options)
    {
        var root = RepositoryRoot();
        var corpus = MutationCorpus.Load(root, options.CostCorpus.Select(d => d.FullName));
        var runner = new MutationRunner(References(), TimeSpan.FromMilliseconds(options.BudgetMilliseconds), options.WallBudget, options.ReanalyzeFixes);
        Console.WriteLine(options.CommandLine);
        Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; load average: {LoadAverage()}");
        foreach (var note in corpus.Notes)
        {
            Console.WriteLine(note);
        }

        Console.WriteLine($"{corpus.Units.Length} corpus units, {corpus.AnnotationFiles.Length} annotation files; {runner.Analyzers.Length} analyzers ({string.Join(", ", runner.Analyzers.Select(a => a.GetType().Name))}), {runner.Fixers.Length} code fix providers");
        Console.WriteLine($"budget: {options.BudgetMilliseconds} ms of {(options.WallBudget ? "wall time" : "the smaller of analyzer execution time (telemetry) and analysis CPU time")} per variant; fix outputs {(options.ReanalyzeFixes ? "re-analyzed" : "not re-analyzed")}");

        var settings = options.Only is int only
            ? new MutationSettings(options.Seed, only, 1, null, TimeSpan.FromSeconds(options.HangSeconds))
            : new MutationSettings(options.Seed, options.From, options.Variants, options.TimeCapMinutes is double minutes ? TimeSpan.FromMinutes(minutes) : null, TimeSpan.FromSeconds(options.HangSeconds));
        if (options.Only is not null)
        {
            Console.WriteLine(MutationVariants.Create(corpus, settings.Seed, settings.FirstIndex).Describe());
        }

        if (options.Out is { } outDirectory)
        {
            outDirectory.Create();
        }

        var done = 0;
        var summary = MutationSession.Run(corpus, runner, settings, outcome =>
        {
            done++;
            if (!outcome.Failures.IsEmpty)
            {
                Console.WriteLine($"FAIL variant {outcome.Variant.Index} ({outcome.Variant.Origin}): {string.Join(", ", outcome.Failures.Select(f => f.Kind))}");
                if (options.Out is { } directory)
                {
                    var text = string.Join(Environment.NewLine, outcome.Failures.Select(f => $"{f.Kind}: {f.Detail}")) + Environment.NewLine + outcome.Variant.Describe();
                    File.WriteAllText(Path.Combine(directory.FullName, $"seed{outcome.Variant.Seed}-variant{outcome.Variant.Index}.txt"), text);
                }
            }

            if (options.ProgressEvery > 0 && done % options.ProgressEvery == 0)
            {
                Console.WriteLine($"... {done} variants, {DateTime.UtcNow:HH:mm:ss} UTC");
            }
        });

        Console.WriteLine();
        Console.WriteLine(summary.Report());
        if (summary.Failed.Count > 0)
        {
            Console.WriteLine(summary.FailureReport(max: options.Only is null ? 3 : 1));
        }

        var slowest = summary.SlowestByAnalyzerTime;
        Console.WriteLine("RELIABILITY.md row (variants | exceptions | failing variants | slowest: telemetry / analysis CPU / budgeted, ms | command | date):");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {summary.Ran} | {summary.Exceptions} | {summary.Failed.Count} | {slowest?.AnalyzerTime.TotalMilliseconds:F0} / {summary.SlowestByCpuTime?.AnalysisCpuTime.TotalMilliseconds:F0} / {summary.SlowestBudgeted?.Budgeted.TotalMilliseconds:F0} | `{options.CommandLine}` | {DateTime.UtcNow:yyyy-MM-dd} |"));
        return summary.Failed.Count == 0 ? 0 : 1;
    }

    public static int Replay(FileInfo[] files, int budgetMilliseconds, bool wallBudget, bool reanalyzeFixes)
    {
        var sources = files.Where(f => f.Extension == ".cs").Select(f => new MutationFile(f.Name, File.ReadAllText(f.FullName))).ToImmutableArray();
        var additional = files.Where(f => f.Extension != ".cs").Select(f => new MutationFile(f.Name, File.ReadAllText(f.FullName))).ToImmutableArray();
        var variant = new MutationVariant(0, 0, "replay", -1, false, ImmutableArray.Create("none: replayed from files"), sources, additional);
        var runner = new MutationRunner(References(), TimeSpan.FromMilliseconds(budgetMilliseconds), wallBudget, reanalyzeFixes);
        var outcome = runner.RunAsync(variant, System.Threading.CancellationToken.None).GetAwaiter().GetResult();
        Console.WriteLine($"wall {outcome.Wall.TotalMilliseconds:F0} ms, analyzers {outcome.AnalyzerTime.TotalMilliseconds:F0} ms, fixes {outcome.FixTime.TotalMilliseconds:F0} ms; {outcome.TrefGuardDiagnostics} TrefGuard diagnostics, {outcome.FixesApplied} fixes applied");
        foreach (var diagnostic in outcome.Diagnostics)
        {
            Console.WriteLine(diagnostic);
        }

        foreach (var failure in outcome.Failures)
        {
            Console.WriteLine($"{failure.Kind}: {failure.Detail}");
        }

        return outcome.Failures.IsEmpty ? 0 : 1;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static ImmutableArray<MetadataReference> References()
    {
        var directory = Path.Combine(Metadata("NetCoreTargetingPackRoot"), "Microsoft.NETCore.App.Ref", Metadata("BundledNETCoreAppPackageVersion"), "ref", Metadata("TargetFramework"));
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"The reference pack folder '{directory}' does not exist: rebuild with the SDK that runs this.");
        }

        return Directory.EnumerateFiles(directory, "*.dll")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(TrefGuard.TaskRef).Assembly.Location))
            .ToImmutableArray();
    }

    private static string Metadata(string key)
        => typeof(MutateCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Robustness has no AssemblyMetadata '{key}'.");

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "TrefGuard.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("TrefGuard.sln not found above the tool or the current folder.");
    }
}
