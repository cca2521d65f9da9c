using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// The net10.0 reference assemblies in-process compilations are made against, from the SDK's reference pack (its
/// location comes from the MSBuild properties baked into this assembly), plus TrefGuard.Runtime.
/// </summary>
public static class ReferencePack
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_framework = new(LoadFramework);
    private static readonly Lazy<MetadataReference> s_runtime = new(() => MetadataReference.CreateFromFile(RuntimeAssemblyPath));

    public static string FrameworkDirectory
    {
        get
        {
            var directory = Path.Combine(Metadata("NetCoreTargetingPackRoot"), "Microsoft.NETCore.App.Ref", Metadata("BundledNETCoreAppPackageVersion"), "ref", Metadata("TargetFramework"));
            return Directory.Exists(directory)
                ? directory
                : throw new InvalidOperationException($"The reference pack folder '{directory}' does not exist: rebuild with the SDK that runs this.");
        }
    }

    public static string RuntimeAssemblyPath => typeof(TrefGuard.TaskRef).Assembly.Location;

    public static ImmutableArray<MetadataReference> Framework => s_framework.Value;

    public static MetadataReference Runtime => s_runtime.Value;

    private static ImmutableArray<MetadataReference> LoadFramework()
        => Directory.EnumerateFiles(FrameworkDirectory, "*.dll")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();

    private static string Metadata(string key)
        => typeof(ReferencePack).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"AnalyzerCost.Corpus has no AssemblyMetadata '{key}'.");
}
