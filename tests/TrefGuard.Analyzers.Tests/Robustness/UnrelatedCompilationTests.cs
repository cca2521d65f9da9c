using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>
/// A compilation that does not reference TrefGuard.Runtime gets nothing from TrefGuard: no diagnostic, no
/// exception. The largest such compilation at hand is this repository's own C# (less the runtime, which
/// defines the annotations), compiled as one — errors and all.
/// </summary>
public sealed class UnrelatedCompilationTests
{
    [Fact]
    public async Task RepositorySources_WithoutTheRuntime_GetNoDiagnosticsAndNoExceptions()
    {
        var root = RepositoryRoot();
        var runtime = Path.Combine(root, "src", "TrefGuard.Runtime") + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(runtime, StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"expected the repository's sources, found {files.Count} files");

        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest), path: f));
        var compilation = CSharpCompilation.Create(
            "RepositoryWithoutRuntime",
            trees,
            ReferenceAssemblies.Framework,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Null(compilation.GetTypeByMetadataName("TrefGuard.Annotations.AcquiresReferenceAttribute"));

        var analyzers = typeof(TrefGuard.Analyzers.Rules.OwnershipAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        Assert.NotEmpty(analyzers);

        var exceptions = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();

        Assert.Empty(exceptions);
        Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("TG", StringComparison.Ordinal) || d.Id == "AD0001"));
    }

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
