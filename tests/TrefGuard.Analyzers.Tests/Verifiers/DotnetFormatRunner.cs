using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>What to put in the throw-away project that <see cref="DotnetFormatRunner"/> formats and builds.</summary>
public sealed class DotnetFormatRequest
{
    /// <summary>The C# sources, as (file name, text); plain text, no markup.</summary>
    public List<(string FileName, string Content)> Sources { get; } = new();

    /// <summary>AdditionalFiles items, for example <c>("TrefGuard.annotations.txt", "…")</c>.</summary>
    public List<(string FileName, string Content)> AdditionalFiles { get; } = new();

    /// <summary>The ids passed to <c>--diagnostics</c>; empty = every diagnostic at <see cref="Severity"/> or above.</summary>
    public List<string> DiagnosticIds { get; } = new();

    /// <summary>The <c>--severity</c> of <c>dotnet format analyzers</c> (default <c>info</c>).</summary>
    public string Severity { get; set; } = "info";

    /// <summary>An optional <c>.editorconfig</c> written beside the project.</summary>
    public string? EditorConfig { get; set; }

    /// <summary>Whether the project references TrefGuard.Runtime.dll (default <see langword="true"/>).</summary>
    public bool ReferenceRuntime { get; set; } = true;

    /// <summary>Whether TrefGuard.Analyzers.dll and TrefGuard.CodeFixes.dll are attached as analyzers (default <see langword="true"/>).</summary>
    public bool AttachAnalyzers { get; set; } = true;

    /// <summary>How long each <c>dotnet</c> process may run before it is killed and the run fails.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>One diagnostic from the build of the formatted project (console output and SARIF log merged).</summary>
/// <param name="FileName">The file name relative to the project folder.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Severity"><c>error</c>, <c>warning</c> or <c>info</c>.</param>
/// <param name="Id">For example <c>CS0168</c> or <c>TG0001</c>.</param>
/// <param name="Message">The message text.</param>
public sealed record BuildDiagnostic(string FileName, int Line, int Column, string Severity, string Id, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{FileName}({Line},{Column}): {Severity} {Id}: {Message}");
}

/// <summary>What <see cref="DotnetFormatRunner.RunAsync(DotnetFormatRequest, CancellationToken)"/> observed.</summary>
public sealed class DotnetFormatResult
{
    internal DotnetFormatResult(
        int formatExitCode,
        string formatOutput,
        int buildExitCode,
        string buildOutput,
        IReadOnlyDictionary<string, string> sources,
        IReadOnlyList<BuildDiagnostic> diagnostics)
    {
        FormatExitCode = formatExitCode;
        FormatOutput = formatOutput;
        BuildExitCode = buildExitCode;
        BuildOutput = buildOutput;
        Sources = sources;
        Diagnostics = diagnostics;
    }

    /// <summary>The exit code of <c>dotnet format analyzers</c>.</summary>
    public int FormatExitCode { get; }

    /// <summary>Standard output and error of <c>dotnet format analyzers</c>.</summary>
    public string FormatOutput { get; }

    /// <summary>The exit code of <c>dotnet build</c> of the formatted project.</summary>
    public int BuildExitCode { get; }

    /// <summary>Standard output and error of the build.</summary>
    public string BuildOutput { get; }

    /// <summary>The sources after formatting, by file name, line endings normalized to <c>\n</c>.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>Every diagnostic of the build (compiler, analyzers, MSBuild), each once.</summary>
    public IReadOnlyList<BuildDiagnostic> Diagnostics { get; }

    /// <summary>The TrefGuard (TGxxxx) diagnostics of the build.</summary>
    public IReadOnlyList<BuildDiagnostic> TrefGuardDiagnostics => Diagnostics.Where(d => d.Id.StartsWith("TG", StringComparison.Ordinal)).ToList();

    /// <summary>Everything observed, for a failure message.</summary>
    public string Describe()
        => $"dotnet format exited {FormatExitCode}:{Environment.NewLine}{FormatOutput}{Environment.NewLine}dotnet build exited {BuildExitCode}:{Environment.NewLine}{BuildOutput}{Environment.NewLine}Diagnostics:{Environment.NewLine}{string.Join(Environment.NewLine, Diagnostics)}";
}

/// <summary>
/// End-to-end check of the shipped assemblies the way users run them: writes a throw-away net10.0 project that
/// references TrefGuard.Runtime.dll and attaches TrefGuard.Analyzers.dll and TrefGuard.CodeFixes.dll as analyzers
/// (all taken from the test's output folder, no package references, so it restores offline), runs
/// <c>dotnet format analyzers &lt;csproj&gt; --diagnostics &lt;ids&gt; --severity info</c>, then <c>dotnet build</c>, and
/// reports the exit codes, the reformatted sources and the build's diagnostics. Tests that use it spawn
/// <c>dotnet</c> processes: mark them <c>[Trait("Category", "EndToEnd")]</c>.
/// </summary>
public static partial class DotnetFormatRunner
{
    private const string ProjectName = "FormatTarget";

    /// <summary>Formats and builds <paramref name="sources"/> (file name, text) for the given ids.</summary>
    public static Task<DotnetFormatResult> RunAsync(IEnumerable<(string FileName, string Content)> sources, params string[] diagnosticIds)
    {
        var request = new DotnetFormatRequest();
        request.Sources.AddRange(sources);
        request.DiagnosticIds.AddRange(diagnosticIds);
        return RunAsync(request);
    }

    /// <summary>Formats and builds the project described by <paramref name="request"/>.</summary>
    public static async Task<DotnetFormatResult> RunAsync(DotnetFormatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Sources.Count == 0)
        {
            throw new ArgumentException("The request has no sources.", nameof(request));
        }

        var directory = Path.Combine(Path.GetTempPath(), "trefguard-format-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var project = WriteProject(directory, request);
            var format = new List<string> { "format", "analyzers", project, "--severity", request.Severity, "--verbosity", "diagnostic" };
            if (request.DiagnosticIds.Count > 0)
            {
                format.Add("--diagnostics");
                format.AddRange(request.DiagnosticIds);
            }

            var (formatExit, formatOutput) = await RunDotnetAsync(directory, format, request.Timeout, cancellationToken).ConfigureAwait(false);

            var sarif = Path.Combine(directory, "build.sarif");
            var build = new List<string>
            {
                "build", project, "-nologo", "-nodeReuse:false", "-tl:off", "-clp:NoSummary",
                "-p:UseSharedCompilation=false", "-p:TreatWarningsAsErrors=false", $"-p:ErrorLog={sarif}%2Cversion=2.1",
            };
            var (buildExit, buildOutput) = await RunDotnetAsync(directory, build, request.Timeout, cancellationToken).ConfigureAwait(false);

            var formatted = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (fileName, _) in request.Sources)
            {
                formatted[fileName] = TextDiff.NormalizeLineEndings(await File.ReadAllTextAsync(Path.Combine(directory, fileName), cancellationToken).ConfigureAwait(false));
            }

            var diagnostics = Merge(ParseBuildOutput(buildOutput, directory), ParseSarif(sarif, directory));
            return new DotnetFormatResult(formatExit, formatOutput, buildExit, buildOutput, new ReadOnlyDictionary<string, string>(formatted), diagnostics);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("TREFGUARD_KEEP_FORMAT_PROJECT") is null)
            {
                TryDelete(directory);
            }
        }
    }

    /// <summary>Parses <c>file(line,col): severity ID: message [project]</c> lines of MSBuild's console output.</summary>
    public static IReadOnlyList<BuildDiagnostic> ParseBuildOutput(string output, string projectDirectory)
    {
        var result = new List<BuildDiagnostic>();
        foreach (var line in output.Split('\n'))
        {
            var match = BuildLine().Match(line.TrimEnd('\r'));
            if (!match.Success)
            {
                continue;
            }

            result.Add(new BuildDiagnostic(
                Relative(match.Groups["file"].Value.Trim(), projectDirectory),
                int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture),
                match.Groups["severity"].Value,
                match.Groups["id"].Value,
                HelpLink().Replace(match.Groups["message"].Value.Trim(), string.Empty)));
        }

        return result.Distinct().ToList();
    }

    private static string WriteProject(string directory, DotnetFormatRequest request)
    {
        var output = Path.GetDirectoryName(typeof(DotnetFormatRunner).Assembly.Location)!;
        var items = new StringBuilder();
        if (request.ReferenceRuntime)
        {
            items.AppendLine(CultureInfo.InvariantCulture, $"    <Reference Include=\"{Escape(ReferenceAssemblies.RuntimeAssemblyPath)}\" />");
        }

        if (request.AttachAnalyzers)
        {
            foreach (var name in new[] { "TrefGuard.Analyzers.dll", "TrefGuard.CodeFixes.dll" })
            {
                var analyzer = Path.Combine(output, name);
                if (!File.Exists(analyzer))
                {
                    throw new InvalidOperationException($"{name} is not in the test output folder '{output}'.");
                }

                items.AppendLine(CultureInfo.InvariantCulture, $"    <Analyzer Include=\"{Escape(analyzer)}\" />");
            }
        }

        foreach (var (fileName, _) in request.AdditionalFiles)
        {
            items.AppendLine(CultureInfo.InvariantCulture, $"    <AdditionalFiles Include=\"{Escape(fileName)}\" />");
        }

        var project = $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <LangVersion>latest</LangVersion>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
                <EnableNETAnalyzers>false</EnableNETAnalyzers>
              </PropertyGroup>
              <ItemGroup>
            {items}  </ItemGroup>
            </Project>
            """;
        var path = Path.Combine(directory, ProjectName + ".csproj");
        File.WriteAllText(path, project);

        // Cut MSBuild's and NuGet's upward search off: nothing from above the temp folder may leak in.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>\n");
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n  </packageSources>\n</configuration>\n");
        var editorConfig = "root = true\n" + (request.EditorConfig ?? string.Empty);
        File.WriteAllText(Path.Combine(directory, ".editorconfig"), editorConfig.EndsWith('\n') ? editorConfig : editorConfig + "\n");

        foreach (var (fileName, content) in request.Sources.Concat(request.AdditionalFiles))
        {
            var file = Path.Combine(directory, fileName);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }

        return path;
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(string workingDirectory, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables would point the child at the wrong SDK pieces; node reuse and the
        // compiler server would leave processes behind after the test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBuild", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    output.AppendLine(e.Data);
                }
            }
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'dotnet {string.Join(' ', arguments)}' did not finish within {timeout}. Output so far:{Environment.NewLine}{output}");
        }

        // WaitForExitAsync returns once the process ends; the parameterless WaitForExit also drains the output.
        process.WaitForExit();
        lock (gate)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string DotnetPath()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, executable)))
        {
            return Path.Combine(root, executable);
        }

        // The reference pack lives in <dotnet root>/packs, so the root is known without guessing.
        var fromPacks = Path.GetFullPath(Path.Combine(ReferenceAssemblies.FrameworkReferenceDirectory, "..", "..", "..", "..", "..", executable));
        return File.Exists(fromPacks) ? fromPacks : executable;
    }

    private static IReadOnlyList<BuildDiagnostic> ParseSarif(string path, string projectDirectory)
    {
        var result = new List<BuildDiagnostic>();
        if (!File.Exists(path))
        {
            return result;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var run in Array(document.RootElement, "runs"))
        {
            foreach (var entry in Array(run, "results"))
            {
                if (entry.TryGetProperty("suppressions", out var suppressions) && suppressions.ValueKind == JsonValueKind.Array && suppressions.GetArrayLength() > 0)
                {
                    continue;
                }

                var id = entry.TryGetProperty("ruleId", out var rule) ? rule.GetString() ?? string.Empty : string.Empty;
                var level = entry.TryGetProperty("level", out var l) ? l.GetString() ?? "warning" : "warning";
                var message = entry.TryGetProperty("message", out var m) && m.TryGetProperty("text", out var t) ? t.GetString() ?? string.Empty : string.Empty;
                foreach (var location in Array(entry, "locations").Take(1))
                {
                    if (!location.TryGetProperty("physicalLocation", out var physical))
                    {
                        continue;
                    }

                    var uri = physical.TryGetProperty("artifactLocation", out var artifact) && artifact.TryGetProperty("uri", out var u) ? u.GetString() ?? string.Empty : string.Empty;
                    var file = Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : uri;
                    var region = physical.TryGetProperty("region", out var r) ? r : default;
                    var line = region.ValueKind == JsonValueKind.Object && region.TryGetProperty("startLine", out var sl) ? sl.GetInt32() : 0;
                    var column = region.ValueKind == JsonValueKind.Object && region.TryGetProperty("startColumn", out var sc) ? sc.GetInt32() : 0;
                    result.Add(new BuildDiagnostic(Relative(file, projectDirectory), line, column, level switch { "note" => "info", "none" => "hidden", _ => level }, id, message));
                }
            }
        }

        return result;
    }

    private static IReadOnlyList<BuildDiagnostic> Merge(IReadOnlyList<BuildDiagnostic> console, IReadOnlyList<BuildDiagnostic> sarif)
    {
        var result = new List<BuildDiagnostic>(console);
        foreach (var diagnostic in sarif)
        {
            if (!result.Any(d => d.FileName == diagnostic.FileName && d.Line == diagnostic.Line && d.Column == diagnostic.Column && d.Id == diagnostic.Id))
            {
                result.Add(diagnostic);
            }
        }

        return result.OrderBy(d => d.FileName, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<JsonElement> Array(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : Enumerable.Empty<JsonElement>();

    private static string Relative(string file, string projectDirectory)
    {
        var full = Path.IsPathRooted(file) ? file : Path.Combine(projectDirectory, file);
        var relative = Path.GetRelativePath(projectDirectory, full);
        return relative.Replace('\\', '/');
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? text;

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // MSBuild appends the descriptor's help link to the message: " (https://…/TG0001.md)".
    [GeneratedRegex(@"\s+\(https?://[^)\s]+\)$", RegexOptions.CultureInvariant)]
    private static partial Regex HelpLink();

    [GeneratedRegex(@"^\s*(?<file>[^\s(][^(]*?)\((?<line>\d+),(?<column>\d+)(?:,\d+,\d+)?\)\s*:\s*(?<severity>error|warning|info|message)\s+(?<id>[A-Za-z]+\d+)\s*:\s*(?<message>.*?)(?:\s+\[[^\]]+\])?$", RegexOptions.CultureInvariant)]
    private static partial Regex BuildLine();
}
