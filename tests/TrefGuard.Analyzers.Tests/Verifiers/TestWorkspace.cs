using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>How to turn a <see cref="TestState"/> into projects.</summary>
internal sealed record ProjectOptions(
    OutputKind OutputKind,
    LanguageVersion LanguageVersion,
    NullableContextOptions NullableContextOptions,
    bool ReferenceRuntime,
    ImmutableArray<MetadataReference> AdditionalReferences,
    string? AnalyzerConfig);

/// <summary>
/// Builds <see cref="AdhocWorkspace"/> solutions from test states: one project per copy, each in its own virtual
/// folder (<c>/TrefGuardTest/P0/Test0.cs</c>) so that an <c>.editorconfig</c> beside the sources applies to them,
/// and maps the files' paths back to the names the test used.
/// </summary>
internal static class TestWorkspace
{
    private static readonly string s_root = OperatingSystem.IsWindows() ? @"C:\TrefGuardTest" : "/TrefGuardTest";

    public static string ProjectDirectory(int index) => Path.Combine(s_root, "P" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>Creates <paramref name="projectCount"/> identical projects; <paramref name="transformSource"/> may rewrite each source text.</summary>
    public static (Solution Solution, ImmutableArray<ProjectId> Projects) CreateSolution(
        AdhocWorkspace workspace,
        TestState state,
        ProjectOptions options,
        int projectCount = 1,
        Func<string, string>? transformSource = null)
    {
        var solution = workspace.CurrentSolution;
        var ids = ImmutableArray.CreateBuilder<ProjectId>(projectCount);
        var references = ReferenceAssemblies.Framework.AddRange(options.AdditionalReferences);
        if (options.ReferenceRuntime)
        {
            references = references.Add(ReferenceAssemblies.Runtime);
        }

        for (var p = 0; p < projectCount; p++)
        {
            var directory = ProjectDirectory(p);
            var name = "TestProject" + p.ToString(CultureInfo.InvariantCulture);
            var projectId = ProjectId.CreateNewId(name);
            var compilationOptions = new CSharpCompilationOptions(
                options.OutputKind,
                nullableContextOptions: options.NullableContextOptions,
                allowUnsafe: true);
            var parseOptions = new CSharpParseOptions(options.LanguageVersion, DocumentationMode.Parse);
            solution = solution.AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                name,
                name,
                LanguageNames.CSharp,
                filePath: Path.Combine(directory, name + ".csproj"),
                compilationOptions: compilationOptions,
                parseOptions: parseOptions,
                metadataReferences: references));

            foreach (var file in state.Sources)
            {
                var text = transformSource is null ? file.Text : transformSource(file.Text);
                solution = solution.AddDocument(
                    DocumentId.CreateNewId(projectId, file.Name),
                    Path.GetFileName(file.Name),
                    SourceText.From(text),
                    folders: Folders(file.Name),
                    filePath: Path.Combine(directory, file.Name));
            }

            foreach (var file in state.AdditionalFiles)
            {
                solution = solution.AddAdditionalDocument(
                    DocumentId.CreateNewId(projectId, file.Name),
                    Path.GetFileName(file.Name),
                    SourceText.From(file.Text),
                    folders: Folders(file.Name),
                    filePath: Path.Combine(directory, file.Name));
            }

            if (options.AnalyzerConfig is { } config)
            {
                var isGlobal = config.Contains("is_global", StringComparison.Ordinal);
                var fileName = isGlobal ? ".globalconfig" : ".editorconfig";
                var hasSection = config.Split('\n').Any(line => line.TrimStart().StartsWith('['));
                var text = isGlobal || hasSection ? config : "root = true\n\n[*]\n" + config;
                solution = solution.AddAnalyzerConfigDocument(
                    DocumentId.CreateNewId(projectId, fileName),
                    fileName,
                    SourceText.From(text),
                    filePath: Path.Combine(directory, fileName));
            }

            ids.Add(projectId);
        }

        return (solution, ids.MoveToImmutable());
    }

    /// <summary>The test's name for a file path of one of the virtual projects, or the path itself.</summary>
    public static string DisplayName(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "(no file)";
        }

        if (path.StartsWith(s_root, StringComparison.Ordinal))
        {
            var rest = path.Substring(s_root.Length).TrimStart('/', '\\');
            var slash = rest.IndexOfAny(['/', '\\']);
            return slash < 0 ? rest : rest.Substring(slash + 1).Replace('\\', '/');
        }

        return path;
    }

    /// <summary>The index of the virtual project a path belongs to, or -1.</summary>
    public static int ProjectIndex(string? path)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith(s_root, StringComparison.Ordinal))
        {
            return -1;
        }

        var rest = path.Substring(s_root.Length).TrimStart('/', '\\');
        var slash = rest.IndexOfAny(['/', '\\']);
        var folder = slash < 0 ? rest : rest.Substring(0, slash);
        return folder.Length > 1 && folder[0] == 'P' && int.TryParse(folder.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;
    }

    private static IEnumerable<string> Folders(string fileName)
    {
        var parts = fileName.Split('/', '\\');
        return parts.Take(parts.Length - 1);
    }
}
