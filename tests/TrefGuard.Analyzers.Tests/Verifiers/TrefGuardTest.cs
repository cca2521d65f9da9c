using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// One analyzer (and optionally code-fix) test. Fill in the properties and call <see cref="RunAsync"/>; the
/// common cases are one-liners on <see cref="AnalyzerVerifier{TAnalyzer}"/> and
/// <see cref="CodeFixVerifier{TAnalyzer, TFixer}"/>.
/// </summary>
/// <remarks>
/// <para>What <see cref="RunAsync"/> checks, in order:</para>
/// <list type="number">
/// <item>The sources (markup removed) compile without errors, against the net10.0 reference pack and
/// TrefGuard.Runtime, with nullable enabled (unless <see cref="AllowCompilerErrors"/>).</item>
/// <item>No analyzer crashed (AD0001 fails the test, whatever the expected diagnostics say).</item>
/// <item>The analyzers' diagnostics equal the expected ones: markup plus <see cref="ExpectedDiagnostics"/>,
/// matched by id and exact span, and by message when the result has arguments or a message.</item>
/// <item>Silence where users expect it: the same run with <c>// &lt;auto-generated/&gt;</c> on top of every source
/// reports nothing in the sources, nor does a run with <c>#pragma warning disable</c> of every expected id
/// (only when something was expected). Diagnostics in additional files or without a location are still expected
/// in these runs. <see cref="SkipSilenceChecksReason"/> turns both off, and must say why.</item>
/// <item>With a fixer and <see cref="FixedSources"/>: the fix applied one diagnostic at a time until none is
/// left yields the fixed sources; then FixAll in document, project and solution scope (the solution holding two
/// copies of the project) yields the same text; the fixed code compiles without new errors; the analyzers under
/// test report exactly the fixed state's expected diagnostics; and no other TrefGuard analyzer reports more than
/// it did before the fix; and an emulated run of <c>dotnet format analyzers</c> (first action, one solution-scope
/// FixAll per id, no second run) gives the fixed sources too.</item>
/// </list>
/// </remarks>
public abstract partial class TrefGuardTest
{
    /// <summary>The test sources, as (file name, markup). <c>Add(text)</c> names them <c>Test0.cs</c>, <c>Test1.cs</c>, ….</summary>
    public SourceFileList Sources { get; } = new("Test", ".cs");

    /// <summary>The expected sources after the code fix, same names as <see cref="Sources"/>; markup marks the diagnostics that remain.</summary>
    public SourceFileList FixedSources { get; } = new("Test", ".cs");

    /// <summary>
    /// Additional files (AdditionalFiles items), for example <c>("TrefGuard.annotations.txt", "…")</c>. Markup is
    /// allowed in them too: <c>{|TG0012:bad line|}</c>. They are the same before and after a fix.
    /// </summary>
    public SourceFileList AdditionalFiles { get; } = new("AdditionalFile", ".txt");

    /// <summary>Shorthand for a single source: sets <c>Test0.cs</c>.</summary>
    public string TestCode
    {
        set => SetSingle(Sources, value);
    }

    /// <summary>Shorthand for a single fixed source: sets <c>Test0.cs</c> of <see cref="FixedSources"/>.</summary>
    public string FixedCode
    {
        set => SetSingle(FixedSources, value);
    }

    /// <summary>
    /// An <c>.editorconfig</c> placed beside the sources (so <c>dotnet_diagnostic.TG0001.severity = error</c> works).
    /// Text without a <c>[section]</c> header is put under <c>[*]</c>; text with <c>is_global = true</c> becomes a
    /// <c>.globalconfig</c> (the only kind that reaches diagnostics in additional files).
    /// </summary>
    public string? AnalyzerConfig { get; set; }

    /// <summary>Expected diagnostics besides the markup's (typically <c>Diagnostic(id).WithLocation(0).WithArguments(…)</c>).</summary>
    public List<DiagnosticResult> ExpectedDiagnostics { get; } = new();

    /// <summary>Diagnostics expected to remain after the fix, besides the markup in <see cref="FixedSources"/> (usually none).</summary>
    public List<DiagnosticResult> FixedExpectedDiagnostics { get; } = new();

    /// <summary>Selects the code action by its equivalence key; <see langword="null"/> = the first offered (or <see cref="CodeActionIndex"/>).</summary>
    public string? CodeActionEquivalenceKey { get; set; }

    /// <summary>Selects the code action by its position among those offered (nested actions flattened).</summary>
    public int? CodeActionIndex { get; set; }

    /// <summary>When set, the one-at-a-time fix must take exactly this many iterations.</summary>
    public int? NumberOfIncrementalIterations { get; set; }

    /// <summary>When set, FixAll in project and in solution scope must take exactly this many iterations.</summary>
    public int? NumberOfFixAllIterations { get; set; }

    /// <summary>When set, FixAll in document scope must take exactly this many iterations (one per document with diagnostics, typically).</summary>
    public int? NumberOfFixAllInDocumentIterations { get; set; }

    /// <summary>
    /// The most iterations any fix loop may take before the test fails (a fix that never converges). Default: twice
    /// the number of fixable diagnostics in the sources, plus one.
    /// </summary>
    public int? MaxIterations { get; set; }

    /// <summary>The FixAll scopes to verify; all three by default. Remove one only for a fixer that documents why it cannot support it.</summary>
    public List<FixAllScope> FixAllScopes { get; } = new() { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

    /// <summary>Whether the sources reference TrefGuard.Runtime (default <see langword="true"/>).</summary>
    public bool ReferenceRuntime { get; set; } = true;

    /// <summary>More metadata references for the test project.</summary>
    public List<MetadataReference> AdditionalReferences { get; } = new();

    /// <summary>Whether the sources may have compiler errors (default <see langword="false"/>: any error fails the test).</summary>
    public bool AllowCompilerErrors { get; set; }

    /// <summary>The project's output kind (default a class library).</summary>
    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>The C# version (default latest).</summary>
    public LanguageVersion LanguageVersion { get; set; } = LanguageVersion.Latest;

    /// <summary>The nullable context (default enabled, like the repository's projects).</summary>
    public NullableContextOptions NullableContextOptions { get; set; } = NullableContextOptions.Enable;

    /// <summary>
    /// The id that <c>[|…|]</c> stands for. Default: for <see cref="AnalyzerVerifier{TAnalyzer}"/>, the analyzer's
    /// only descriptor or, when it has several, its FIRST supported descriptor; for
    /// <see cref="CodeFixVerifier{TAnalyzer, TFixer}"/>, the first of the fixer's fixable ids that the analyzer
    /// reports (falling back to the analyzer's first descriptor).
    /// </summary>
    public string? MarkupRuleId { get; set; }

    /// <summary>
    /// Non-null skips the auto-generated and <c>#pragma</c> re-runs. Only for a test with a documented reason,
    /// which is this text (for example, a rule that by design reports into generated code).
    /// </summary>
    public string? SkipSilenceChecksReason { get; set; }

    /// <summary>
    /// Non-null skips the emulated <c>dotnet format analyzers</c> run (one solution-scope FixAll per id, with the
    /// first action offered, no iteration), which must otherwise also give the fixed sources. Only with a
    /// documented reason, which is this text. The check is skipped by itself when the test selects an action other
    /// than the first one offered (dotnet format can only apply the first) or removes
    /// <see cref="FixAllScope.Solution"/> from <see cref="FixAllScopes"/> (dotnet format needs it).
    /// </summary>
    public string? SkipDotnetFormatCheckReason { get; set; }

    /// <summary>
    /// Whether the fixed code is also run through every other analyzer in TrefGuard.Analyzers, failing when one
    /// reports an id more often than before the fix (a fix must not trade one TrefGuard warning for another).
    /// Default <see langword="true"/>.
    /// </summary>
    public bool CheckFixedCodeWithAllTrefGuardAnalyzers { get; set; } = true;

    /// <summary>Runs the test; failures throw <see cref="VerifierException"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var analyzers = GetAnalyzers();
        if (analyzers.IsDefaultOrEmpty)
        {
            throw new InvalidOperationException("The test has no analyzer.");
        }

        var fixer = GetCodeFixProvider();
        if (FixedSources.Count > 0 && fixer is null)
        {
            throw new InvalidOperationException("FixedSources are set, but the test has no code fix provider (use CodeFixVerifier).");
        }

        if (FixedSources.Count == 0 && FixedExpectedDiagnostics.Count > 0)
        {
            throw new InvalidOperationException("FixedExpectedDiagnostics are set without FixedSources.");
        }

        var descriptors = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var descriptor in analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            descriptors.TryAdd(descriptor.Id, descriptor);
        }

        var ruleId = MarkupRuleId ?? GetDefaultMarkupRuleId(analyzers, fixer);
        var state = TestState.Create(Sources, AdditionalFiles, ExpectedDiagnostics, ruleId, descriptors, "Sources");
        var options = new ProjectOptions(OutputKind, LanguageVersion, NullableContextOptions, ReferenceRuntime, AdditionalReferences.ToImmutableArray(), AnalyzerConfig);

        using var workspace = new AdhocWorkspace();
        var original = await VerifyDiagnosticsAsync(workspace, state, state.Expected, options, analyzers, transform: null, "Analysis of the sources", cancellationToken).ConfigureAwait(false);

        if (SkipSilenceChecksReason is null)
        {
            // Diagnostics outside the sources (additional files, no location) are not affected by either header.
            var outsideSources = state.Expected.Where(e => !e.HasLocation || state.FindFile(e.Locations[0].FileName!) is { IsSource: false }).ToImmutableArray();
            await VerifyDiagnosticsAsync(
                workspace,
                state,
                outsideSources,
                options,
                analyzers,
                text => "// <auto-generated/>\n" + text,
                "Re-run with '// <auto-generated/>' on top of every source (generated code must be skipped: ConfigureGeneratedCodeAnalysis without the Analyze flag)",
                cancellationToken).ConfigureAwait(false);

            var ids = state.Expected.Select(e => e.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (ids.Count > 0)
            {
                var pragma = "#pragma warning disable " + string.Join(", ", ids) + "\n";
                await VerifyDiagnosticsAsync(
                    workspace,
                    state,
                    outsideSources,
                    options,
                    analyzers,
                    text => pragma + text,
                    $"Re-run with '{pragma.TrimEnd()}' on top of every source (the diagnostics must be suppressible)",
                    cancellationToken).ConfigureAwait(false);
            }
        }
        else if (string.IsNullOrWhiteSpace(SkipSilenceChecksReason))
        {
            throw new InvalidOperationException("SkipSilenceChecksReason must say why the test skips the auto-generated and #pragma re-runs.");
        }

        if (FixedSources.Count > 0 && fixer is not null)
        {
            var fixedState = TestState.Create(FixedSources, AdditionalFiles, FixedExpectedDiagnostics, ruleId, descriptors, "FixedSources");
            await VerifyFixAsync(workspace, state, fixedState, original, options, analyzers, fixer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The analyzers under test.</summary>
    protected abstract ImmutableArray<DiagnosticAnalyzer> GetAnalyzers();

    /// <summary>The code fix under test, if any.</summary>
    protected virtual CodeFixProvider? GetCodeFixProvider() => null;

    /// <summary>The id <c>[|…|]</c> stands for when <see cref="MarkupRuleId"/> is not set (see there).</summary>
    protected virtual string GetDefaultMarkupRuleId(ImmutableArray<DiagnosticAnalyzer> analyzers, CodeFixProvider? fixer)
    {
        var supported = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToList();
        if (supported.Count == 0)
        {
            throw new InvalidOperationException("The analyzers under test support no diagnostics.");
        }

        if (fixer is not null)
        {
            var fixable = fixer.FixableDiagnosticIds.FirstOrDefault(supported.Contains);
            if (fixable is not null)
            {
                return fixable;
            }
        }

        return supported[0];
    }

    private static void SetSingle(SourceFileList list, string value)
    {
        if (list.Count == 0)
        {
            list.Add(value);
        }
        else
        {
            list[0] = (list[0].FileName, value);
        }
    }

    private static Func<string, SourceText?> FileTexts(TestState state)
        => name => state.FindFile(name)?.SourceText;

    private async Task<AnalysisRun> VerifyDiagnosticsAsync(
        AdhocWorkspace workspace,
        TestState state,
        ImmutableArray<DiagnosticResult> expected,
        ProjectOptions options,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        Func<string, string>? transform,
        string context,
        CancellationToken cancellationToken)
    {
        var (solution, projects) = TestWorkspace.CreateSolution(workspace, state, options, projectCount: 1, transform);
        var run = await DiagnosticRunner.AnalyzeAsync(solution.GetProject(projects[0])!, analyzers, cancellationToken).ConfigureAwait(false);
        DiagnosticRunner.ThrowOnAnalyzerFailures(run, context);
        if (!AllowCompilerErrors)
        {
            DiagnosticRunner.ThrowOnCompilerErrors(run, context);
        }

        Func<string, SourceText?> texts = transform is null
            ? FileTexts(state)
            : name => run.AnalyzerDiagnostics.FirstOrDefault(d => TestWorkspace.DisplayName(d.Location.GetLineSpan().Path) == name)?.Location.SourceTree?.GetText() ?? state.FindFile(name)?.SourceText;
        DiagnosticComparer.AssertMatch(expected, run.AnalyzerDiagnostics, texts, context);
        return run;
    }
}
