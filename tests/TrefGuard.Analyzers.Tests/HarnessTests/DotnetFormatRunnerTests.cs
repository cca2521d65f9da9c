using System;
using System.Linq;
using System.Threading.Tasks;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

public sealed class DotnetFormatRunnerTests
{
    [Fact]
    public void BuildOutputLinesAreParsed()
    {
        const string output = """
              Determining projects to restore...
            /tmp/p/Sub/A.cs(5,13): warning CS0168: The variable 'x' is declared but never used [/tmp/p/FormatTarget.csproj]
            /tmp/p/A.cs(7,9,7,20): error TG0006: 'Put' takes the 'tasklist' lock, which is already held here (taken on line 6): this deadlocks (https://github.com/trefguard/trefguard/blob/main/docs/rules/TG0006.md) [/tmp/p/FormatTarget.csproj]
            CSC : warning CS8032: no location, not parsed
            Build succeeded.
            """;
        var diagnostics = DotnetFormatRunner.ParseBuildOutput(output, "/tmp/p");
        Assert.Equal(2, diagnostics.Count);
        Assert.Equal(new BuildDiagnostic("Sub/A.cs", 5, 13, "warning", "CS0168", "The variable 'x' is declared but never used"), diagnostics[0]);
        Assert.Equal("TG0006", diagnostics[1].Id);
        Assert.Equal("error", diagnostics[1].Severity);
        Assert.EndsWith("this deadlocks", diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task FormatRunsOnACleanProjectAndTheBuildWarningIsFound()
    {
        const string source = """
            namespace Sample;

            public static class Program
            {
                public static int Answer()
                {
                    int unused;
                    return 42;
                }
            }
            """;
        var result = await DotnetFormatRunner.RunAsync(new[] { ("Program.cs", source) }, "TG0001", "TG0002", "TG0003");

        Assert.True(result.FormatExitCode == 0, result.Describe());
        Assert.Matches("Running [1-9][0-9]* analyzers", result.FormatOutput);
        Assert.True(result.BuildExitCode == 0, result.Describe());
        Assert.Equal(source, result.Sources["Program.cs"]);
        var warning = Assert.Single(result.Diagnostics, d => d.Id == "CS0168");
        Assert.Equal(("Program.cs", 7, 13, "warning"), (warning.FileName, warning.Line, warning.Column, warning.Severity));
        Assert.Empty(result.TrefGuardDiagnostics);
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == "error");
    }
}
