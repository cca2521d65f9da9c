using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Documentation;

/// <summary>
/// Keeps docs/rules and the descriptor table in sync: every descriptor has a page whose heading, severity,
/// category and message match it, an entry in the index and in the release tracking files; every page has a
/// descriptor; the pages' Bad and Good examples compile, and for every rule that an analyzer already reports,
/// the Bad example reports it and the Good example reports no TrefGuard diagnostic at all.
/// </summary>
public sealed class DocumentationTests
{
    private static readonly string[] RequiredSections = ["## Bad", "## Good", "## Code fix", "## When to suppress", "## Configuration"];

    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var (descriptor, _) in Descriptors())
        {
            data.Add(descriptor.Id);
        }

        return data;
    }

    [Fact]
    public void TheDescriptorTableIsFoundAndIdsAreUnique()
    {
        var descriptors = Descriptors();
        Assert.True(descriptors.Count >= 12, $"only {descriptors.Count} descriptors found");
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Descriptor.Id).Distinct(StringComparer.Ordinal).Count());

        var constants = typeof(RuleIdentifiers).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal);
        Assert.Equal(constants, descriptors.Select(d => d.Descriptor.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheAnalyzersAreDiscovered()
    {
        // The example checks below skip rules no analyzer reports yet; make sure that is not every rule.
        var supported = AdHocAnalysis.AllTrefGuardAnalyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToList();
        Assert.Contains(RuleIdentifiers.MissedPut, supported);
        Assert.All(supported, id => Assert.Contains(id, Descriptors().Select(d => d.Descriptor.Id)));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void TheDescriptorIsWellFormed(string id)
    {
        var (descriptor, field) = Find(id);
        Assert.StartsWith(id + "_", field, StringComparison.Ordinal);
        Assert.Matches("^TG[0-9]{4}$", id);
        Assert.EndsWith("docs/rules/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Equal(RuleIdentifiers.GetHelpUri(id), descriptor.HelpLinkUri);
        Assert.True(descriptor.IsEnabledByDefault, $"{id} is disabled by default");
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString(CultureInfo.InvariantCulture)), $"{id} has no description");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ThePageMatchesTheDescriptor(string id)
    {
        var (descriptor, _) = Find(id);
        var page = Page.Load(id);

        Assert.Equal($"# {id}: {descriptor.Title.ToString(CultureInfo.InvariantCulture)}", page.Lines.FirstOrDefault());
        Assert.Equal(id, page.Property("Id"));
        Assert.Equal(descriptor.DefaultSeverity.ToString(), page.Property("Severity"));
        Assert.Equal(descriptor.Category, page.Property("Category"));
        Assert.Equal(descriptor.IsEnabledByDefault ? "Yes" : "No", page.Property("Enabled by default"));
        Assert.Equal("`" + descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture) + "`", page.Property("Message"));
        Assert.Contains(page.Property("Code fix"), new[] { "Yes", "No" });
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ThePageHasEverySection(string id)
    {
        var page = Page.Load(id);
        var positions = RequiredSections.Select(section => page.Lines.IndexOf(section)).ToList();
        for (var i = 0; i < RequiredSections.Length; i++)
        {
            Assert.True(positions[i] >= 0, $"{id}.md has no '{RequiredSections[i]}' section");
        }

        Assert.True(positions.SequenceEqual(positions.Order()), $"{id}.md: the sections must come in this order: {string.Join(", ", RequiredSections)}");
        Assert.NotEmpty(page.CodeBlocks("Bad"));
        Assert.NotEmpty(page.CodeBlocks("Good"));
        Assert.Contains($"dotnet_diagnostic.{id}.severity", string.Join("\n", page.Section("Configuration")), StringComparison.Ordinal);
        Assert.Contains(id, string.Join("\n", page.CodeBlocks("Bad").Select(b => b.Code)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void TheIndexListsTheRule(string id)
    {
        var (descriptor, _) = Find(id);
        var index = File.ReadAllLines(Path.Combine(RulesDirectory, "README.md"));
        var row = index.FirstOrDefault(line => line.StartsWith($"| [{id}]({id}.md) |", StringComparison.Ordinal));
        Assert.True(row is not null, $"docs/rules/README.md has no row starting with '| [{id}]({id}.md) |'");
        var cells = Cells(row!);
        Assert.Equal(new[] { $"[{id}]({id}.md)", descriptor.Title.ToString(CultureInfo.InvariantCulture), descriptor.DefaultSeverity.ToString(), descriptor.Category }, cells);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ReleaseTrackingListsTheRule(string id)
    {
        var (descriptor, _) = Find(id);
        var released = ReleaseTracking.Load();
        Assert.True(released.TryGetValue(id, out var entry), $"{id} is in neither AnalyzerReleases.Shipped.md nor AnalyzerReleases.Unshipped.md");
        Assert.Equal((descriptor.Category, descriptor.DefaultSeverity.ToString()), entry);
    }

    [Fact]
    public void EveryFixedRuleSaysSoOnItsPage()
    {
        // A page may promise a fix that is still being written, but a rule with a fixer must not say "No".
        var assembly = Assembly.Load("TrefGuard.CodeFixes");
        var fixable = assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .SelectMany(t => ((Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds)
            .Where(id => id.StartsWith("TG", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);
        Assert.All(fixable, id => Assert.Equal("Yes", Page.Load(id).Property("Code fix")));
    }

    [Fact]
    public void EveryPageHasADescriptor()
    {
        var ids = Descriptors().Select(d => d.Descriptor.Id).ToHashSet(StringComparer.Ordinal);
        var pages = Directory.EnumerateFiles(RulesDirectory, "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name != "README")
            .ToList();
        Assert.All(pages, page => Assert.True(ids.Contains(page!), $"docs/rules/{page}.md has no descriptor in Descriptors.cs"));

        var indexed = File.ReadAllLines(Path.Combine(RulesDirectory, "README.md"))
            .Select(line => Regex.Match(line, @"^\| \[(TG\d{4})\]"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.Equal(indexed.Distinct(StringComparer.Ordinal).Count(), indexed.Count);
        Assert.All(indexed, id => Assert.True(ids.Contains(id), $"docs/rules/README.md lists {id}, which has no descriptor"));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public async Task TheExamplesCompile(string id)
    {
        var page = Page.Load(id);
        foreach (var section in new[] { "Bad", "Good" })
        {
            foreach (var block in page.CodeBlocks(section).Where(b => b.Language == "csharp"))
            {
                var run = await AdHocAnalysis.RunAsync(new[] { ("Example.cs", block.Code) }, Array.Empty<(string, string)>(), ImmutableAnalyzers.None);
                var errors = run.CompilerErrors.Select(DiagnosticText.Describe).ToList();
                Assert.True(errors.Count == 0, $"{id}.md, '## {section}' example (line {block.Line}) does not compile:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public async Task TheExamplesAgreeWithTheAnalyzers(string id)
    {
        var analyzers = AdHocAnalysis.AllTrefGuardAnalyzers();
        if (!analyzers.SelectMany(a => a.SupportedDiagnostics).Any(d => d.Id == id))
        {
            // No analyzer reports this rule yet: only the compile check applies until one does.
            return;
        }

        var page = Page.Load(id);
        foreach (var section in new[] { "Bad", "Good" })
        {
            foreach (var block in page.CodeBlocks(section))
            {
                var run = block.Language == "csharp"
                    ? await AdHocAnalysis.RunAsync(new[] { ("Example.cs", block.Code) }, Array.Empty<(string, string)>(), analyzers)
                    : await AdHocAnalysis.RunAsync(new[] { ("Example.cs", "class Example { }") }, new[] { ("TrefGuard.annotations.txt", block.Code) }, analyzers);
                Assert.True(run.AnalyzerFailures.IsEmpty, $"{id}.md '## {section}' (line {block.Line}): an analyzer crashed:{Environment.NewLine}{string.Join(Environment.NewLine, run.AnalyzerFailures)}");
                var reported = run.AnalyzerDiagnostics.Select(DiagnosticText.Describe).ToList();
                if (section == "Bad")
                {
                    Assert.True(run.AnalyzerDiagnostics.Any(d => d.Id == id), $"{id}.md '## Bad' example (line {block.Line}) does not report {id}; it reports:{Environment.NewLine}{string.Join(Environment.NewLine, reported)}");
                }
                else
                {
                    Assert.True(reported.Count == 0, $"{id}.md '## Good' example (line {block.Line}) is not clean:{Environment.NewLine}{string.Join(Environment.NewLine, reported)}");
                }
            }
        }
    }

    private static string RulesDirectory => Path.Combine(RepositoryRoot.Value, "docs", "rules");

    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var directory = new DirectoryInfo(Path.GetDirectoryName(typeof(DocumentationTests).Assembly.Location)!); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TrefGuard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No folder above the test assembly holds TrefGuard.sln.");
    });

    private static List<(DiagnosticDescriptor Descriptor, string Field)> Descriptors()
        => typeof(TrefGuard.Analyzers.Descriptors)
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!, f.Name))
            .OrderBy(d => d.Item1.Id, StringComparer.Ordinal)
            .ToList();

    private static (DiagnosticDescriptor Descriptor, string Field) Find(string id) => Descriptors().Single(d => d.Descriptor.Id == id);

    private static List<string> Cells(string row)
        => row.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToList();

    private static class ImmutableAnalyzers
    {
        public static readonly System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> None = [];
    }

    /// <summary>A rule page split into lines, property table, sections and fenced code blocks.</summary>
    private sealed class Page
    {
        private Page(string id, List<string> lines)
        {
            Id = id;
            Lines = lines;
        }

        public string Id { get; }

        public List<string> Lines { get; }

        public static Page Load(string id)
        {
            var path = Path.Combine(RulesDirectory, id + ".md");
            Assert.True(File.Exists(path), $"docs/rules/{id}.md does not exist");
            return new Page(id, File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList());
        }

        /// <summary>The value of a <c>| Name | Value |</c> row of the property table.</summary>
        public string Property(string name)
        {
            var row = Lines.FirstOrDefault(line => line.StartsWith("| " + name + " |", StringComparison.Ordinal));
            Assert.True(row is not null, $"{Id}.md has no '| {name} | … |' row");
            var cells = Cells(row!);
            Assert.True(cells.Count == 2, $"{Id}.md: the '{name}' row must have two cells");
            return cells[1];
        }

        /// <summary>The lines of <c>## name</c>, up to the next <c>## </c> heading (fenced code included).</summary>
        public List<string> Section(string name)
        {
            var start = Lines.IndexOf("## " + name);
            Assert.True(start >= 0, $"{Id}.md has no '## {name}' section");
            var result = new List<string>();
            var inFence = false;
            for (var i = start + 1; i < Lines.Count; i++)
            {
                if (Lines[i].StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }
                else if (!inFence && Lines[i].StartsWith("## ", StringComparison.Ordinal))
                {
                    break;
                }

                result.Add(Lines[i]);
            }

            return result;
        }

        public List<(string Language, string Code, int Line)> CodeBlocks(string section)
        {
            var start = Lines.IndexOf("## " + section);
            var lines = Section(section);
            var blocks = new List<(string, string, int)>();
            for (var i = 0; i < lines.Count; i++)
            {
                if (!lines[i].StartsWith("```", StringComparison.Ordinal))
                {
                    continue;
                }

                var language = lines[i].Substring(3).Trim();
                var end = lines.FindIndex(i + 1, l => l.StartsWith("```", StringComparison.Ordinal));
                Assert.True(end > i, $"{Id}.md: unclosed code block in '## {section}'");
                blocks.Add((language, string.Join("\n", lines.Skip(i + 1).Take(end - i - 1)) + "\n", start + i + 2));
                i = end;
            }

            return blocks;
        }
    }

    /// <summary>The effective rule set of AnalyzerReleases.Shipped.md followed by AnalyzerReleases.Unshipped.md.</summary>
    private static class ReleaseTracking
    {
        public static Dictionary<string, (string Category, string Severity)> Load()
        {
            var rules = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            foreach (var file in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
            {
                var section = string.Empty;
                foreach (var raw in File.ReadAllLines(Path.Combine(RepositoryRoot.Value, "src", "TrefGuard.Analyzers", file)))
                {
                    var line = raw.Trim();
                    if (line.StartsWith("### ", StringComparison.Ordinal))
                    {
                        section = line.Substring(4).Trim();
                        continue;
                    }

                    if (!Regex.IsMatch(line, @"^TG\d{4}\s*\|"))
                    {
                        continue;
                    }

                    var cells = Cells(line);
                    switch (section)
                    {
                        case "New Rules":
                            rules[cells[0]] = (cells[1], cells[2]);
                            break;
                        case "Changed Rules":
                            rules[cells[0]] = (cells[1], cells[2]);
                            break;
                        case "Removed Rules":
                            rules.Remove(cells[0]);
                            break;
                    }
                }
            }

            return rules;
        }
    }
}
