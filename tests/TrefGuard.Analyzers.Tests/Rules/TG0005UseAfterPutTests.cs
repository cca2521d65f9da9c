using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.UseAfterPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0005: a reference used after it was released.</summary>
public sealed class TG0005UseAfterPutTests
{
    private const string NoExceptionPaths = TG0001MissedPutTests.NoExceptionPaths;

    [Fact]
    public async Task UseAfterPut_IsReported_AndThePutMovedAfterIt()
    {
        // The converted /proc function that "kept using a task after putting it" (CLIENTS.md).
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class ProcStat
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        task.Put();
                        Console.WriteLine({|#0:task.Name|});
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("task", 11) },
            FixedCode = """
                using System;
                using TrefGuard;

                class ProcStat
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        Console.WriteLine(task.Name);
                        task.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = UseAfterPutFixer.MoveReleaseAfterUseKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturnedExpressionAfterPut_IsComputedBeforeThePut()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class ProcStat
                {
                    static int Pid(TaskStruct task)
                    {
                        var pinned = task.Get();
                        pinned.Put();
                        return {|#0:pinned.Pid|} + 1;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("pinned", 8) },
            FixedCode = """
                using TrefGuard;

                class ProcStat
                {
                    static int Pid(TaskStruct task)
                    {
                        var pinned = task.Get();
                        var result = pinned.Pid + 1;
                        pinned.Put();
                        return result;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task SeveralUsesAfterPut_AreFixedByOneMove()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Line(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pgid);
                        r.Put();
                        var nr = {|#0:r.Nr|};
                        var alive = {|#1:r.IsAlive|};
                        Console.WriteLine($"{nr} {alive}");
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 9),
                Verify.Diagnostic("TG0005").WithLocation(1).WithArguments("r", 9),
            },
            FixedCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Line(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pgid);
                        var nr = r.Nr;
                        var alive = r.IsAlive;
                        r.Put();
                        Console.WriteLine($"{nr} {alive}");
                    }
                }
                """,
            NumberOfIncrementalIterations = 1,
        }.RunAsync();
    }

    [Fact]
    public async Task SignalAfterPut_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Keyboard
                {
                    static int Signal(TaskTable table, int pid, int signal)
                    {
                        var r = Tref.GetByPid(table, pid, PidType.Pid);
                        r.Put();
                        return Tref.Kill({|#0:r|}, signal);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 8) },
            FixedCode = """
                using TrefGuard;

                class Keyboard
                {
                    static int Signal(TaskTable table, int pid, int signal)
                    {
                        var r = Tref.GetByPid(table, pid, PidType.Pid);
                        var result = Tref.Kill(r, signal);
                        r.Put();
                        return result;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task LeaseUsedAfterReturn_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Io
                {
                    static void Fill(LeasePool pool)
                    {
                        var lease = pool.Rent(16);
                        pool.Return(lease);
                        {|#0:lease.Buffer|}[0] = 1;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("lease", 8) },
            FixedCode = """
                using Handles;

                class Io
                {
                    static void Fill(LeasePool pool)
                    {
                        var lease = pool.Rent(16);
                        lease.Buffer[0] = 1;
                        pool.Return(lease);
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task EntityCheckedAfterClose_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class World
                {
                    static bool Fresh(int id)
                    {
                        var entity = Entities.Open(id);
                        Entities.Close(entity);
                        var current = Entities.IsCurrent({|#0:entity|});
                        return current;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("entity", 8) },
            FixedCode = """
                using Handles;

                class World
                {
                    static bool Fresh(int id)
                    {
                        var entity = Entities.Open(id);
                        var current = Entities.IsCurrent(entity);
                        Entities.Close(entity);
                        return current;
                    }
                }
                """ + OwnershipHandles.Source,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task UseAfterAwaitAfterPut_InAnAsyncMethod_IsFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task ReportAsync(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        task.Put();
                        await Task.Delay(1);
                        Console.WriteLine({|#0:task.HasExited|});
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("task", 12) },
            FixedCode = """
                using System;
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task ReportAsync(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        await Task.Delay(1);
                        Console.WriteLine(task.HasExited);
                        task.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task UseThroughAnAlias_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static int Nr(TaskStruct leader)
                    {
                        var pgrp = Tref.GetByTask(leader, PidType.Pgid);
                        var view = pgrp;
                        pgrp.Put();
                        var nr = {|#0:view.Nr|};
                        return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("pgrp", 9) },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static int Nr(TaskStruct leader)
                    {
                        var pgrp = Tref.GetByTask(leader, PidType.Pgid);
                        var view = pgrp;
                        var nr = view.Nr;
                        pgrp.Put();
                        return nr;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task UseAfterAConditionalPut_IsReported_ButNotMoved()
    {
        // The put is inside the if: moving it out would change which paths release.
        const string source = """
            using System;
            using TrefGuard;

            class Proc
            {
                static void Show(TaskStruct task, bool quick)
                {
                    var pinned = task.Get();
                    if (quick)
                        pinned.Put();
                    Console.WriteLine({|#0:pinned.Name|});
                }
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("pinned", 10),
                Verify.Diagnostic("TG0001").WithSpan(8, 13, 8, 32).WithArguments("pinned", "end of the method", 12),
            },
            FixedExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("pinned", 10),
                Verify.Diagnostic("TG0001").WithSpan(8, 13, 8, 32).WithArguments("pinned", "end of the method", 12),
            },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task TransferAfterPut_IsReported_ButNotMovedPastTheTransfer()
    {
        // Moving the put after Tref.Set would release the reference the slot now owns.
        const string source = """
            using TrefGuard;

            sealed class ProcInode
            {
                private TaskRef? _task;

                public ProcInode() => Tref.Init(ref _task);

                public void Bind(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    r.Put();
                    Tref.Set(ref _task, {|#0:r|});
                }

                public void Destroy() => Tref.Fini(ref _task);
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 12) },
            FixedExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 12) },
        }.RunAsync();
    }

    [Fact]
    public async Task UseOfTheReferenceKeptFromTheLastIteration_AfterItsPut_IsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Scan
                {
                    static void Pairs(TaskTable table, int count)
                    {
                        var prev = Tref.GetByPid(table, 0, PidType.Pid);
                        for (var i = 1; i < count; i++)
                        {
                            var cur = Tref.GetByPid(table, i, PidType.Pid);
                            prev.Put();
                            Console.WriteLine({|#0:prev.Nr|} + cur.Nr);
                            prev = cur;
                        }

                        prev.Put();
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("prev", 12) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task UseInTheNextIteration_IsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Scan
                {
                    static void Walk(TaskStruct task, int rounds)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        while (rounds-- > 0)
                        {
                            Console.WriteLine({|#0:r.Nr|});
                            {|#1:r.Put()|};
                        }
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 12),
                Verify.Diagnostic("TG0004").WithLocation(1).WithArguments("r", 12),
                Verify.Diagnostic("TG0001").WithSpan(8, 13, 8, 50).WithArguments("r", "end of the method", 14),
            },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task UseInAnInterpolatedStringAfterPut_IsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Ps
                {
                    static string Describe(TaskStruct task)
                    {
                        var pinned = task.Get();
                        pinned.Put();
                        var text = $"{{|#0:pinned.Name|}} ({{|#1:pinned.Pid|}})";
                        return text;
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("pinned", 8),
                Verify.Diagnostic("TG0005").WithLocation(1).WithArguments("pinned", 8),
            },
            FixedCode = """
                using TrefGuard;

                class Ps
                {
                    static string Describe(TaskStruct task)
                    {
                        var pinned = task.Get();
                        var text = $"{pinned.Name} ({pinned.Pid})";
                        pinned.Put();
                        return text;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["UseBeforePut"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static void Show(TaskStruct task)
                {
                    var pinned = task.Get();
                    var name = pinned.Name;
                    pinned.Put();
                    Console.WriteLine(name);
                }
            }
            """,
        ["IdentityCompareAfterPutIsAPeek"] = """
            using TrefGuard;

            class Proc
            {
                static bool WasCurrent(TaskRef r, TaskStruct current)
                {
                    var task = r.GetTask();
                    task?.Put();
                    return task == current;
                }
            }
            """,
        ["NullPatternAfterPutIsAPeek"] = """
            using TrefGuard;

            class Proc
            {
                static bool WasAlive(TaskRef r)
                {
                    var task = r.GetTask();
                    task?.Put();
                    return task is not null;
                }
            }
            """,
        ["ReacquiredBeforeUse"] = """
            using TrefGuard;

            class Tty
            {
                static int Nr(TaskStruct a, TaskStruct b)
                {
                    var r = Tref.GetByTask(a, PidType.Pid);
                    r.Put();
                    r = Tref.GetByTask(b, PidType.Pid);
                    var nr = r.Nr;
                    r.Put();
                    return nr;
                }
            }
            """,
        // What a variable held before its reassignment is out of reach: the next iteration uses what it holds now.
        ["ReleasedAndClearedAtTheEndOfEachIteration"] = """
            using System;
            using TrefGuard;

            class Scan
            {
                static void Walk(TaskTable table, int first, int count)
                {
                    TaskRef? r = Tref.GetByPid(table, first, PidType.Pid);
                    for (var i = 1; i < count; i++)
                    {
                        Console.WriteLine(r?.Nr);
                        r?.Put();
                        r = null;
                        if (i % 3 == 0)
                            r = Tref.GetByPid(table, first + i, PidType.Pid);
                    }

                    r?.Put();
                }
            }
            """,
        ["ReacquiredAtTheEndOfEachIteration"] = """
            using System;
            using TrefGuard;

            class Scan
            {
                static void Walk(TaskTable table, int first, int count)
                {
                    var r = Tref.GetByPid(table, first, PidType.Pid);
                    for (var i = 1; i < count; i++)
                    {
                        Console.WriteLine(r.Nr);
                        r.Put();
                        r = Tref.GetByPid(table, first + i, PidType.Pid);
                    }

                    r.Put();
                }
            }
            """,
        ["PutOnAnotherPath"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static void Show(TaskStruct task, bool quiet)
                {
                    var pinned = task.Get();
                    if (quiet)
                    {
                        pinned.Put();
                        return;
                    }

                    Console.WriteLine(pinned.Name);
                    pinned.Put();
                }
            }
            """,
        ["UsedInTryPutInFinally"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static void Show(TaskStruct task)
                {
                    var pinned = task.Get();
                    try
                    {
                        Console.WriteLine(pinned.Name);
                    }
                    finally
                    {
                        pinned.Put();
                    }
                }
            }
            """,
        ["CapturedByALambdaIsNotFollowed"] = """
            using System;
            using TrefGuard;

            class Deferred
            {
                static Func<int> Later(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    Func<int> nr = () => r.Nr;
                    r.Put();
                    return nr;
                }
            }
            """,
        ["BorrowedParameterIsNotOurs"] = """
            using TrefGuard;

            class Proc
            {
                static int Nr(TaskRef borrowed) => borrowed.Nr;
            }
            """,
    };

    public static TheoryData<string> SilentCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in s_silent.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SilentCases))]
    public async Task NoUseAfterTheRelease_IsSilent(string name)
    {
        await new Verify.Test { TestCode = s_silent[name], AnalyzerConfig = NoExceptionPaths }.RunAsync();
    }

    [Fact]
    public async Task SafeHandleUsedAfterDangerousRelease_IsNoUseAfterPut()
    {
        // The count DangerousAddRef took is gone, but the handle is still a valid object: reading it is no TG0005.
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static bool Closed(SafeHandle handle)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        handle.DangerousRelease();
                        return handle.IsClosed;
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }
}
