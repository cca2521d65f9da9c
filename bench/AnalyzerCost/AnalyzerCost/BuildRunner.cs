using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace TrefGuard.AnalyzerCost;

/// <summary>What one <c>dotnet build</c> of a corpus cost, read from its output.</summary>
internal sealed class BuildResult
{
    public required AnalyzerSet Set { get; init; }

    public required string Command { get; init; }

    public required string LogPath { get; init; }

    public string? SarifPath { get; init; }

    /// <summary>The whole <c>dotnet build</c> process, MSBuild's start-up included.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>The Csc task: the compile, analyzers and generators included (MSBuild's performance summary).</summary>
    public required double CscSeconds { get; init; }

    /// <summary>
    /// CPU time (user + system) of the whole build's process tree, the compiler and its JIT threads included; NaN where
    /// it cannot be read. Unlike the times above it does not grow when other processes take the machine's cores.
    /// </summary>
    public required double CpuSeconds { get; init; }

    /// <summary>Seconds per analyzer assembly and per analyzer type ("Name (ID, ID)"), from <c>-p:ReportAnalyzer=true</c>.</summary>
    public required IReadOnlyDictionary<string, double> AnalyzerSeconds { get; init; }

    public required double TotalAnalyzerSeconds { get; init; }

    /// <summary>The seconds of the analyzer whose report name (assembly, or "(ID)" of a type) contains <paramref name="name"/>.</summary>
    public double SecondsOf(string name)
    {
        foreach (var (key, seconds) in AnalyzerSeconds)
        {
            var isAssembly = key.Contains(", Version=", StringComparison.Ordinal);
            if (name.StartsWith('(') ? !isAssembly && key.Contains(name, StringComparison.Ordinal) : isAssembly && key.StartsWith(name + ",", StringComparison.Ordinal))
            {
                return seconds;
            }
        }

        throw new InvalidOperationException($"The build's analyzer report has no '{name}' (was the analyzer attached and run?). See {LogPath}.");
    }
}

/// <summary>Runs <c>dotnet build</c> on a corpus project and reads what it cost.</summary>
internal static partial class BuildRunner
{
    public static async Task RestoreAsync(string project)
    {
        var (exit, output) = await RunAsync("dotnet", new[] { "restore", project, "-nologo", "-v:quiet" });
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet restore {project} failed:\n{output}");
        }
    }

    /// <summary>
    /// A full rebuild (so the compile always runs). With <paramref name="compilerServer"/> false, the command-line
    /// compiler: each build pays the compiler's and the analyzers' JIT, as a CI build on a fresh agent does (this
    /// machine's environment sets UseSharedCompilation=false, and passing it makes that explicit). With it true, the
    /// compiler server (VBCSCompiler), which <c>dotnet build</c> uses by default on a developer's machine: once warm,
    /// the compiler and the analyzers are already JIT-compiled, and its CPU time is read from the server process.
    /// </summary>
    public static async Task<BuildResult> BuildAsync(string project, AnalyzerSet set, string logPath, string? sarifPath, bool compilerServer)
    {
        var arguments = new List<string>
        {
            "build", project, "--no-restore", "--no-incremental", "-c", "Release", "-nologo",
            "-v:detailed", "-clp:PerformanceSummary",
            $"-p:AnalyzerSet={set}", "-p:ReportAnalyzer=true", $"-p:UseSharedCompilation={(compilerServer ? "true" : "false")}",
        };
        if (sarifPath is not null)
        {
            // %2C: a bare comma would separate two properties.
            arguments.Add($"-p:ErrorLog={sarifPath}%2Cversion=2.1");
        }

        var cpuBefore = ChildrenCpuSeconds();
        var serverBefore = compilerServer ? CompilerServerCpu() : null;
        var stopwatch = Stopwatch.StartNew();
        var (exit, output) = await RunAsync("dotnet", arguments);
        stopwatch.Stop();
        var cpu = ChildrenCpuSeconds() - cpuBefore + (serverBefore is null ? 0 : CompilerServerCpuSince(serverBefore));
        await File.WriteAllTextAsync(logPath, output);
        if (exit != 0)
        {
            throw new InvalidOperationException($"The build failed (exit {exit}); see {logPath}.");
        }

        var (analyzers, total) = ParseAnalyzerReport(output);
        return new BuildResult
        {
            Set = set,
            Command = "dotnet " + string.Join(' ', arguments),
            LogPath = logPath,
            SarifPath = sarifPath,
            WallSeconds = stopwatch.Elapsed.TotalSeconds,
            CscSeconds = ParseCscMilliseconds(output, logPath) / 1000.0,
            CpuSeconds = cpu,
            AnalyzerSeconds = analyzers,
            TotalAnalyzerSeconds = total,
        };
    }

    internal static (Dictionary<string, double> Analyzers, double Total) ParseAnalyzerReport(string output)
    {
        var analyzers = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = 0.0;
        var inReport = false;
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (TotalLine().Match(line) is { Success: true } totalMatch)
            {
                total = double.Parse(totalMatch.Groups[1].Value, CultureInfo.InvariantCulture);
                inReport = true;
                continue;
            }

            if (line.Contains("Total generator execution time", StringComparison.Ordinal))
            {
                inReport = false;
                continue;
            }

            if (inReport && RowLine().Match(line) is { Success: true } row)
            {
                var seconds = row.Groups[1].Value.StartsWith('<') ? 0.0005 : double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture);
                analyzers[row.Groups[2].Value.Trim()] = seconds;
            }
        }

        return (analyzers, total);
    }

    private static double ParseCscMilliseconds(string output, string logPath)
    {
        var match = CscLine().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"No Csc line in the task performance summary; see {logPath}.");
    }

    /// <summary>Stops the compiler server, so that a series of builds starts it afresh (and pays its JIT in a warm-up).</summary>
    public static async Task ShutDownCompilerServerAsync()
    {
        var (exit, output) = await RunAsync("dotnet", new[] { "build-server", "shutdown", "--vbcscompiler" });
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet build-server shutdown failed:\n{output}");
        }
    }

    /// <summary>
    /// The CPU seconds so far of each running compiler server, by process id. The server outlives the build that
    /// started it and is nobody's waited-for child, so getrusage never counts it.
    /// </summary>
    private static Dictionary<int, double> CompilerServerCpu()
    {
        var servers = new Dictionary<int, double>();
        if (!OperatingSystem.IsLinux())
        {
            return servers;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (!File.ReadAllText(Path.Combine(directory, "cmdline")).Contains("VBCSCompiler", StringComparison.Ordinal))
                {
                    continue;
                }

                // /proc/<pid>/stat: the command name is parenthesised and may hold spaces; utime and stime are the
                // 12th and 13th fields after it, in clock ticks (USER_HZ, 100 on Linux).
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                servers[pid] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
                // The process ended while it was being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process: not this build's server.
            }
        }

        return servers;
    }

    /// <summary>What the compiler servers used since <paramref name="before"/>: all of a server started since then.</summary>
    private static double CompilerServerCpuSince(Dictionary<int, double> before)
    {
        var total = 0.0;
        foreach (var (pid, seconds) in CompilerServerCpu())
        {
            total += seconds - before.GetValueOrDefault(pid);
        }

        return total;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>
    /// The CPU time of this process's terminated, waited-for children and their descendants (getrusage
    /// RUSAGE_CHILDREN): builds run one at a time, so the difference around one is that build's.
    /// </summary>
    private static double ChildrenCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        var usage = new long[18];
        return GetResourceUsage(-1, usage) == 0 ? usage[0] + (usage[1] / 1e6) + usage[2] + (usage[3] / 1e6) : double.NaN;
    }

    // struct rusage on 64-bit Linux: ru_utime and ru_stime (two timevals of seconds and microseconds), then 14 longs.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, [System.Runtime.InteropServices.Out] long[] usage);

    [GeneratedRegex(@"Total analyzer execution time: ([\d.]+) seconds")]
    private static partial Regex TotalLine();

    [GeneratedRegex(@"^\s*(<?[\d.]+)\s+<?\d+\s+(\S.*)$")]
    private static partial Regex RowLine();

    [GeneratedRegex(@"^\s*(\d+) ms\s+Csc\s+\d+ calls", RegexOptions.Multiline)]
    private static partial Regex CscLine();
}
