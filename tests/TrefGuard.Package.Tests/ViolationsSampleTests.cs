using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace TrefGuard.Package.Tests;

/// <summary>
/// samples/Violations, the README's first command: its build reports exactly the diagnostics listed in
/// expected-diagnostics.txt (read from the SARIF log the project writes), so a rule that stops firing, or starts
/// firing where it should not, fails CI.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(SampleBuildCollection.Name)]
public sealed class ViolationsSampleTests : IClassFixture<ViolationsBuild>
{
    private static readonly Regex RuleComment = new(@"(//|#).*\b(TG\d{4})\b", RegexOptions.CultureInvariant);

    private readonly ViolationsBuild _build;

    public ViolationsSampleTests(ViolationsBuild build) => _build = build;

    [Fact]
    public void Build_ReportsExactlyTheExpectedDiagnostics()
    {
        var expected = File.ReadAllLines(Path.Combine(_build.Directory, "expected-diagnostics.txt"))
            .Where(line => line.Length > 0)
            .ToList();
        var actual = _build.TrefGuardResults.Select(r => $"{r.RuleId} {r.File}:{r.Line.ToString(CultureInfo.InvariantCulture)}").OrderBy(l => l, StringComparer.Ordinal).ToList();

        Assert.Equal(expected.OrderBy(l => l, StringComparer.Ordinal), expected);
        var missing = expected.Except(actual).ToList();
        var unexpected = actual.Except(expected).ToList();
        Assert.True(
            missing.Count == 0 && unexpected.Count == 0 && expected.Count == actual.Count,
            $"expected-diagnostics.txt and the build differ.\nNo longer reported:\n  {string.Join("\n  ", missing)}\nNewly reported:\n  {string.Join("\n  ", unexpected)}\nThe build's full list:\n  {string.Join("\n  ", _build.TrefGuardResults)}");
    }

    [Fact]
    public void Build_ReportsEveryRule()
    {
        var reported = _build.TrefGuardResults.Select(r => r.RuleId).ToHashSet(StringComparer.Ordinal);
        var missing = Enumerable.Range(1, 12).Select(n => $"TG{n:D4}").Where(id => !reported.Contains(id)).ToList();

        Assert.True(missing.Count == 0, "rules without a diagnostic in samples/Violations: " + string.Join(", ", missing));
    }

    [Fact]
    public void Build_SucceedsWithoutAnalyzerCrashesOrOtherWarnings()
    {
        // Every finding is a TrefGuard one: a compiler warning or an analyzer crash (AD0001) would hide among them.
        Assert.Empty(_build.Results.Where(r => !r.RuleId.StartsWith("TG", StringComparison.Ordinal)).Select(r => r.ToString()));
    }

    [Fact]
    public void EveryDiagnostic_SitsUnderACommentNamingItsRule()
    {
        // Each mistake is commented with the rule it shows; a diagnostic whose nearest rule comment names another
        // rule is one the sample does not mean to produce.
        var wrong = new List<string>();
        foreach (var result in _build.TrefGuardResults)
        {
            var lines = File.ReadAllLines(Path.Combine(_build.Directory, result.File));
            string? commented = null;
            for (var i = Math.Min(result.Line, lines.Length) - 1; i >= 0 && commented is null; i--)
            {
                var match = RuleComment.Match(lines[i]);
                if (match.Success)
                {
                    commented = match.Groups[2].Value;
                }
            }

            if (commented != result.RuleId)
            {
                wrong.Add($"{result} (nearest rule comment above: {commented ?? "none"})");
            }
        }

        Assert.True(wrong.Count == 0, "diagnostics not at a mistake commented with their rule:\n  " + string.Join("\n  ", wrong));
    }

    [Fact]
    public void ConsoleOutput_ListsTheDiagnostics()
    {
        // What the README promises a newcomer sees on the console, not only in the log.
        foreach (var result in _build.TrefGuardResults)
        {
            Assert.Contains($"{Path.GetFileName(result.File)}({result.Line.ToString(CultureInfo.InvariantCulture)},", _build.ConsoleOutput, StringComparison.Ordinal);
            Assert.Contains($"warning {result.RuleId}: {result.Message}", _build.ConsoleOutput, StringComparison.Ordinal);
        }
    }
}

/// <summary>Builds samples/Violations once for the test class, with the analyzers really running.</summary>
public sealed class ViolationsBuild
{
    public ViolationsBuild()
    {
        Directory = SampleBuild.ProjectDirectory("Violations");
        var output = new BufferedOutput();
        Results = SampleBuild.Compile("Violations", "violations.sarif", output);
        ConsoleOutput = output.Text;
        TrefGuardResults = Results.Where(r => r.RuleId.StartsWith("TG", StringComparison.Ordinal)).ToList();
    }

    public string Directory { get; }

    internal IReadOnlyList<SarifResult> Results { get; }

    internal IReadOnlyList<SarifResult> TrefGuardResults { get; }

    public string ConsoleOutput { get; }
}
