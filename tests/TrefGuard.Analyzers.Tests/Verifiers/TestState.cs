using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>One file of a test with its markup removed.</summary>
internal sealed class TestFile
{
    public TestFile(string name, string markup, bool isSource, bool parseMarkup = true)
    {
        Name = name;
        var parsed = parseMarkup ? Markup.Parse(markup, name) : new MarkupResult(markup, ImmutableArray<MarkupSpan>.Empty);
        Text = parsed.Text;
        Spans = parsed.Spans;
        SourceText = SourceText.From(Text);
        IsSource = isSource;
    }

    public string Name { get; }

    public string Text { get; }

    public SourceText SourceText { get; }

    public ImmutableArray<MarkupSpan> Spans { get; }

    public bool IsSource { get; }
}

/// <summary>
/// A set of sources and additional files plus the diagnostics expected on them, with every marker resolved to a
/// file and a line span.
/// </summary>
internal sealed class TestState
{
    private TestState(ImmutableArray<TestFile> sources, ImmutableArray<TestFile> additionalFiles, ImmutableArray<DiagnosticResult> expected)
    {
        Sources = sources;
        AdditionalFiles = additionalFiles;
        Expected = expected;
    }

    public ImmutableArray<TestFile> Sources { get; }

    public ImmutableArray<TestFile> AdditionalFiles { get; }

    /// <summary>Expected diagnostics: the markup's, then the explicit ones, all with resolved locations.</summary>
    public ImmutableArray<DiagnosticResult> Expected { get; }

    public IEnumerable<TestFile> AllFiles => Sources.Concat(AdditionalFiles);

    public TestFile? FindFile(string name) => AllFiles.FirstOrDefault(f => f.Name == name);

    /// <summary>Sources and additional files taken as plain text (no markup), with nothing expected.</summary>
    public static TestState FromPlainText(
        IEnumerable<(string FileName, string Content)> sources,
        IEnumerable<(string FileName, string Content)> additionalFiles)
        => new(
            sources.Select(s => new TestFile(s.FileName, s.Content, isSource: true, parseMarkup: false)).ToImmutableArray(),
            additionalFiles.Select(s => new TestFile(s.FileName, s.Content, isSource: false, parseMarkup: false)).ToImmutableArray(),
            ImmutableArray<DiagnosticResult>.Empty);

    /// <summary>Builds the state, resolving markup and markers; problems in the test itself throw <see cref="ArgumentException"/>.</summary>
    public static TestState Create(
        IReadOnlyList<(string FileName, string Content)> sources,
        IReadOnlyList<(string FileName, string Content)> additionalFiles,
        IEnumerable<DiagnosticResult> explicitExpected,
        string markupRuleId,
        IReadOnlyDictionary<string, DiagnosticDescriptor> descriptors,
        string stateName)
    {
        if (sources.Count == 0)
        {
            throw new ArgumentException($"{stateName}: the test has no source files.");
        }

        var sourceFiles = sources.Select(s => new TestFile(s.FileName, s.Content, isSource: true)).ToImmutableArray();
        var additional = additionalFiles.Select(s => new TestFile(s.FileName, s.Content, isSource: false)).ToImmutableArray();
        var duplicate = sourceFiles.Concat(additional).GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{stateName}: two files are named '{duplicate.Key}'.");
        }

        var files = sourceFiles.Concat(additional).ToImmutableArray();
        var markers = new Dictionary<int, (TestFile File, TextSpan Span)>();
        foreach (var file in files)
        {
            foreach (var span in file.Spans.Where(s => s.IsMarker))
            {
                if (!markers.TryAdd(span.MarkerIndex, (file, span.Span)))
                {
                    throw new ArgumentException($"{stateName}: marker #{span.MarkerIndex} appears in more than one place ({markers[span.MarkerIndex].File.Name} and {file.Name}).");
                }
            }
        }

        var expected = ImmutableArray.CreateBuilder<DiagnosticResult>();
        foreach (var file in files)
        {
            foreach (var span in file.Spans.Where(s => !s.IsMarker))
            {
                var id = span.Name ?? markupRuleId;
                var result = new DiagnosticResult(id);
                if (descriptors.TryGetValue(id, out var descriptor))
                {
                    result = result.WithDescriptor(descriptor);
                }

                expected.Add(result.WithResolvedLocations(ImmutableArray.Create(Resolve(file, span.Span))));
            }
        }

        foreach (var result in explicitExpected)
        {
            var resolved = result;
            if (result.Descriptor is null && descriptors.TryGetValue(result.Id, out var descriptor))
            {
                resolved = resolved.WithDescriptor(descriptor);
            }

            var locations = result.Locations.Select(location => ResolveLocation(location, result, sourceFiles[0], files, markers, stateName)).ToImmutableArray();
            expected.Add(resolved.WithResolvedLocations(locations));
        }

        var unknown = expected.FirstOrDefault(e => !descriptors.ContainsKey(e.Id));
        if (unknown is not null)
        {
            throw new ArgumentException(
                $"{stateName}: {unknown.Id} is expected, but no analyzer under test reports it (they report: {string.Join(", ", descriptors.Keys.OrderBy(k => k, StringComparer.Ordinal))}).");
        }

        return new TestState(sourceFiles, additional, expected.ToImmutable());
    }

    private static ExpectedLocation Resolve(TestFile file, TextSpan span)
    {
        if (span.End > file.Text.Length)
        {
            throw new ArgumentException($"Span {span} is outside {file.Name} ({file.Text.Length} characters).");
        }

        return ExpectedLocation.Resolved(file.Name, span, file.SourceText.Lines.GetLinePositionSpan(span));
    }

    private static ExpectedLocation ResolveLocation(
        ExpectedLocation location,
        DiagnosticResult result,
        TestFile firstSource,
        ImmutableArray<TestFile> files,
        Dictionary<int, (TestFile File, TextSpan Span)> markers,
        string stateName)
    {
        if (location.MarkerIndex is { } index)
        {
            if (!markers.TryGetValue(index, out var marker))
            {
                var known = markers.Count == 0 ? "there are none" : "there are " + string.Join(", ", markers.Keys.Order().Select(k => "#" + k));
                throw new ArgumentException($"{stateName}: {result} refers to marker #{index}, but no {{|#{index}:…|}} is in the files ({known}).");
            }

            return Resolve(marker.File, marker.Span);
        }

        var file = location.FileName is null ? firstSource : files.FirstOrDefault(f => f.Name == location.FileName);
        if (file is null)
        {
            throw new ArgumentException($"{stateName}: {result} names file '{location.FileName}', which is not among the test's files ({string.Join(", ", files.Select(f => f.Name))}).");
        }

        if (location.TextSpan is { } textSpan)
        {
            return Resolve(file, textSpan);
        }

        var lineSpan = location.LineSpan!.Value;
        if (lineSpan.End.Line >= file.SourceText.Lines.Count)
        {
            throw new ArgumentException($"{stateName}: {result} points past the end of {file.Name} ({file.SourceText.Lines.Count} lines).");
        }

        return ExpectedLocation.Resolved(file.Name, file.SourceText.Lines.GetTextSpan(lineSpan), lineSpan);
    }
}
