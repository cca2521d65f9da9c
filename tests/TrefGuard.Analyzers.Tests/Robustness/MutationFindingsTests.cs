using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Bugs the mutation run found, each pinned by the smallest input that shows it (found as a mutated variant, then
/// reduced by hand). They fail until the analyzer is fixed.
/// </summary>
public sealed class MutationFindingsTests
{
    /// <summary>
    /// Found by seed 7, variant 28 (TG0001MissedPutTests#21 with a line deleted and a method wrapped in a foreach).
    /// Roslyn links the root region of a local function's or lambda's graph to the region of the enclosing graph
    /// where it is declared (<c>graph.GetLocalFunctionControlFlowGraph(f).Root.EnclosingRegion</c> is not null). The
    /// flow engine's walks up <c>EnclosingRegion</c> (ForwardFlowAnalysis.UnwindForException and ComputeHandlerEdges,
    /// OwnershipAnalysis.TryLine) stop only at null, so they leave the nested graph and use the enclosing graph's
    /// finally and catch regions, whose block ordinals belong to the other graph: IndexOutOfRangeException in
    /// ApplyFinally (AD0001) when an enclosing using, foreach, lock or try/finally holds the declaration.
    /// </summary>
    [Theory]
    [InlineData("using (var stream = new System.IO.MemoryStream())")]
    [InlineData("foreach (var item in new int[0])")]
    [InlineData("lock (this)")]
    public async Task LocalFunctionDeclaredInsideAFinallyRegion_DoesNotCrashTheOwnershipAnalyzer(string statement)
    {
        var source = $$"""
            using System;
            using TrefGuard;

            class C
            {
                void M()
                {
                    {{statement}}
                    {
                        void Print(TaskStruct task)
                        {
                            Console.WriteLine(Tref.GetByTask(task, PidType.Sid).Nr);
                        }
                    }
                }
            }
            """;

        var run = await AdHocAnalysis.RunAsync([("Test0.cs", source)], [], AdHocAnalysis.AllTrefGuardAnalyzers());

        Assert.True(run.AnalyzerFailures.IsEmpty, string.Join(Environment.NewLine, run.AnalyzerFailures));
        Assert.Contains(run.AnalyzerDiagnostics, d => d.Id == "TG0001" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("Tref.GetByTask(task, PidType.Sid)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LambdaDeclaredInsideAUsing_DoesNotCrashTheOwnershipAnalyzer()
    {
        const string source = """
            using System;
            using TrefGuard;

            class C
            {
                void M(TaskStruct task)
                {
                    using (var stream = new System.IO.MemoryStream())
                    {
                        Action print = () => Console.WriteLine(Tref.GetByTask(task, PidType.Sid).Nr);
                        print();
                    }
                }
            }
            """;

        var run = await AdHocAnalysis.RunAsync([("Test0.cs", source)], [], AdHocAnalysis.AllTrefGuardAnalyzers());

        Assert.True(run.AnalyzerFailures.IsEmpty, string.Join(Environment.NewLine, run.AnalyzerFailures));
        Assert.Contains(run.AnalyzerDiagnostics, d => d.Id == "TG0001" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("Tref.GetByTask(task, PidType.Sid)", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same walk, silently wrong instead of crashing: a catch-all around the local function's declaration is
    /// taken as catching the local function's own exceptions, so its leak on an exception path goes unreported.
    /// Declared outside the try, the same local function gets TG0010.
    /// </summary>
    [Fact]
    public async Task LocalFunctionDeclaredInsideATryWithACatchAll_StillReportsItsExceptionLeak()
    {
        const string inside = """
            using System;
            using TrefGuard;

            class C
            {
                void M(TaskStruct task)
                {
                    try
                    {
                        void Local()
                        {
                            var r = Tref.GetByTask(task, PidType.Pid);
                            Console.WriteLine(r.Nr);
                            r.Put();
                        }

                        Local();
                    }
                    catch
                    {
                    }
                }
            }
            """;
        const string outside = """
            using System;
            using TrefGuard;

            class C
            {
                void M(TaskStruct task)
                {
                    void Local()
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        Console.WriteLine(r.Nr);
                        r.Put();
                    }

                    try
                    {
                        Local();
                    }
                    catch
                    {
                    }
                }
            }
            """;

        var reference = await AdHocAnalysis.RunAsync([("Test0.cs", outside)], [], AdHocAnalysis.AllTrefGuardAnalyzers());
        var run = await AdHocAnalysis.RunAsync([("Test0.cs", inside)], [], AdHocAnalysis.AllTrefGuardAnalyzers());

        Assert.Contains(reference.AnalyzerDiagnostics, d => d.Id == "TG0010");
        Assert.True(run.AnalyzerFailures.IsEmpty, string.Join(Environment.NewLine, run.AnalyzerFailures));
        Assert.Equal(
            reference.AnalyzerDiagnostics.Select(d => d.Id).ToImmutableArray().AsEnumerable(),
            run.AnalyzerDiagnostics.Select(d => d.Id).ToImmutableArray().AsEnumerable());
    }

    /// <summary>
    /// The walk the flow engine fix (27f73fc) left: OwnershipAnalysis.TryLine, which names the try statement whose
    /// catch took an exception, still walks <c>EnclosingRegion</c> to null. For a lambda whose own catch-all takes the
    /// exception, it steps out of the lambda's graph into the enclosing method's try/catch and indexes the lambda's
    /// blocks with that region's ordinals: IndexOutOfRangeException (AD0001) when the method has more blocks before
    /// its try than the lambda has in all, and otherwise the wrong try's line in the TG0010 message.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task LambdaWithItsOwnCatchAllInsideAMethodsTry_NamesTheLambdasTryInTG0010(int statementsBeforeTheTry)
    {
        var before = string.Concat(Enumerable.Range(0, statementsBeforeTheTry).Select(i => $"        if (task.Name.Length == {i}) Console.WriteLine({i});\n"));
        var source = $$"""
            using System;
            using TrefGuard;

            class C
            {
                void M(TaskStruct task)
                {
            {{before}}        try
                    {
                        Action a = () =>
                        {
                            TaskRef r = TaskRef.None;
                            try
                            {
                                r = Tref.GetByTask(task, PidType.Pid);
                                Console.WriteLine(r.Nr);
                                r.Put();
                            }
                            catch
                            {
                            }

                            Console.WriteLine("after");
                        };
                        a();
                    }
                    catch
                    {
                    }
                }
            }
            """;
        var lines = source.Split('\n');
        var lambdaTryLine = Array.FindLastIndex(lines, l => l.Trim() == "try") + 1;

        var run = await AdHocAnalysis.RunAsync([("Test0.cs", source)], [], AdHocAnalysis.AllTrefGuardAnalyzers());

        Assert.True(run.AnalyzerFailures.IsEmpty, string.Join(Environment.NewLine, run.AnalyzerFailures));
        var leak = Assert.Single(run.AnalyzerDiagnostics, d => d.Id == "TG0010");
        var message = leak.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(message.Contains($"thrown by the try block on line {lambdaTryLine};", StringComparison.Ordinal), $"expected the lambda's try (line {lambdaTryLine}): {message}");
    }
}
