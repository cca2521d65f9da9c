using System;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Tests.HarnessTests.BoomAnalyzer, TrefGuard.Analyzers.Tests.HarnessTests.BoomFixer>;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

/// <summary>The code-fix half of the verifier: single fix to a fixed point, FixAll in every scope, fixed code checks.</summary>
public sealed class CodeFixVerifierTests
{
    private const string Api = AnalyzerVerifierTests.Api;

    private const string Before = Api + """

        class C
        {
            void M()
            {
                Api.[|Boom|]();
                Api.{|HT0002:Bang|}(1);
                Api.[|Boom|]();
            }

            void N() => Api.[|Boom|]();
        }
        """;

    private const string After = Api + """

        class C
        {
            void M()
            {
                Api.Safe();
                Api.{|HT0002:Bang|}(1);
                Api.Safe();
            }

            void N() => Api.Safe();
        }
        """;

    [Fact]
    public async Task FixAndFixAllInEveryScopeGiveTheFixedSource()
        => await Verify.VerifyFixAsync(Before, After);

    [Fact]
    public async Task SquareMarkupIsTheFixersFirstFixableId()
    {
        // BoomAnalyzer reports HT0001 and HT0002; [|…|] means HT0001 because that is what the fixer fixes.
        var fixer = new BoomFixer();
        Assert.Equal("HT0001", Assert.Single(fixer.FixableDiagnosticIds));
        await Verify.VerifyAnalyzerAsync(Api + "\nclass C { void M() { Api.[|Boom|](); Api.{|HT0002:Bang|}(); } }");
    }

    [Fact]
    public async Task IterationCountsCanBePinned()
    {
        var test = new Verify.Test
        {
            Sources = { Before, ("Other.cs", "class D { void M() => Api.[|Boom|](); }") },
            FixedSources = { After, ("Other.cs", "class D { void M() => Api.Safe(); }") },
            NumberOfIncrementalIterations = 4,
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = 2,
        };
        await test.RunAsync();

        test.NumberOfFixAllInDocumentIterations = 1;
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => test.RunAsync());
        Assert.Contains("FixAll in Document scope: expected 1 iterations, but there were 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheActionIsSelectedByEquivalenceKeyOrIndex()
    {
        var quiet = After.Replace("Api.Safe()", "Api.Quiet()", StringComparison.Ordinal);
        await new Verify.Test { TestCode = Before, FixedCode = quiet, CodeActionEquivalenceKey = BoomFixer.RenameToQuiet }.RunAsync();
        await new Verify.Test { TestCode = Before, FixedCode = quiet, CodeActionIndex = 1 }.RunAsync();
        await new CodeFixVerifier<BoomAnalyzer, NestedActionsFixer>.Test { TestCode = Before, FixedCode = quiet, CodeActionEquivalenceKey = BoomFixer.RenameToQuiet }.RunAsync();

        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => new Verify.Test { TestCode = Before, FixedCode = quiet, CodeActionIndex = 2 }.RunAsync());
        Assert.Contains("CodeActionIndex is 2, but 2 action(s) are offered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongExpectedFixedSourceFailsWithADiff()
    {
        var wrong = After.Replace("void N() => Api.Safe();", "void N() => Api.Quiet();", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyFixAsync(Before, wrong));
        Assert.Contains("Test0.cs is not the expected fixed source", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-    void N() => Api.Quiet();", ex.Message, StringComparison.Ordinal);
        Assert.Contains("+    void N() => Api.Safe();", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrailingWhitespaceDifferencesAreMadeVisible()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyFixAsync(Before, After.Replace("class C\n", "class C \n", StringComparison.Ordinal)));
        Assert.Contains("differ only in trailing whitespace", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-class C·", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LineEndingsAreNormalized()
    {
        await new CodeFixVerifier<BoomAnalyzer, CrlfFixer>.Test
        {
            TestCode = Before,
            FixedCode = After,
            SkipDotnetFormatCheckReason = "CrlfFixer rewrites the whole document, so the edits of one batch FixAll conflict and dotnet format needs several runs",
        }.RunAsync();
        await Verify.VerifyFixAsync(Before.Replace("\n", "\r\n", StringComparison.Ordinal), After);
    }

    [Fact]
    public async Task TheDotnetFormatEmulationNeedsOneRunToBeEnough()
    {
        // The batch fixer drops conflicting edits; the harness's own FixAll loops until done, dotnet format does not.
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, CrlfFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("After one run of 'dotnet format analyzers --diagnostics HT0001 --severity info'", ex.Message, StringComparison.Ordinal);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => new Verify.Test { TestCode = Before, FixedCode = After, SkipDotnetFormatCheckReason = "" }.RunAsync());
    }

    [Fact]
    public async Task TheDotnetFormatEmulationReportsWhatDotnetFormatWouldLog()
    {
        // Without FixAll support dotnet format leaves the code alone and logs why; the harness shows that log.
        var test = new CodeFixVerifier<BoomAnalyzer, NoFixAllFixer>.Test { TestCode = Before, FixedCode = After };
        test.FixAllScopes.Remove(FixAllScope.Document);
        test.FixAllScopes.Remove(FixAllScope.Project);
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => test.RunAsync());
        Assert.Contains("GetFixAllProvider() returns null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixProducingNonCompilingCodeFails()
    {
        var broken = After.Replace("Api.Safe()", "Api.DoesNotExist()", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, BrokenFixer>.VerifyFixAsync(Before, broken));
        Assert.Contains("The fixed code: the code does not compile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CS0117", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixerThatThrowsFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, ThrowingFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("harness: deliberate fixer crash", ex.Message, StringComparison.Ordinal);

        ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, ThrowingActionFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("harness: deliberate action crash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixThatChangesNothingFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, NoOpFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("changed nothing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixerThatOffersNothingForItsIdFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, SilentFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("offered no code action for", ex.Message, StringComparison.Ordinal);

        // Unless the fixed source says the diagnostics remain.
        await CodeFixVerifier<BoomAnalyzer, SilentFixer>.VerifyFixAsync(Before, Before);
    }

    [Fact]
    public async Task RemainingDiagnosticsMustBeExpected()
    {
        // The fixed source without the HT0002 markup: Bang is still reported after the fix.
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyFixAsync(Before, After.Replace("{|HT0002:Bang|}", "Bang", StringComparison.Ordinal)));
        Assert.Contains("Diagnostics of the fixed code", ex.Message, StringComparison.Ordinal);

        var test = new Verify.Test { TestCode = Before, FixedCode = After.Replace("{|HT0002:Bang|}", "{|#0:Bang|}", StringComparison.Ordinal) };
        test.FixedExpectedDiagnostics.Add(Verify.Diagnostic("HT0002").WithLocation(0).WithArguments("Bang", 1));
        await test.RunAsync();
    }

    [Fact]
    public async Task FixAllIsRequired()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, NoFixAllFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("GetFixAllProvider() returns null", ex.Message, StringComparison.Ordinal);

        var test = new CodeFixVerifier<BoomAnalyzer, NoFixAllFixer>.Test { TestCode = Before, FixedCode = After };
        test.FixAllScopes.Clear();
        await test.RunAsync();
    }

    [Fact]
    public async Task ActionsNeedAnEquivalenceKey()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, NoEquivalenceKeyFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("without an EquivalenceKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixThatNeverConvergesHitsTheIterationCap()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => CodeFixVerifier<BoomAnalyzer, DivergingFixer>.VerifyFixAsync(Before, After));
        Assert.Contains("does not converge", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SolutionScopeFixesBothProjects()
    {
        var test = new Verify.Test { TestCode = Before, FixedCode = After };
        test.FixAllScopes.Clear();
        test.FixAllScopes.Add(FixAllScope.Solution);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task FixedSourcesWithoutAFixerIsAMistake()
    {
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => new AnalyzerVerifier<BoomAnalyzer>.Test { TestCode = Before, FixedCode = After }.RunAsync());
    }
}
