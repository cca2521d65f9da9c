using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace TrefGuard.Package.Tests;

/// <summary>
/// The runnable samples as a newcomer meets them: each builds with the analyzers attached and reports nothing of
/// any severity, and `dotnet run` prints what the runtime really did.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(SampleBuildCollection.Name)]
public sealed class SamplesTests : IClassFixture<SamplesBuild>
{
    private readonly SamplesBuild _build;
    private readonly ITestOutputHelper _output;

    public SamplesTests(SamplesBuild build, ITestOutputHelper output)
    {
        _build = build;
        _output = output;
    }

    [Theory]
    [InlineData("JobControl")]
    [InlineData("AsyncNotify")]
    [InlineData("Supervisor")]
    public void Sample_BuildsWithTheAnalyzersAttached_AndNoTrefGuardDiagnostic(string name)
    {
        _output.WriteLine(_build.BuildOutput(name));

        // Info-level findings (TG0010, TG0011) do not fail a build, so the log is the only place they show.
        Assert.Empty(_build.Results(name).Where(r => r.RuleId.StartsWith("TG", StringComparison.Ordinal) || r.RuleId == "AD0001").Select(r => r.ToString()));
    }

    [Fact]
    public void JobControl_ForegroundTrefFollowsTheGroup_GoesNullWithIt_AndNeverNamesTheReusedPid()
    {
        var lines = SampleBuild.Run("JobControl", _output);

        // The pipeline's group outlives its leader: the tref moves to the next member.
        var pipeline = int.Parse(Match(lines, @"^the pipeline is group (\d+) \(find (\d+), grep (\d+)\)").Groups[1].Value, CultureInfo.InvariantCulture);
        var grep = Match(lines, @"^the pipeline is group \d+ \(find \d+, grep (\d+)\)").Groups[1].Value;
        AssertLineAfter(lines, "finishes first and exits", $"tty: foreground group {pipeline}, first member 'grep' (pid {grep}); tcgetpgrp = {pipeline}");

        // ^C reaches the foreground group only, then the group is gone and the tref with it.
        Assert.Contains("SIGINT reached 1 process(es) of the foreground group", lines);
        Assert.Contains("pending: grep SIGINT, sleep none (background jobs are not interrupted)", lines);
        AssertLineAfter(lines, "dies of SIGINT", $"tty: foreground tref (group {pipeline}) is null: the group is gone; tcgetpgrp = none");

        // The pids wrap and an unrelated job leads a new group with the same number: the tref stays null.
        Match(lines, $@"^\d+ jobs: pids up to 63, then wrapped; 'true' got pid {pipeline} and leads a new group {pipeline}$");
        AssertLineAfter(lines, "then wrapped", $"tty: foreground tref (group {pipeline}) is null: the group is gone; tcgetpgrp = none");
        Assert.Contains($"a terminal that kept only the number {pipeline}: group {pipeline} is now 'true' (pid {pipeline}), a process the terminal was never given", lines);
        Assert.Contains($"SIGINT reached 0 process(es); pending: true (pid {pipeline}) none", lines);

        // The session tref follows the session past its leader, and goes null with its last member.
        Assert.Contains("tty: session 1, first member 'sleep' (pid 2); foreground tref (group 1) is null: the group is gone", lines);
        Assert.Contains("tty: session tref (session 1) is null: the session is gone; has a session: False", lines);
        Assert.Equal(2, lines.Count(l => l == "[2]  Done      find / -name '*.c' | grep tref"));
        Assert.Equal("outstanding references after the terminal is closed: 0", lines[^1]);
    }

    [Fact]
    public void AsyncNotify_SignalsTheOwnerOrItsGroup_AndNeverALaterProcessWithItsPid()
    {
        var lines = SampleBuild.Run("AsyncNotify", _output);

        var owner = Match(lines, @"^modemd is pid (\d+); httpd leads group (\d+)");
        var pid = owner.Groups[1].Value;
        var group = owner.Groups[2].Value;

        // F_GETOWN answers with what was set while the owner lives.
        Assert.Contains($"fcntl(3 /dev/ttyS0, F_GETOWN) = {pid}   (a pid-number registry would say {pid})", lines);
        Assert.Contains($"fcntl(4 socket:[8080], F_GETOWN) = -{group}   (a pid-number registry would say -{group})", lines);

        // SIGIO goes to the process, or to every member of the group, which outlives its leader.
        Assert.Contains("data on /dev/ttyS0: SIGIO reached 1 task(s); modemd pending: SIGIO", lines);
        Assert.Contains("connection on socket:[8080]: SIGIO reached 3 task(s); pending: httpd SIGIO, workers SIGIO / SIGIO", lines);
        Assert.Contains("connection on socket:[8080]: SIGIO reached 2 task(s); workers pending: SIGIO / SIGIO", lines);

        // Once the owner is gone F_GETOWN is 0, and stays 0 when its pid is handed to another process.
        AssertLineAfter(lines, "crashes", $"fcntl(3 /dev/ttyS0, F_GETOWN) = 0   (a pid-number registry would say {pid})");
        Match(lines, $@"^\d+ forks later the pids wrapped: 'backup' is now pid {pid}, modemd's old number$");
        AssertLineAfter(lines, "forks later the pids wrapped", $"fcntl(3 /dev/ttyS0, F_GETOWN) = 0   (a pid-number registry would say {pid})");

        // The reused pid gets no SIGIO from the tref registry; the pid-number registry signals it.
        Assert.Contains($"  tref registry: SIGIO reached 0 task(s); backup (pid {pid}) pending: none", lines);
        Assert.Contains($"  pid-number registry: SIGIO reached 1 task(s); backup (pid {pid}) pending: SIGIO", lines);

        Assert.Contains($"fcntl(4 socket:[8080], F_GETOWN) = 0   (a pid-number registry would say -{group})", lines);
        Assert.Contains("data on /dev/ttyS0: SIGIO reached 1 task(s); backup pending: SIGIO", lines);
        Assert.Equal("files closed; outstanding references: 0", lines[^1]);
    }

    [Fact]
    public void Supervisor_TrefsHoldAFractionOfTheMemoryThatPinnedTasksHold()
    {
        var lines = SampleBuild.Run("Supervisor", _output);

        foreach (var how in new[] { "trefs", "TaskStruct references" })
        {
            // Both know which children run, through pid wraps that fool a lookup by number.
            var wave = Match(lines, $@"^\[{how}\] last wave running: (\d+) of 5000 records say running; by pid number (\d+) do \(pids wrapped (\d+) times\)$");
            Assert.Equal("50", wave.Groups[1].Value);
            Assert.True(int.Parse(wave.Groups[2].Value, CultureInfo.InvariantCulture) > 50, wave.Value);
            Assert.True(int.Parse(wave.Groups[3].Value, CultureInfo.InvariantCulture) >= 4, wave.Value);

            Match(lines, $@"^\[{how}\] all 5000 workers exited: 0 records say running; ");
            Match(lines, $@"^\[{how}\] records dropped: .* outstanding references: 0$");
        }

        // Each pinned task keeps its 8 KiB stack; a tref is a few dozen bytes.
        var pinnedPerChild = int.Parse(Match(lines, @"^\[TaskStruct references\] all 5000 workers exited: .*\((\d+) bytes per child\)$").Groups[1].Value, CultureInfo.InvariantCulture);
        var trefPerChild = int.Parse(Match(lines, @"^\[trefs\] all 5000 workers exited: .*\((\d+) bytes per child\)$").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(pinnedPerChild, 8192, 16384);
        Assert.InRange(trefPerChild, 1, 512);

        var ratio = double.Parse(Match(lines, @"^memory held: trefs [\d.]+ KiB, TaskStruct references [\d.]+ KiB: ([\d.]+)x$").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(ratio >= 20, $"pinning held only {ratio}x the memory of trefs");
    }

    private static System.Text.RegularExpressions.Match Match(IReadOnlyList<string> lines, string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        foreach (var line in lines)
        {
            var match = regex.Match(line);
            if (match.Success)
            {
                return match;
            }
        }

        throw new Xunit.Sdk.XunitException($"No line matches /{pattern}/ in:\n{string.Join('\n', lines)}");
    }

    /// <summary>The first line that follows the first line containing <paramref name="marker"/> equals <paramref name="expected"/>.</summary>
    private static void AssertLineAfter(IReadOnlyList<string> lines, string marker, string expected)
    {
        var index = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Contains(marker, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

        Assert.True(index >= 0 && index + 1 < lines.Count, $"no line containing '{marker}' followed by another");
        Assert.Equal(expected, lines[index + 1]);
    }
}

/// <summary>Builds the runnable samples once for the test class, with the analyzers really running.</summary>
public sealed class SamplesBuild
{
    private readonly Dictionary<string, (IReadOnlyList<SarifResult> Results, string Output)> _builds = new(StringComparer.Ordinal);

    public SamplesBuild()
    {
        foreach (var name in new[] { "JobControl", "AsyncNotify", "Supervisor" })
        {
            var output = new BufferedOutput();
            _builds.Add(name, (SampleBuild.Compile(name, $"{name}.sarif", output), output.Text));
        }
    }

    internal IReadOnlyList<SarifResult> Results(string name) => _builds[name].Results;

    internal string BuildOutput(string name) => _builds[name].Output;
}

/// <summary>Sample builds share the runtime's and the analyzers' outputs: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SampleBuildCollection
{
    public const string Name = "Sample builds";
}

/// <summary>One result of a SARIF log: rule, file (relative to its project), line and message.</summary>
internal sealed record SarifResult(string RuleId, string File, int Line, string Message)
{
    public override string ToString() => $"{RuleId} {File}:{Line.ToString(CultureInfo.InvariantCulture)} {Message}";
}

/// <summary>Builds and runs the projects under samples/ the way the README tells a newcomer to.</summary>
internal static class SampleBuild
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ProjectDirectory(string name) => Path.Combine(RepositoryRoot, "samples", name);

    /// <summary>
    /// Builds a sample so that the compiler, and with it every analyzer, really runs (an up-to-date project would
    /// skip it and leave an old log), and returns the results of the SARIF log its project file asks for.
    /// </summary>
    public static IReadOnlyList<SarifResult> Compile(string name, string sarifFileName, ITestOutputHelper output)
    {
        var directory = ProjectDirectory(name);
        var sarif = Path.Combine(directory, "obj", sarifFileName);
        File.Delete(sarif);
        File.SetLastWriteTimeUtc(Path.Combine(directory, "Program.cs"), DateTime.UtcNow);

        var (exitCode, text) = Dotnet($"build \"{Path.Combine(directory, name + ".csproj")}\" -c Debug", output);
        Assert.True(exitCode == 0, text);
        Assert.True(File.Exists(sarif), $"the build wrote no {sarif}:\n{text}");
        return ReadSarif(sarif, directory);
    }

    /// <summary>`dotnet run` of a sample that <see cref="Compile"/> built; returns its output lines.</summary>
    public static IReadOnlyList<string> Run(string name, ITestOutputHelper output)
    {
        var project = Path.Combine(ProjectDirectory(name), name + ".csproj");
        var (exitCode, text) = Dotnet($"run --project \"{project}\" -c Debug --no-build", output);
        Assert.True(exitCode == 0, text);
        return text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }

    public static IReadOnlyList<SarifResult> ReadSarif(string path, string projectDirectory)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var results = new List<SarifResult>();
        foreach (var run in document.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out var runResults))
            {
                continue;
            }

            foreach (var result in runResults.EnumerateArray())
            {
                // A result silenced by #pragma or [SuppressMessage] stays in the log, marked, but was not reported.
                if (result.TryGetProperty("suppressions", out var suppressions) && suppressions.GetArrayLength() > 0)
                {
                    continue;
                }

                var ruleId = result.GetProperty("ruleId").GetString()!;
                var message = result.GetProperty("message").GetProperty("text").GetString() ?? "";
                var file = "";
                var line = 0;
                if (result.TryGetProperty("locations", out var locations) && locations.GetArrayLength() > 0)
                {
                    var physical = locations[0].GetProperty("physicalLocation");
                    var uri = new Uri(physical.GetProperty("artifactLocation").GetProperty("uri").GetString()!);
                    file = Path.GetRelativePath(projectDirectory, uri.LocalPath).Replace('\\', '/');
                    line = physical.GetProperty("region").GetProperty("startLine").GetInt32();
                }

                results.Add(new SarifResult(ruleId, file, line, message));
            }
        }

        return results;
    }

    private static (int ExitCode, string Output) Dotnet(string arguments, ITestOutputHelper output)
    {
        var (exitCode, text) = PackedPackage.Run("dotnet", arguments, RepositoryRoot, new()
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        });
        output.WriteLine($"$ dotnet {arguments}\n{text}");
        return (exitCode, text);
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TrefGuard.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TrefGuard.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Collects what a build printed, for a fixture that has no test output of its own.</summary>
internal sealed class BufferedOutput : ITestOutputHelper
{
    private readonly System.Text.StringBuilder _text = new();

    public string Text => _text.ToString();

    public void WriteLine(string message) => _text.AppendLine(message);

    public void WriteLine(string format, params object[] args) => _text.AppendLine(string.Format(CultureInfo.InvariantCulture, format, args));
}
