using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace TrefGuard.AnalyzerCost;

/// <summary>The analyzer sets a corpus is built with, and where their assemblies are.</summary>
internal enum AnalyzerSet
{
    /// <summary>No analyzer under test: the compile's own cost.</summary>
    None,
    TrefGuard,
    Floor,
    CA2000,
    IDisposableAnalyzers,
}

/// <summary>
/// The assemblies under test, copied into the run's folder so that every build of one run loads the same bytes
/// (and a rebuilt TrefGuard.Analyzers.dll cannot change under a run).
/// </summary>
internal sealed class Toolchain
{
    private Toolchain(string trefGuard, string floor, string[] netAnalyzers, string idisposable, string runtime)
    {
        TrefGuardAnalyzers = trefGuard;
        FloorAnalyzer = floor;
        NetAnalyzers = netAnalyzers;
        IDisposableAnalyzers = idisposable;
        Runtime = runtime;
    }

    public string TrefGuardAnalyzers { get; }

    public string FloorAnalyzer { get; }

    public string[] NetAnalyzers { get; }

    public string IDisposableAnalyzers { get; }

    public string Runtime { get; }

    /// <summary>The build configuration TrefGuard.Analyzers was compiled in (the harness measures Release).</summary>
    public static string AnalyzerConfiguration
        => typeof(TrefGuard.Analyzers.Infrastructure.TrefGuardAnalyzer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "?";

    public static Toolchain CopyTo(string directory)
    {
        Directory.CreateDirectory(directory);
        string Copy(string source, string subdirectory)
        {
            var target = Path.Combine(directory, subdirectory, Path.GetFileName(source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target, overwrite: true);
            return target;
        }

        var netAnalyzersPackage = Metadata("Microsoft.CodeAnalysis.NetAnalyzers");
        var netAnalyzers = new[] { "Microsoft.CodeAnalysis.NetAnalyzers.dll", "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll" }
            .Select(name => Copy(Path.Combine(netAnalyzersPackage, "analyzers", "dotnet", "cs", name), "netanalyzers"))
            .ToArray();
        return new Toolchain(
            Copy(typeof(TrefGuard.Analyzers.Infrastructure.TrefGuardAnalyzer).Assembly.Location, "trefguard"),
            Copy(typeof(Floor.FloorAnalyzer).Assembly.Location, "floor"),
            netAnalyzers,
            Copy(Path.Combine(Metadata("IDisposableAnalyzers"), "analyzers", "dotnet", "cs", "IDisposableAnalyzers.dll"), "idisposable"),
            Copy(typeof(TrefGuard.TaskRef).Assembly.Location, "lib"));
    }

    public IEnumerable<string> AnalyzersOf(AnalyzerSet set) => set switch
    {
        AnalyzerSet.None => Array.Empty<string>(),
        AnalyzerSet.TrefGuard => new[] { TrefGuardAnalyzers },
        AnalyzerSet.Floor => new[] { FloorAnalyzer },
        AnalyzerSet.CA2000 => NetAnalyzers,
        AnalyzerSet.IDisposableAnalyzers => new[] { IDisposableAnalyzers },
        _ => throw new ArgumentOutOfRangeException(nameof(set)),
    };

    /// <summary>The name the build's analyzer report gives the measured analyzer's assembly, or its type for CA2000.</summary>
    public static string ReportName(AnalyzerSet set) => set switch
    {
        AnalyzerSet.TrefGuard => "TrefGuard.Analyzers",
        AnalyzerSet.Floor => "FloorAnalyzer",
        // NetAnalyzers holds hundreds of rules; all but CA2000 are switched off, and CA2000's own analyzer is measured.
        AnalyzerSet.CA2000 => "(CA2000)",
        AnalyzerSet.IDisposableAnalyzers => "IDisposableAnalyzers",
        _ => throw new ArgumentOutOfRangeException(nameof(set)),
    };

    private static string Metadata(string key)
        => typeof(Toolchain).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"AnalyzerCost has no AssemblyMetadata '{key}': restore the project so that the peers' packages are downloaded.");
}
