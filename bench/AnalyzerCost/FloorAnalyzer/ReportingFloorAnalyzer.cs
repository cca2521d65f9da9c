using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.AnalyzerCost.Floor;

/// <summary>
/// The floor that also reports: it walks each graph as <see cref="FloorAnalyzer"/> does, then reports a diagnostic at
/// each of the places it is given (the places where TrefGuard reported, from an earlier run). A reported diagnostic
/// costs the driver work that it charges to the reporting analyzer's time, above all a walk of every token of the
/// tree to see whether it is generated code, done once per tree by the first analyzer to report in it. This analyzer
/// measures that share: what reporting those diagnostics costs an analyzer that does no analysis.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReportingFloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor s_reported = new(
        "FLOOR0003",
        "Reporting floor analyzer",
        "Reported where TrefGuard reported",
        "Benchmark",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    private readonly ImmutableDictionary<string, ImmutableArray<TextSpan>> _placesByPath;

    /// <param name="places">Where to report: file path and span; those outside any method body are not reported.</param>
    public ReportingFloorAnalyzer(IEnumerable<(string Path, TextSpan Span)> places)
    {
        var byPath = new Dictionary<string, List<TextSpan>>();
        foreach (var (path, span) in places)
        {
            if (!byPath.TryGetValue(path, out var spans))
            {
                byPath[path] = spans = new List<TextSpan>();
            }

            spans.Add(span);
        }

        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<TextSpan>>();
        foreach (var entry in byPath)
        {
            entry.Value.Sort((a, b) => a.Start.CompareTo(b.Start));
            builder.Add(entry.Key, entry.Value.ToImmutableArray());
        }

        _placesByPath = builder.ToImmutable();
    }

    public int Places => CountPlaces();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(s_reported);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(AnalyzeBlock);
    }

    private void AnalyzeBlock(OperationBlockAnalysisContext context)
    {
        FloorAnalyzer.AnalyzeBlock(context);
        if (context.OperationBlocks.IsEmpty)
        {
            return;
        }

        var tree = context.OperationBlocks[0].Syntax.SyntaxTree;
        if (!_placesByPath.TryGetValue(tree.FilePath, out var spans))
        {
            return;
        }

        // The blocks of one declaration (a body, its parameter defaults, a constructor initializer) lie in its span.
        var start = int.MaxValue;
        var end = 0;
        foreach (var block in context.OperationBlocks)
        {
            start = System.Math.Min(start, block.Syntax.SpanStart);
            end = System.Math.Max(end, block.Syntax.Span.End);
        }

        foreach (var span in spans)
        {
            if (span.Start > end)
            {
                break;
            }

            if (span.Start >= start && span.End <= end)
            {
                context.ReportDiagnostic(Diagnostic.Create(s_reported, Location.Create(tree, span)));
            }
        }
    }

    private int CountPlaces()
    {
        var count = 0;
        foreach (var entry in _placesByPath)
        {
            count += entry.Value.Length;
        }

        return count;
    }
}
