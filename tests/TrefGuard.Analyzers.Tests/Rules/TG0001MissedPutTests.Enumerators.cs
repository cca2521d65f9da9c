using System.Threading.Tasks;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.MissedPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>
/// TG0001 through a <c>foreach</c> whose enumerator's <c>Current</c> acquires: the loop calls it only in the control
/// flow graph's lowering, so the gate's scan of the operation tree has to ask the loop which members it calls.
/// </summary>
public sealed partial class TG0001MissedPutTests
{
    private const string AcquiringEnumerable = """
        using TrefGuard;
        using TrefGuard.Annotations;

        sealed class LiveTasks
        {
            private readonly TaskStruct[] _tasks;

            public LiveTasks(TaskStruct[] tasks) => _tasks = tasks;

            public Enumerator GetEnumerator() => new Enumerator(_tasks);

            public struct Enumerator
            {
                private readonly TaskStruct[] _tasks;
                private int _index;

                public Enumerator(TaskStruct[] tasks)
                {
                    _tasks = tasks;
                    _index = -1;
                }

                public bool MoveNext() => ++_index < _tasks.Length;

                [AcquiresReference]
                public TaskRef Current => Tref.GetByTask(_tasks[_index], PidType.Pid);
            }
        }

        """;

    [Fact]
    public async Task AReferenceAcquiredByAForeachEnumerator_NeverPut_IsReported()
    {
        // Every iteration's reference is dropped at the end of the loop's body.
        await Verify.VerifyAnalyzerAsync(AcquiringEnumerable + """
            static class Census
            {
                static int CountAlive(LiveTasks tasks)
                {
                    var alive = 0;
                    foreach ({|#0:var|} r in tasks)
                    {
                        if (r.IsAlive)
                            alive++;
                    }

                    return alive;
                }
            }
            """,
            Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "end of the block", 38));
    }

    [Fact]
    public async Task AReferenceAcquiredByAForeachEnumerator_PutInEveryIteration_IsSilent()
    {
        await Verify.VerifyAnalyzerAsync(AcquiringEnumerable + """
            static class Census
            {
                static int CountAlive(LiveTasks tasks)
                {
                    var alive = 0;
                    foreach (var r in tasks)
                    {
                        if (r.IsAlive)
                            alive++;
                        r.Put();
                    }

                    return alive;
                }
            }
            """);
    }

    [Fact]
    public async Task AnEnumeratorAnnotatedInTheAnnotationsFile_IsFollowedToo()
    {
        // The scan skips the enumerators of collections whose assembly cannot carry annotations (the BCL's); one that
        // the annotations file names can, and is looked at.
        await new Verify.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using TrefGuard;

                static class Census
                {
                    static int CountAlive(List<TaskRef> refs)
                    {
                        var alive = 0;
                        foreach ({|#0:var|} r in refs)
                        {
                            if (r.IsAlive)
                                alive++;
                        }

                        return alive;
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", "P:System.Collections.Generic.List`1.Enumerator.Current AcquiresReference") },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "end of the block", 13) },
        }.RunAsync();
    }
}
