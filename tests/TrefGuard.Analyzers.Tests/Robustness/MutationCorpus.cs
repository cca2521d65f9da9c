using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TrefGuard.Analyzers.Tests.Verifiers;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>One file of a corpus unit: a name for messages and its text.</summary>
public sealed record MutationFile(string Name, string Text);

/// <summary>
/// What one variant compiles: the sources of one test case, sample project or cost-corpus file group, with the
/// additional files (TrefGuard.annotations.txt) that belong to it.
/// </summary>
public sealed record CorpusUnit(string Origin, ImmutableArray<MutationFile> Sources, ImmutableArray<MutationFile> AdditionalFiles);

/// <summary>
/// The inputs the mutation run starts from: every C# test source embedded in the rule tests (raw string literals
/// that parse as compilation units, markup removed), every sample project, and optionally corpora written by the
/// analyzer-cost harness (<c>bench/AnalyzerCost … generate --kind tref</c>). Units come in a fixed order (sorted
/// paths, literals in file order) so that a seed and a variant index name the same variant on the same commit.
/// </summary>
public sealed class MutationCorpus
{
    public const string AnnotationFileName = "TrefGuard.annotations.txt";

    private MutationCorpus(ImmutableArray<CorpusUnit> units, ImmutableArray<string> annotationFiles, ImmutableArray<string> notes)
    {
        Units = units;
        AnnotationFiles = annotationFiles;
        Notes = notes;
    }

    public ImmutableArray<CorpusUnit> Units { get; }

    /// <summary>Annotation-file texts found in the tests and samples, attached now and then to a test source's variant.</summary>
    public ImmutableArray<string> AnnotationFiles { get; }

    /// <summary>What was loaded from where, and what was skipped and why.</summary>
    public ImmutableArray<string> Notes { get; }

    public int CountFrom(string originPrefix) => Units.Count(u => u.Origin.StartsWith(originPrefix, StringComparison.Ordinal));

    /// <summary>Loads the corpus of the repository at <paramref name="repositoryRoot"/>.</summary>
    /// <param name="repositoryRoot">The folder holding TrefGuard.sln.</param>
    /// <param name="costCorpusDirectories">Folders written by the analyzer-cost generator; missing ones are noted and skipped.</param>
    public static MutationCorpus Load(string repositoryRoot, IEnumerable<string> costCorpusDirectories)
    {
        var units = new List<CorpusUnit>();
        var annotationFiles = new List<string>();
        var notes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        var rules = Path.Combine(repositoryRoot, "tests", "TrefGuard.Analyzers.Tests", "Rules");
        var literals = 0;
        foreach (var file in Directory.EnumerateFiles(rules, "*.cs").OrderBy(f => f, StringComparer.Ordinal))
        {
            var index = 0;
            foreach (var text in RawStringLiterals(File.ReadAllText(file)))
            {
                index++;
                var plain = StripMarkup(text);
                if (plain is null)
                {
                    continue;
                }

                if (LooksLikeAnnotationFile(plain))
                {
                    if (seen.Add("annotations\n" + plain))
                    {
                        annotationFiles.Add(plain);
                    }

                    continue;
                }

                if (!(plain.Contains("class ", StringComparison.Ordinal) || plain.Contains("TrefGuard", StringComparison.Ordinal))
                    || !ParsesAsCompilationUnit(plain)
                    || !seen.Add(plain))
                {
                    continue;
                }

                literals++;
                var name = $"{Path.GetFileNameWithoutExtension(file)}#{index}";
                units.Add(new CorpusUnit("tests/" + name, ImmutableArray.Create(new MutationFile(name + ".cs", plain)), ImmutableArray<MutationFile>.Empty));
            }
        }

        notes.Add($"{literals} distinct test sources from {rules}");

        var samples = Path.Combine(repositoryRoot, "samples");
        var sampleCount = 0;
        foreach (var project in Directory.EnumerateFiles(samples, "*.csproj", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var directory = Path.GetDirectoryName(project)!;
            var sources = SourceFiles(directory)
                .Select(f => new MutationFile(Path.GetRelativePath(samples, f).Replace('\\', '/'), File.ReadAllText(f)))
                .ToImmutableArray();
            if (sources.IsEmpty)
            {
                continue;
            }

            var annotations = Path.Combine(directory, AnnotationFileName);
            var additional = File.Exists(annotations)
                ? ImmutableArray.Create(new MutationFile(AnnotationFileName, File.ReadAllText(annotations)))
                : ImmutableArray<MutationFile>.Empty;
            if (!additional.IsEmpty && seen.Add("annotations\n" + additional[0].Text))
            {
                annotationFiles.Add(additional[0].Text);
            }

            sampleCount++;
            units.Add(new CorpusUnit("samples/" + Path.GetFileName(directory), sources, additional));
        }

        notes.Add($"{sampleCount} sample projects from {samples}");

        var costDirectories = costCorpusDirectories.ToList();
        if (costDirectories.Count == 0)
        {
            notes.Add("cost corpus: skipped (none given; write one with `dotnet run -c Release --project bench/AnalyzerCost/AnalyzerCost -- generate --kind tref --methods 400 --out <dir>` and pass --cost-corpus <dir>)");
        }

        foreach (var directory in costDirectories)
        {
            if (!Directory.Exists(directory))
            {
                notes.Add($"cost corpus: skipped, {directory} does not exist");
                continue;
            }

            var files = SourceFiles(directory).ToList();
            var shared = files.Where(f => !Path.GetFileName(f).StartsWith("Workers", StringComparison.Ordinal))
                .Select(f => new MutationFile(Path.GetFileName(f), File.ReadAllText(f)))
                .ToImmutableArray();
            var workers = files.Where(f => Path.GetFileName(f).StartsWith("Workers", StringComparison.Ordinal)).ToList();
            if (workers.Count == 0)
            {
                // A corpus without the worker/registry split (the single big method): each file is a unit.
                foreach (var file in shared)
                {
                    units.Add(new CorpusUnit($"cost/{Path.GetFileName(directory)}/{file.Name}", ImmutableArray.Create(file), ImmutableArray<MutationFile>.Empty));
                }
            }
            else
            {
                // Workers call the registries, which live in files of their own: each worker file compiles with all of them.
                foreach (var worker in workers)
                {
                    var sources = ImmutableArray.Create(new MutationFile(Path.GetFileName(worker), File.ReadAllText(worker))).AddRange(shared);
                    units.Add(new CorpusUnit($"cost/{Path.GetFileName(directory)}/{Path.GetFileName(worker)}", sources, ImmutableArray<MutationFile>.Empty));
                }
            }

            notes.Add($"cost corpus: {Math.Max(workers.Count, shared.Length)} units from {directory}");
        }

        return new MutationCorpus(units.ToImmutableArray(), annotationFiles.ToImmutableArray(), notes.ToImmutableArray());
    }

    /// <summary>The contents of the raw string literals of a C# file, in order (interpolated ones are templates, not sources).</summary>
    public static IEnumerable<string> RawStringLiterals(string csharp)
    {
        var root = CSharpSyntaxTree.ParseText(csharp, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)).GetRoot();
        foreach (var token in root.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) || token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken))
            {
                yield return token.ValueText;
            }
        }
    }

    private static IEnumerable<string> SourceFiles(string directory)
    {
        var separator = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal);
    }

    private static string? StripMarkup(string text)
    {
        try
        {
            return Markup.Parse(text).Text;
        }
        catch (ArgumentException)
        {
            // Text that is not markup (a literal that merely contains "[|"): not a test source.
            return null;
        }
    }

    private static bool ParsesAsCompilationUnit(string text)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(text, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)).GetRoot();
        return root.Members.Count > 0 && !root.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    private static bool LooksLikeAnnotationFile(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return lines.Count > 0 && lines.All(l => l.Length > 2 && l[1] == ':' && "MPFET".Contains(l[0], StringComparison.Ordinal));
    }
}
