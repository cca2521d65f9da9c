using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.AnalyzerCost.Corpus;
using TrefGuard.AnalyzerCost.Floor;

namespace TrefGuard.AnalyzerBenchmarks;

/// <summary>
/// The IDE case: a project of 2,000 methods is open, one ~200-line document is edited, and its semantic
/// diagnostics are computed. Each invocation analyzes that one document with a fresh
/// <see cref="CompilationWithAnalyzers"/> over the already-created compilation (so nothing an earlier invocation
/// bound or analyzed is reused, as after an edit), with TrefGuard's analyzers, the floor (build each block's control
/// flow graph and walk it), or the bind-only baseline (ask for each block and do nothing), which every
/// operation-based analyzer pays: TrefGuard's own cost is TrefGuard - BindOnly, to compare with Floor - BindOnly.
/// </summary>
[MemoryDiagnoser]
public class IdeDocumentBenchmarks
{
    /// <summary>The edited document: one of the generated files, 10 methods in two classes.</summary>
    public const string DocumentName = "Workers0007.cs";

    private static readonly AnalyzerOptions s_options = new(ImmutableArray<AdditionalText>.Empty);

    private readonly ImmutableArray<DiagnosticAnalyzer> _trefGuard = typeof(TrefGuard.Analyzers.Infrastructure.TrefGuardAnalyzer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private readonly ImmutableArray<DiagnosticAnalyzer> _floor = ImmutableArray.Create<DiagnosticAnalyzer>(new FloorAnalyzer());
    private readonly ImmutableArray<DiagnosticAnalyzer> _bindOnly = ImmutableArray.Create<DiagnosticAnalyzer>(new BindOnlyAnalyzer());

    private CSharpCompilation _compilation = null!;
    private SyntaxTree _document = null!;

    /// <summary>Lines in the analyzed document (for the report).</summary>
    public int DocumentLines { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"trefguard-ide-benchmark-{Environment.ProcessId}");
        try
        {
            var manifest = CorpusGenerator.Write(Dialect.Tref, 2_000, directory, methodsPerClass: 5);
            var trees = Compilations.ParseDirectory(directory);
            _document = trees.Single(t => Path.GetFileName(t.FilePath) == DocumentName);
            DocumentLines = _document.GetText().Lines.Count;
            _compilation = Compilations.Create("Ide", trees, referenceRuntime: true);
            Compilations.ThrowOnErrors(_compilation);

            // A benchmark of an analyzer that finds nothing would measure nothing: the document's planted mistakes
            // must come back from TrefGuard.
            var planted = manifest.Entries.Count(e => e.File == DocumentName && e.IsPlanted);
            var found = TrefGuard().GetAwaiter().GetResult();
            if (planted == 0 || found.Length == 0 || found.Any(d => d.Id == "AD0001"))
            {
                throw new InvalidOperationException($"{DocumentName}: {planted} planted mistakes, TrefGuard reported [{string.Join(", ", found.Select(d => d.Id))}].");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<ImmutableArray<Diagnostic>> BindOnly() => AnalyzeDocumentAsync(_bindOnly);

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Floor() => AnalyzeDocumentAsync(_floor);

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> TrefGuard() => AnalyzeDocumentAsync(_trefGuard);

    private async Task<ImmutableArray<Diagnostic>> AnalyzeDocumentAsync(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var withAnalyzers = _compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(s_options, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        var model = withAnalyzers.Compilation.GetSemanticModel(_document);
        return await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None);
    }
}
