using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>What one analysis of a project produced.</summary>
internal sealed class AnalysisRun
{
    public AnalysisRun(ImmutableArray<Diagnostic> compilerDiagnostics, ImmutableArray<Diagnostic> analyzerDiagnostics, ImmutableArray<string> analyzerFailures)
    {
        CompilerDiagnostics = compilerDiagnostics;
        AnalyzerDiagnostics = analyzerDiagnostics;
        AnalyzerFailures = analyzerFailures;
    }

    /// <summary>Diagnostics of the compiler itself (CSxxxx), every severity.</summary>
    public ImmutableArray<Diagnostic> CompilerDiagnostics { get; }

    /// <summary>Diagnostics the analyzers reported (after severity configuration and suppression), sorted.</summary>
    public ImmutableArray<Diagnostic> AnalyzerDiagnostics { get; }

    /// <summary>Analyzer crashes: AD0001 and any other analyzer-exception report, with the exception when known.</summary>
    public ImmutableArray<string> AnalyzerFailures { get; }

    public IEnumerable<Diagnostic> CompilerErrors => CompilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}

/// <summary>Runs analyzers over a workspace project the way the compiler does, and never lets a crash pass.</summary>
internal static class DiagnosticRunner
{
    private static readonly Lazy<ImmutableArray<Type>> s_trefGuardAnalyzerTypes = new(FindTrefGuardAnalyzers);

    /// <summary>Every concrete <see cref="DiagnosticAnalyzer"/> in TrefGuard.Analyzers (for checking fixed code).</summary>
    public static ImmutableArray<Type> TrefGuardAnalyzerTypes => s_trefGuardAnalyzerTypes.Value;

    public static async Task<AnalysisRun> AnalyzeAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken)
    {
        var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The project has no compilation.");
        if (analyzers.IsEmpty)
        {
            return new AnalysisRun(Sort(compilation.GetDiagnostics(cancellationToken)), ImmutableArray<Diagnostic>.Empty, ImmutableArray<string>.Empty);
        }

        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, analyzer, diagnostic) =>
                exceptions.Enqueue($"{analyzer.GetType().FullName} threw {exception.GetType().FullName}: {exception.Message}{Environment.NewLine}{exception.StackTrace}{Environment.NewLine}    reported as {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);

        // GetAllDiagnosticsAsync returns compiler and analyzer diagnostics together, so nothing is filtered out
        // by id before we look: a crash reported as AD0001 (or under any other id) is always seen.
        var all = await withAnalyzers.GetAllDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        var compiler = new List<Diagnostic>();
        var fromAnalyzers = new List<Diagnostic>();
        var failures = new List<string>(exceptions);
        foreach (var diagnostic in all)
        {
            if (IsAnalyzerFailure(diagnostic))
            {
                var text = $"{diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
                if (!failures.Any(f => f.Contains(text, StringComparison.Ordinal)))
                {
                    failures.Add(text);
                }
            }
            else if (diagnostic.Descriptor.CustomTags.Contains(WellKnownDiagnosticTags.Compiler))
            {
                compiler.Add(diagnostic);
            }
            else
            {
                fromAnalyzers.Add(diagnostic);
            }
        }

        return new AnalysisRun(Sort(compiler), Sort(fromAnalyzers), failures.ToImmutableArray());
    }

    /// <summary>Throws a <see cref="VerifierException"/> naming every analyzer crash of the run.</summary>
    public static void ThrowOnAnalyzerFailures(AnalysisRun run, string context)
    {
        if (run.AnalyzerFailures.IsEmpty)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(context).Append(": an analyzer failed (AD0001). A crash is never an acceptable result.").AppendLine();
        foreach (var failure in run.AnalyzerFailures)
        {
            message.AppendLine().Append(failure).AppendLine();
        }

        throw new VerifierException(message.ToString());
    }

    /// <summary>Throws when the run has compiler errors, showing each with its source line.</summary>
    public static void ThrowOnCompilerErrors(AnalysisRun run, string context, IEnumerable<Diagnostic>? allowed = null)
    {
        var allowedKeys = new HashSet<string>((allowed ?? Enumerable.Empty<Diagnostic>()).Select(ErrorKey), StringComparer.Ordinal);
        var errors = run.CompilerErrors.Where(e => !allowedKeys.Contains(ErrorKey(e))).ToList();
        if (errors.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(context).Append(": the code does not compile").Append(allowed is null ? string.Empty : " (errors not present before)").Append(':').AppendLine();
        foreach (var error in errors)
        {
            message.Append("  ").Append(DiagnosticText.Describe(error)).AppendLine();
            var line = DiagnosticText.SourceLine(error.Location);
            if (line is not null)
            {
                message.Append("      ").Append(line.Trim()).AppendLine();
            }
        }

        message.Append("Set AllowCompilerErrors = true only for a test that is about code that does not compile.");
        throw new VerifierException(message.ToString());
    }

    public static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics)
        => diagnostics
            .OrderBy(d => d.Location.GetLineSpan().Path ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToImmutableArray();

    private static bool IsAnalyzerFailure(Diagnostic diagnostic)
        => diagnostic.Id.StartsWith("AD", StringComparison.Ordinal)
            || diagnostic.Descriptor.CustomTags.Contains(WellKnownDiagnosticTags.AnalyzerException);

    private static string ErrorKey(Diagnostic diagnostic)
        => diagnostic.Id + "|" + diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    private static ImmutableArray<Type> FindTrefGuardAnalyzers()
    {
        Type[] types;
        try
        {
            types = typeof(TrefGuard.Analyzers.Descriptors).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types.Where(t => t is not null).ToArray()!;
        }

        return types
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToImmutableArray();
    }
}

/// <summary>
/// Compiles and analyzes plain sources without expectations, for tests that inspect diagnostics themselves (the
/// documentation examples). Crashes still fail: check <see cref="AnalysisRun.AnalyzerFailures"/>.
/// </summary>
internal static class AdHocAnalysis
{
    public static async Task<AnalysisRun> RunAsync(
        IEnumerable<(string FileName, string Content)> sources,
        IEnumerable<(string FileName, string Content)> additionalFiles,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CancellationToken cancellationToken = default)
    {
        using var workspace = new AdhocWorkspace();
        var project = CreateProject(workspace, sources, additionalFiles);
        return await DiagnosticRunner.AnalyzeAsync(project, analyzers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A library project of the sources, referencing the runtime, in <paramref name="workspace"/>.</summary>
    public static Project CreateProject(
        AdhocWorkspace workspace,
        IEnumerable<(string FileName, string Content)> sources,
        IEnumerable<(string FileName, string Content)> additionalFiles)
    {
        var state = TestState.FromPlainText(sources, additionalFiles);
        var options = new ProjectOptions(
            OutputKind.DynamicallyLinkedLibrary,
            Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest,
            NullableContextOptions.Enable,
            ReferenceRuntime: true,
            ImmutableArray<MetadataReference>.Empty,
            AnalyzerConfig: null);
        var (solution, projects) = TestWorkspace.CreateSolution(workspace, state, options);
        return solution.GetProject(projects[0])!;
    }

    /// <summary>A fresh instance of every analyzer in TrefGuard.Analyzers.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AllTrefGuardAnalyzers()
        => DiagnosticRunner.TrefGuardAnalyzerTypes.Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!).ToImmutableArray();
}
