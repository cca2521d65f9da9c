using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace TrefGuard.Package.Tests;

/// <summary>
/// The package as users get it: packed from the repository, restored from a local folder into a fresh
/// `dotnet new console` project, built, and seen to report TG0001.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PackageTests : IClassFixture<PackedPackage>
{
    private readonly PackedPackage _package;
    private readonly ITestOutputHelper _output;

    public PackageTests(PackedPackage package, ITestOutputHelper output)
    {
        _package = package;
        _output = output;
    }

    [Fact]
    public void Package_HasRuntimeInLibAndAnalyzersInAnalyzersFolder_AndNothingElse()
    {
        using var archive = ZipFile.OpenRead(_package.Path);
        var entries = archive.Entries.Select(e => e.FullName).ToList();

        Assert.Contains("lib/net10.0/TrefGuard.Runtime.dll", entries);
        Assert.Contains("lib/net10.0/TrefGuard.Runtime.xml", entries);
        Assert.Contains("lib/net10.0/TrefGuard.Runtime.pdb", entries);
        Assert.Contains("analyzers/dotnet/cs/TrefGuard.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/TrefGuard.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("docs/TrefGuard.annotations.txt", entries);

        // No Roslyn inside, and the analyzers never land where the runtime would load them.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Analyzers", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("CodeFixes", StringComparison.Ordinal));
    }

    [Fact]
    public void Nuspec_HasLicenseReadmeAndNoDependencies()
    {
        using var archive = ZipFile.OpenRead(_package.Path);
        using var stream = archive.GetEntry("TrefGuard.nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");

        Assert.Equal("TrefGuard", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")!.Value);
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", metadata.Elements().Single(e => e.Name.LocalName == "readme").Value);
        Assert.DoesNotContain(metadata.Descendants(), e => e.Name.LocalName == "dependency");
    }

    [Fact]
    public void FreshConsoleProject_RestoresThePackage_AndBuildReportsTG0001()
    {
        var app = Path.Combine(_package.WorkDirectory, "app");
        Run("dotnet", $"new console -o \"{app}\" --no-restore --force", _package.WorkDirectory);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{_package.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        Run("dotnet", $"add package TrefGuard --version {_package.Version}", app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System;
            using TrefGuard;

            var table = new TaskTable();
            var init = table.Spawn("init");
            var r = Tref.GetByTask(init, PidType.Pid);
            Console.WriteLine(r.IsAlive);
            """);

        var (exitCode, output) = Run("dotnet", "build", app, throwOnFailure: false);

        Assert.True(exitCode == 0, output);
        Assert.Contains("warning TG0001", output, StringComparison.Ordinal);
        Assert.Contains("leaves 'r' unreleased", output, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output) Run(string file, string arguments, string directory, bool throwOnFailure = true)
    {
        var (exitCode, output) = PackedPackage.Run(file, arguments, directory, _package.Environment);
        _output.WriteLine($"$ {file} {arguments}\n{output}");
        if (throwOnFailure && exitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {arguments}' exited with {exitCode}:\n{output}");
        }

        return (exitCode, output);
    }
}

/// <summary>Packs the repository's package once for the test class, into a private feed and package cache.</summary>
public sealed class PackedPackage : IDisposable
{
    public PackedPackage()
    {
        WorkDirectory = Directory.CreateTempSubdirectory("trefguard-package-").FullName;
        FeedDirectory = System.IO.Path.Combine(WorkDirectory, "feed");
        // A unique version and a private global-packages folder: a stale cached TrefGuard can never be tested by mistake.
        Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Environment = new()
        {
            ["NUGET_PACKAGES"] = System.IO.Path.Combine(WorkDirectory, "packages"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };

        var root = FindRepositoryRoot();
        var project = System.IO.Path.Combine(root, "src", "TrefGuard.Package", "TrefGuard.Package.csproj");
        var (exitCode, output) = Run("dotnet", $"pack \"{project}\" -c Release -o \"{FeedDirectory}\" -p:Version={Version}", root, null);
        if (exitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + output);
        }

        Path = System.IO.Path.Combine(FeedDirectory, $"TrefGuard.{Version}.nupkg");
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"dotnet pack did not write {Path}:\n{output}");
        }
    }

    public string WorkDirectory { get; }

    public string FeedDirectory { get; }

    public string Version { get; }

    public string Path { get; }

    public System.Collections.Generic.Dictionary<string, string> Environment { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the temp folder is cleaned by the OS.
        }
    }

    internal static (int ExitCode, string Output) Run(string file, string arguments, string directory, System.Collections.Generic.Dictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (environment is not null)
        {
            foreach (var pair in environment)
            {
                start.Environment[pair.Key] = pair.Value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result);
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "TrefGuard.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TrefGuard.sln not found above " + AppContext.BaseDirectory);
    }
}
