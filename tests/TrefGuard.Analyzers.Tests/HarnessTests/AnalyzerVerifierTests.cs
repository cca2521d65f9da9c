using System;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<TrefGuard.Analyzers.Tests.HarnessTests.BoomAnalyzer>;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

/// <summary>The analyzer half of the verifier, proven on the harness's own tiny analyzers.</summary>
public sealed class AnalyzerVerifierTests
{
    /// <summary>The methods the test sources call; HT0001 flags Boom, HT0002 flags Bang, Kaboom gets both.</summary>
    internal const string Api = """
        static class Api
        {
            public static void Boom() { }
            public static void Bang(int x = 0) { }
            public static void Kaboom() { }
            public static void Safe() { }
            public static void Quiet() { }
        }
        """;

    [Fact]
    public async Task SquareMarkupIsTheFirstSupportedDescriptor()
    {
        await Verify.VerifyAsync(Api + """

            class C
            {
                void M()
                {
                    Api.[|Boom|]();
                    Api.Safe();
                }
            }
            """);
    }

    [Fact]
    public async Task SquareMarkupIsTheOnlyDescriptorOfASingleRuleAnalyzer()
    {
        await AnalyzerVerifier<BangOnlyAnalyzer>.VerifyAsync(Api + """

            class C { void M() { Api.[|Bang|](1); Api.Boom(); } }
            """);
    }

    [Fact]
    public async Task MarkupRuleIdChangesWhatSquareMarkupMeans()
    {
        await new Verify.Test
        {
            TestCode = Api + "\nclass C { void M() { Api.[|Bang|](); } }",
            MarkupRuleId = "HT0002",
        }.RunAsync();
    }

    [Fact]
    public async Task NamedMarkupAndMarkersWithArguments()
    {
        await Verify.VerifyAsync(
            Api + """

            class C
            {
                void M()
                {
                    Api.{|HT0002:Bang|}();
                    Api.{|#0:Boom|}();
                    Api.{|#1:Bang|}(2);
                }
            }
            """,
            Verify.Diagnostic("HT0001").WithLocation(0).WithArguments("Boom"),
            Verify.Diagnostic("HT0002").WithLocation(1).WithArguments("Bang", 1).WithSeverity(DiagnosticSeverity.Warning));
    }

    [Fact]
    public async Task TwoDiagnosticsOnTheSameSpan()
    {
        await Verify.VerifyAsync(Api + "\nclass C { void M() { Api.[|{|HT0002:Kaboom|}|](); } }");
        await Verify.VerifyAsync(
            Api + "\nclass C { void M() { Api.{|#0:Kaboom|}(); } }",
            Verify.Diagnostic("HT0002").WithLocation(0).WithArguments("Kaboom", 0),
            Verify.Diagnostic("HT0001").WithLocation(0).WithArguments("Kaboom"));
    }

    [Fact]
    public async Task AdjacentSpansOnOneLine()
    {
        await Verify.VerifyAsync(Api + "\nclass C { void M() { Api.[|Boom|](); Api.[|Boom|](); Api.{|HT0002:Bang|}(); } }");
    }

    [Fact]
    public async Task SeveralFilesWithMarkersAcrossThem()
    {
        var test = new Verify.Test
        {
            Sources =
            {
                Api,
                ("Second.cs", "class D { void M() { Api.{|#0:Boom|}(); } }"),
                ("Sub/Third.cs", "class E { void M() { Api.[|Boom|](); Api.{|#1:Bang|}(); } }"),
            },
        };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("HT0001").WithLocation(0).WithArguments("Boom"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("HT0002").WithLocation(1).WithMessage("Call to 'Bang' with 0 argument(s)"));
        await test.RunAsync();
    }

    [Fact]
    public async Task SpansByLineAndColumnAreAFallback()
    {
        await Verify.VerifyAsync(
            "class C { void Boom() { } void M() {\n    Boom(); } }",
            Verify.Diagnostic("HT0001").WithSpan(2, 5, 2, 9).WithArguments("Boom"));
    }

    [Fact]
    public async Task AMissingDiagnosticFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(Api + "\nclass C { void M() { Api.[|Safe|](); } }"));
        Assert.Contains("Missing (expected, not reported)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Test0.cs(9,26,9,30): HT0001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnexpectedDiagnosticFailsAndIsShownAsMarkup()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(Api + "\nclass C { void M() { Api.Boom(); } }"));
        Assert.Contains("Unexpected (reported, not expected)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Test0.cs(9,26,9,30): warning HT0001: Call to 'Boom'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Api.{|HT0001:Boom|}();", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Diagnostic(\"HT0001\").WithSpan(\"Test0.cs\", 9, 26, 9, 30).WithArguments(\"Boom\")", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongMessageArgumentFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(
            Api + "\nclass C { void M() { Api.{|#0:Bang|}(7); } }",
            Verify.Diagnostic("HT0002").WithLocation(0).WithArguments("Bang", 2)));
        Assert.Contains("Call to 'Bang' with 2 argument(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("reported here with: Test0.cs(9,26,9,30): warning HT0002: Call to 'Bang' with 1 argument(s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongExactMessageOrSeverityFails()
    {
        await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(
            Api + "\nclass C { void M() { Api.{|#0:Boom|}(); } }",
            Verify.Diagnostic("HT0001").WithLocation(0).WithMessage("Call to Boom")));
        await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(
            Api + "\nclass C { void M() { Api.{|#0:Boom|}(); } }",
            Verify.Diagnostic("HT0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Error)));
    }

    [Fact]
    public async Task AWrongSpanFails()
    {
        await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync(Api + "\nclass C { void M() { [|Api.Boom|](); } }"));
    }

    [Fact]
    public async Task AnAnalyzerThatThrowsFailsEvenWhenNothingIsExpected()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => AnalyzerVerifier<ThrowingAnalyzer>.VerifyAsync("class C { }"));
        Assert.Contains("AD0001", ex.Message, StringComparison.Ordinal);
        Assert.Contains("harness: deliberate analyzer crash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompilerErrorInTheSourceFails()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => Verify.VerifyAsync("class C { void M() { Undefined(); } }"));
        Assert.Contains("CS0103", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not compile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowCompilerErrorsAcceptsBrokenSource()
    {
        await new Verify.Test
        {
            TestCode = Api + "\nclass C { void M() { Api.[|Boom|](); Undefined(); } }",
            AllowCompilerErrors = true,
        }.RunAsync();
    }

    [Fact]
    public async Task NullableIsEnabledAndCompilerWarningsAreNotErrors()
    {
        // CS8600 (nullable) and CS0168 (unused variable) are warnings: they do not fail a test.
        await Verify.VerifyAsync("class C { void M() { int unused; string s = null; } }");
    }

    [Fact]
    public async Task TheRuntimeIsReferencedUnlessSwitchedOff()
    {
        const string source = """
            using TrefGuard.Annotations;
            class Handle
            {
                [AcquiresReference] public static Handle Open() => new();
                [ReleasesReference] public void Close() { }
            }
            """;
        await Verify.VerifyAsync(source);
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => new Verify.Test { TestCode = source, ReferenceRuntime = false }.RunAsync());
        Assert.Contains("TrefGuard", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputKindAndLanguageVersionAreOptions()
    {
        await new Verify.Test
        {
            TestCode = Api + "\nclass Program { static void Main() { Api.[|Boom|](); } }",
            OutputKind = OutputKind.ConsoleApplication,
            LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp12,
        }.RunAsync();
        await Assert.ThrowsAnyAsync<VerifierException>(() => new Verify.Test
        {
            TestCode = "class C { }",
            OutputKind = OutputKind.ConsoleApplication,
        }.RunAsync());
    }

    [Fact]
    public async Task TheAutoGeneratedRerunCatchesAnAnalyzerThatReportsInGeneratedCode()
    {
        const string source = Api + "\nclass C { void M() { Api.[|Boom|](); } }";
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => AnalyzerVerifier<BoomInGeneratedCodeAnalyzer>.VerifyAsync(source));
        Assert.Contains("auto-generated", ex.Message, StringComparison.Ordinal);

        await new AnalyzerVerifier<BoomInGeneratedCodeAnalyzer>.Test
        {
            TestCode = source,
            SkipSilenceChecksReason = "harness self-test: this analyzer reports into generated code on purpose",
        }.RunAsync();
    }

    [Fact]
    public async Task ThePragmaRerunCatchesADiagnosticThatCannotBeSuppressed()
    {
        var ex = await Assert.ThrowsAnyAsync<VerifierException>(() => AnalyzerVerifier<NotConfigurableAnalyzer>.VerifyAsync(Api + "\nclass C { void M() { Api.[|Boom|](); } }"));
        Assert.Contains("#pragma warning disable HT0004", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorSeverityAnalyzerDiagnosticsAreSuppressibleByPragma()
    {
        // TG0006 is an error-severity rule: the pragma re-run must work for it too.
        await AnalyzerVerifier<ErrorSeverityAnalyzer>.VerifyAsync(
            Api + "\nclass C { void M() { Api.{|#0:Boom|}(); } }",
            AnalyzerVerifier<ErrorSeverityAnalyzer>.Diagnostic("HT0005").WithLocation(0).WithSeverity(DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task SkippingTheSilenceChecksNeedsAReason()
    {
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => new Verify.Test { TestCode = "class C { }", SkipSilenceChecksReason = " " }.RunAsync());
    }

    [Fact]
    public async Task EditorConfigSeverityIsApplied()
    {
        var test = new Verify.Test
        {
            TestCode = Api + "\nclass C { void M() { Api.{|#0:Boom|}(); Api.Bang(); } }",
            AnalyzerConfig = """
                [*.cs]
                dotnet_diagnostic.HT0001.severity = error
                dotnet_diagnostic.HT0002.severity = none
                """,
        };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("HT0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Error));
        await test.RunAsync();

        // Without a section header the text goes under [*].
        await new Verify.Test
        {
            TestCode = Api + "\nclass C { void M() { Api.Boom(); } }",
            AnalyzerConfig = "dotnet_diagnostic.HT0001.severity = none",
        }.RunAsync();
    }

    [Fact]
    public async Task MarkupInAdditionalFilesAndDiagnosticsWithoutLocation()
    {
        var test = new AnalyzerVerifier<AdditionalFileAnalyzer>.Test
        {
            TestCode = "class ReportNoLocation { }",
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", "# comment\nM:Good.Line AcquiresReference\n  {|#0:bad line|}\n[|bad again|]\n"),
                ("other.txt", "bad but not read"),
            },
        };
        test.ExpectedDiagnostics.Add(AnalyzerVerifier<AdditionalFileAnalyzer>.Diagnostic("HT0006").WithLocation(0).WithArguments("TrefGuard.annotations.txt", 3));
        test.ExpectedDiagnostics.Add(AnalyzerVerifier<AdditionalFileAnalyzer>.Diagnostic("HT0007").WithArguments("ReportNoLocation"));
        await test.RunAsync();
    }

    [Fact]
    public async Task MistakesInTheTestItselfAreReportedClearly()
    {
        var unknownId = await Assert.ThrowsAnyAsync<ArgumentException>(() => Verify.VerifyAsync("class C { {|HT9999:void|} M() { } }"));
        Assert.Contains("no analyzer under test reports it", unknownId.Message, StringComparison.Ordinal);

        var unknownMarker = await Assert.ThrowsAnyAsync<ArgumentException>(() => Verify.VerifyAsync("class C { }", Verify.Diagnostic("HT0001").WithLocation(3)));
        Assert.Contains("marker #3", unknownMarker.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => Verify.Diagnostic("HT9999"));
    }
}
