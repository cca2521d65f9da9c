using System;
using System.IO;
using System.Linq;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;
using Xunit.Abstractions;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>
/// The fast slice of the mutation run: broken variants of the test sources and samples (what the IDE shows the
/// analyzer while someone types) must not crash an analyzer (AD0001), make a fix throw or produce worse syntax
/// than it was given, or take over two seconds. The full run is
/// <c>dotnet run -c Release --project bench/Robustness -- mutate --variants 5000 --seed 1</c> (RELIABILITY.md).
/// The slice runs alone: the budget counts the process's CPU time, which tests running beside it would inflate.
/// </summary>
[Collection(MutationSliceCollection.Name)]
public sealed class MutationTests
{
    public const int Seed = 1;
    public const int SliceVariants = 300;
    public static readonly TimeSpan SliceTimeCap = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private static readonly Lazy<MutationCorpus> s_corpus = new(() => MutationCorpus.Load(RepositoryRoot(), CostCorpusDirectories()));

    private readonly ITestOutputHelper _output;

    public MutationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Corpus_HoldsTheRuleTestSourcesAndEverySample()
    {
        var corpus = s_corpus.Value;
        var samples = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "samples"), "*.csproj", SearchOption.AllDirectories).Count();

        Assert.True(corpus.CountFrom("tests/") >= 100, $"only {corpus.CountFrom("tests/")} test sources: {string.Join("; ", corpus.Notes)}");
        Assert.Equal(samples, corpus.CountFrom("samples/"));
        Assert.Contains(corpus.Units, u => u.Origin.StartsWith("tests/TG0001", StringComparison.Ordinal));
        Assert.Contains(corpus.Units, u => u.Origin.StartsWith("tests/TG0011", StringComparison.Ordinal));
        Assert.NotEmpty(corpus.AnnotationFiles);
        Assert.All(corpus.Units.SelectMany(u => u.Sources), s => Assert.DoesNotContain("{|#", s.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Variants_AreRebuiltExactlyFromSeedAndIndex()
    {
        var corpus = s_corpus.Value;
        for (var index = 0; index < 50; index++)
        {
            var first = MutationVariants.Create(corpus, Seed, index);
            var again = MutationVariants.Create(corpus, Seed, index);
            Assert.Equal(first.Origin, again.Origin);
            Assert.Equal(first.Mutations.AsEnumerable(), again.Mutations.AsEnumerable());
            Assert.Equal(first.Sources.Select(s => s.Text), again.Sources.Select(s => s.Text));
            Assert.Equal(first.AdditionalFiles.Select(s => s.Text), again.AdditionalFiles.Select(s => s.Text));

            // Every variant really differs from the unit it came from.
            var unit = corpus.Units.Single(u => u.Origin == first.Origin);
            Assert.False(
                unit.Sources.Select(s => s.Text).SequenceEqual(first.Sources.Select(s => s.Text))
                && unit.AdditionalFiles.Select(s => s.Text).SequenceEqual(first.AdditionalFiles.Select(s => s.Text)),
                $"variant {index} is unchanged: {string.Join("; ", first.Mutations)}");
        }

        Assert.True(Enumerable.Range(0, 50).Select(i => MutationVariants.Create(corpus, Seed, i).Origin).Distinct().Count() > 25, "variants keep picking the same units");
    }

    [Fact]
    public void FastSlice_NoAnalyzerCrash_NoThrowingFix_NoWorseSyntax_NoSlowVariant()
    {
        var corpus = s_corpus.Value;
        var runner = new MutationRunner(ReferenceAssemblies.Framework.Add(ReferenceAssemblies.Runtime), Budget, budgetOnWallTime: false);
        var settings = new MutationSettings(Seed, FirstIndex: 0, SliceVariants, SliceTimeCap, HangTimeout: TimeSpan.FromSeconds(90));

        var summary = MutationSession.Run(corpus, runner, settings);

        _output.WriteLine(string.Join(Environment.NewLine, corpus.Notes));
        _output.WriteLine($"{runner.Analyzers.Length} analyzers, {runner.Fixers.Length} code fix providers; budget {Budget.TotalMilliseconds} ms per variant (the smaller of analyzer execution time and analysis CPU time)");
        _output.WriteLine(summary.Report());
        Assert.True(summary.Failed.Count == 0, summary.Report() + Environment.NewLine + summary.FailureReport(max: 5));

        // The cap may stop the slice early on a loaded machine, but a slice that ran almost nothing proved nothing.
        Assert.True(summary.Ran >= 20, $"only {summary.Ran} variants ran within {SliceTimeCap.TotalSeconds} s");
        Assert.True(summary.FixesApplied > 0, "no fix was applied: the slice did not exercise the code fixes");
    }

    private static string[] CostCorpusDirectories()
        => (Environment.GetEnvironmentVariable("TREFGUARD_COST_CORPUS") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TrefGuard.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TrefGuard.sln not found");
    }
}

/// <summary>The mutation slice runs after the other tests, alone in the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MutationSliceCollection
{
    public const string Name = "Mutation slice";
}
