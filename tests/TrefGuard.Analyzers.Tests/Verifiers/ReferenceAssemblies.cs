using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// The metadata references test sources compile against: the SDK's reference pack for the test's own target
/// framework (located from the MSBuild properties <c>NetCoreTargetingPackRoot</c> and
/// <c>BundledNETCoreAppPackageVersion</c>, baked into this assembly by the csproj) and TrefGuard.Runtime.
/// Loaded once per test run.
/// </summary>
public static class ReferenceAssemblies
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_framework = new(LoadFramework);
    private static readonly Lazy<MetadataReference> s_runtime = new(() => MetadataReference.CreateFromFile(RuntimeAssemblyPath));

    /// <summary>The reference pack's folder, for example <c>/usr/share/dotnet/packs/Microsoft.NETCore.App.Ref/10.0.12/ref/net10.0</c>.</summary>
    public static string FrameworkReferenceDirectory
    {
        get
        {
            var root = Metadata("NetCoreTargetingPackRoot");
            var version = Metadata("BundledNETCoreAppPackageVersion");
            var tfm = Metadata("TargetFrameworkMoniker");
            var directory = Path.Combine(root, "Microsoft.NETCore.App.Ref", version, "ref", tfm);
            if (!Directory.Exists(directory))
            {
                throw new InvalidOperationException(
                    $"The reference pack folder '{directory}' (from NetCoreTargetingPackRoot='{root}', BundledNETCoreAppPackageVersion='{version}') does not exist. Rebuild the test project with the SDK that will run it.");
            }

            return directory;
        }
    }

    /// <summary>TrefGuard.Runtime.dll as built next to the tests.</summary>
    public static string RuntimeAssemblyPath => typeof(TrefGuard.Annotations.AcquiresReferenceAttribute).Assembly.Location;

    /// <summary>The framework's reference assemblies (net10.0).</summary>
    public static ImmutableArray<MetadataReference> Framework => s_framework.Value;

    /// <summary>TrefGuard.Runtime.</summary>
    public static MetadataReference Runtime => s_runtime.Value;

    private static ImmutableArray<MetadataReference> LoadFramework()
    {
        var references = Directory.EnumerateFiles(FrameworkReferenceDirectory, "*.dll")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
        if (references.IsEmpty)
        {
            throw new InvalidOperationException($"No reference assemblies in '{FrameworkReferenceDirectory}'.");
        }

        return references;
    }

    private static string Metadata(string key)
    {
        var value = typeof(ReferenceAssemblies).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"The test assembly has no AssemblyMetadata '{key}': the csproj must pass the MSBuild property into an AssemblyMetadataAttribute.");
        }

        return value;
    }
}
