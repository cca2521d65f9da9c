using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Rules;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer>;

namespace TrefGuard.Analyzers.Tests.Configuration;

/// <summary>
/// Users tune TrefGuard like any analyzer: .editorconfig severities, #pragma, [SuppressMessage]. The compiler does
/// the work, provided the descriptors are ordinary (configurable, not NotConfigurable) — these tests pin that.
/// </summary>
public sealed class SeverityAndSuppressionTests
{
    private const string Leak = """
        using TrefGuard;

        class C
        {
            int M(TaskStruct t)
            {
                var {|#0:r = Tref.GetByTask(t, PidType.Pid)|};
                return r.Nr;
            }
        }
        """;

    /// <summary>The same leak, for a run that expects no diagnostic.</summary>
    private static string LeakWithoutMarkup => Leak.Replace("{|#0:", string.Empty, System.StringComparison.Ordinal).Replace(")|};", ");", System.StringComparison.Ordinal);

    [Fact]
    public async Task DefaultSeverity_IsWarning()
    {
        await Verify.VerifyAsync(Leak, Verify.Diagnostic("TG0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Warning).WithArguments("r", "return", 8));
    }

    [Theory]
    [InlineData("error", DiagnosticSeverity.Error)]
    [InlineData("suggestion", DiagnosticSeverity.Info)]
    [InlineData("warning", DiagnosticSeverity.Warning)]
    public async Task EditorConfigSeverity_IsApplied(string configured, DiagnosticSeverity expected)
    {
        var test = new Verify.Test
        {
            TestCode = Leak,
            AnalyzerConfig = $"root = true\n[*.cs]\ndotnet_diagnostic.TG0001.severity = {configured}\n",
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithSeverity(expected).WithArguments("r", "return", 8) },
        };
        await test.RunAsync();
    }

    /// <summary>Severity none silences the rule; generated_code = true makes the file generated code, which is not analysed.</summary>
    [Theory]
    [InlineData("dotnet_diagnostic.TG0001.severity = none")]
    [InlineData("generated_code = true")]
    public async Task EditorConfigSetting_SilencesTheLeak(string setting)
    {
        var test = new Verify.Test
        {
            TestCode = LeakWithoutMarkup,
            AnalyzerConfig = "root = true\n[*.cs]\n" + setting + "\n",
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task CategorySeverity_AppliesToTheFamily()
    {
        var test = new Verify.Test
        {
            TestCode = Leak,
            AnalyzerConfig = "root = true\n[*.cs]\ndotnet_analyzer_diagnostic.category-Ownership.severity = error\n",
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Error).WithArguments("r", "return", 8) },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task PragmaWarningDisable_SuppressesOnlyItsRegion()
    {
        var test = new Verify.Test
        {
            // The source restores the warning itself, so the harness's file-wide #pragma re-run cannot be silent.
            SkipSilenceChecksReason = "the source has its own #pragma warning restore",
            TestCode = """
            using TrefGuard;

            class C
            {
                int Suppressed(TaskStruct t)
                {
            #pragma warning disable TG0001 // handed to native code that releases it
                    var r = Tref.GetByTask(t, PidType.Pid);
            #pragma warning restore TG0001
                    return r.Nr;
                }

                int Reported(TaskStruct t)
                {
                    var {|#0:r = Tref.GetByTask(t, PidType.Pid)|};
                    return r.Nr;
                }
            }
            """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 16) },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task SuppressMessageAttribute_OnTheMethod_Suppresses()
    {
        await Verify.VerifyAsync("""
            using System.Diagnostics.CodeAnalysis;
            using TrefGuard;

            class C
            {
                [SuppressMessage("Ownership", "TG0001:Owned reference is not released on every path", Justification = "released by the caller's finalizer")]
                int M(TaskStruct t)
                {
                    var r = Tref.GetByTask(t, PidType.Pid);
                    return r.Nr;
                }
            }
            """);
    }

    [Fact]
    public async Task SuppressMessageAttribute_ForAnotherRule_DoesNotSuppress()
    {
        await Verify.VerifyAsync("""
            using System.Diagnostics.CodeAnalysis;
            using TrefGuard;

            class C
            {
                [SuppressMessage("Ownership", "TG0004")]
                int M(TaskStruct t)
                {
                    var {|#0:r = Tref.GetByTask(t, PidType.Pid)|};
                    return r.Nr;
                }
            }
            """,
            Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 10));
    }

    [Fact]
    public async Task GeneratedCode_IsSkipped()
    {
        var test = new Verify.Test
        {
            Sources =
            {
                ("Leaky.g.cs", """
                    using TrefGuard;

                    class Generated
                    {
                        int M(TaskStruct t)
                        {
                            var r = Tref.GetByTask(t, PidType.Pid);
                            return r.Nr;
                        }
                    }
                    """),
            },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task EditorConfigGeneratedCodeFalse_AnalysesAGeneratedLookingFile()
    {
        var test = new Verify.Test
        {
            Sources =
            {
                ("Leaky.g.cs", Leak),
            },
            AnalyzerConfig = "root = true\n[*.cs]\ngenerated_code = false\n",

            // The compiler lets generated_code = false outweigh an <auto-generated> header as well as the file name.
            SkipSilenceChecksReason = "generated_code = false makes the auto-generated re-run's header count for nothing",
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 8) },
        };
        await test.RunAsync();
    }

    /// <summary>
    /// The lock and ownership analyzers let the driver skip its per-diagnostic generated-code check (they only report
    /// inside what they were called back for); generated code must still be skipped, by attribute as by file.
    /// </summary>
    [Fact]
    public async Task GeneratedCodeAttribute_IsSkipped_ByTheOwnershipAnalyzer()
    {
        await Verify.VerifyAsync("""
            using System.CodeDom.Compiler;
            using TrefGuard;

            [GeneratedCode("tool", "1.0")]
            class Generated
            {
                int M(TaskStruct t)
                {
                    var r = Tref.GetByTask(t, PidType.Pid);
                    return r.Nr;
                }
            }

            class Written
            {
                [GeneratedCode("tool", "1.0")]
                int M(TaskStruct t)
                {
                    var r = Tref.GetByTask(t, PidType.Pid);
                    return r.Nr;
                }

                int N(TaskStruct t)
                {
                    var {|#0:r = Tref.GetByTask(t, PidType.Pid)|};
                    return r.Nr;
                }
            }
            """,
            Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 26));
    }

    [Fact]
    public async Task GeneratedCodeAttribute_IsSkipped_ByTheLockAnalyzer()
    {
        await AnalyzerVerifier<LockAnalyzer>.VerifyAsync("""
            using System.CodeDom.Compiler;
            using TrefGuard;

            [GeneratedCode("tool", "1.0")]
            class Generated
            {
                static bool Alive(TaskRef r) => r.Task != null;
            }

            class Written
            {
                static bool Alive(TaskRef r) => [|r.Task|] != null;
            }
            """);
    }

    [Fact]
    public async Task PartialType_GeneratedHalfIsSkipped_WrittenHalfIsReported()
    {
        var test = new Verify.Test
        {
            Sources =
            {
                ("Worker.g.cs", """
                    using TrefGuard;

                    partial class Worker
                    {
                        int Generated(TaskStruct t)
                        {
                            var r = Tref.GetByTask(t, PidType.Pid);
                            return r.Nr;
                        }
                    }
                    """),
                ("Worker.cs", """
                    using TrefGuard;

                    partial class Worker
                    {
                        int Written(TaskStruct t)
                        {
                            var {|#0:r = Tref.GetByTask(t, PidType.Pid)|};
                            return r.Nr;
                        }
                    }
                    """),
            },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 8) },
        };
        await test.RunAsync();
    }

    [Fact]
    public void EveryDescriptor_IsConfigurable()
    {
        foreach (var analyzer in new Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer[] { new OwnershipAnalyzer(), new AnnotationFileAnalyzer() })
        {
            foreach (var descriptor in analyzer.SupportedDiagnostics)
            {
                Assert.DoesNotContain(WellKnownDiagnosticTags.NotConfigurable, descriptor.CustomTags);
                Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
            }
        }
    }
}
