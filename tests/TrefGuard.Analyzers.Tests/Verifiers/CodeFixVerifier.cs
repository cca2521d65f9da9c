using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Verifies an analyzer and its code fix. Typical use:
/// <code>
/// using Verify = CodeFixVerifier&lt;OwnershipAnalyzer, MissedPutFixer&gt;;
/// await Verify.VerifyFixAsync(before, after);   // before has {|TG0001:…|} or [|…|] markup
/// </code>
/// <c>[|…|]</c> stands for the first of the fixer's <see cref="CodeFixProvider.FixableDiagnosticIds"/> that the
/// analyzer reports (else the analyzer's first descriptor); <see cref="TrefGuardTest.MarkupRuleId"/> overrides it.
/// The fix is applied one diagnostic at a time to a fixed point, then FixAll runs in document, project and
/// solution scope on the same pair; the fixed code must compile and have no TrefGuard diagnostic left besides
/// the markup in the fixed source. See <see cref="TrefGuardTest"/>.
/// </summary>
/// <typeparam name="TAnalyzer">The analyzer that reports the diagnostics.</typeparam>
/// <typeparam name="TFixer">The code fix under test.</typeparam>
public static class CodeFixVerifier<TAnalyzer, TFixer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TFixer : CodeFixProvider, new()
{
    /// <summary>An expected diagnostic of the analyzer's descriptor <paramref name="ruleId"/>.</summary>
    public static DiagnosticResult Diagnostic(string ruleId) => VerifierHelpers.Diagnostic(new TAnalyzer(), ruleId);

    /// <summary>Verifies the analyzer alone on <paramref name="source"/> (no fix).</summary>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>
    /// Verifies the diagnostics of <paramref name="source"/> (its markup plus <paramref name="expected"/>), then
    /// that fixing them, one at a time and with FixAll in every scope, yields <paramref name="fixedSource"/>.
    /// </summary>
    public static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The full test, for the less common options.</summary>
    public sealed class Test : TrefGuardTest
    {
        /// <inheritdoc/>
        protected override ImmutableArray<DiagnosticAnalyzer> GetAnalyzers() => ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer());

        /// <inheritdoc/>
        protected override CodeFixProvider? GetCodeFixProvider() => new TFixer();
    }
}
