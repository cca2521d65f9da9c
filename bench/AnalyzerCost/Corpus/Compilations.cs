using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>In-process compilations of generated sources, as the build would make them.</summary>
public static class Compilations
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        concurrentBuild: false);

    public static ImmutableArray<SyntaxTree> Parse(IEnumerable<(string Path, string Text)> files)
        => files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path)).ToImmutableArray();

    public static ImmutableArray<SyntaxTree> ParseDirectory(string directory)
        => Parse(Directory.EnumerateFiles(directory, "*.cs").OrderBy(p => p, StringComparer.Ordinal).Select(p => (p, File.ReadAllText(p))));

    /// <summary>A new compilation (so nothing bound or cached is shared with an earlier one) over the same trees.</summary>
    public static CSharpCompilation Create(string name, IEnumerable<SyntaxTree> trees, bool referenceRuntime, IEnumerable<MetadataReference>? extra = null)
    {
        var references = ReferencePack.Framework.AsEnumerable();
        if (referenceRuntime)
        {
            references = references.Append(ReferencePack.Runtime);
        }

        if (extra is not null)
        {
            references = references.Concat(extra);
        }

        return CSharpCompilation.Create(name, trees, references, Options);
    }

    /// <summary>Fails with the first errors when generated code does not compile: a corpus must be valid C#.</summary>
    public static void ThrowOnErrors(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"'{compilation.AssemblyName}' does not compile:\n" + string.Join("\n", errors));
        }
    }

    /// <summary>Compiles <see cref="TwinRuntime"/> into <paramref name="path"/>.</summary>
    public static MetadataReference EmitTwinRuntime(string path)
    {
        var compilation = CSharpCompilation.Create(
            TwinRuntime.AssemblyName,
            new[] { CSharpSyntaxTree.ParseText(TwinRuntime.Source, ParseOptions, "Handles.cs") },
            ReferencePack.Framework,
            Options);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = File.Create(path))
        {
            var result = compilation.Emit(stream);
            if (!result.Success)
            {
                throw new InvalidOperationException("The twin runtime does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            }
        }

        return MetadataReference.CreateFromFile(path);
    }
}
