using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Verifies one analyzer. Typical use:
/// <code>
/// using Verify = AnalyzerVerifier&lt;OwnershipAnalyzer&gt;;
/// await Verify.VerifyAsync("""
///     … var {|#0:r|} = Tref.GetByTask(task, PidType.Pid); …
///     """, Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 14));
/// </code>
/// <c>[|…|]</c> in the source is the rule under test: the analyzer's only descriptor or, when it supports several,
/// its FIRST supported descriptor (set <see cref="TrefGuardTest.MarkupRuleId"/> to choose another).
/// See <see cref="TrefGuardTest"/> for everything a run checks.
/// </summary>
/// <typeparam name="TAnalyzer">The analyzer under test.</typeparam>
public static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>An expected diagnostic of the analyzer's descriptor <paramref name="ruleId"/> (throws when it does not support it).</summary>
    public static DiagnosticResult Diagnostic(string ruleId) => VerifierHelpers.Diagnostic(new TAnalyzer(), ruleId);

    /// <summary>An expected diagnostic of the analyzer's first supported descriptor.</summary>
    public static DiagnosticResult Diagnostic() => new(new TAnalyzer().SupportedDiagnostics[0]);

    /// <summary>Verifies <paramref name="source"/> (markup) reports exactly its markup plus <paramref name="expected"/>.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The full test, for the less common options (several files, additional files, .editorconfig, …).</summary>
    public sealed class Test : TrefGuardTest
    {
        /// <inheritdoc/>
        protected override ImmutableArray<DiagnosticAnalyzer> GetAnalyzers() => ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer());
    }
}

internal static class VerifierHelpers
{
    public static DiagnosticResult Diagnostic(DiagnosticAnalyzer analyzer, string ruleId)
    {
        var descriptor = analyzer.SupportedDiagnostics.FirstOrDefault(d => d.Id == ruleId);
        if (descriptor is null)
        {
            throw new ArgumentException(
                $"{analyzer.GetType().Name} does not support {ruleId}; it supports {string.Join(", ", analyzer.SupportedDiagnostics.Select(d => d.Id))}.",
                nameof(ruleId));
        }

        return new DiagnosticResult(descriptor);
    }
}
