using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.MissedPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0001: an owned reference not released on some path out of its scope.</summary>
public sealed partial class TG0001MissedPutTests
{
    /// <summary>For tests that are about normal paths: TG0010 (exception paths) would otherwise join every one.</summary>
    internal const string NoExceptionPaths = "root = true\n[*.cs]\ndotnet_diagnostic.TG0010.severity = none";

    [Fact]
    public async Task EarlyReturn_IsReported_AndFixedBeforeTheReturn()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static int Pid(TaskStruct task, bool quiet)
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        if (quiet)
                            return 0;
                        var nr = r.Nr;
                        r.Put();
                        return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 9) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static int Pid(TaskStruct task, bool quiet)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        if (quiet)
                        {
                            r.Put();
                            return 0;
                        }

                        var nr = r.Nr;
                        r.Put();
                        return nr;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ProcReader_EarlyReturnBug_FixedWithTryFinallyByDefault()
    {
        // The converted /proc function that returned success without put_task_struct (CLIENTS.md).
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class ProcStatus
                {
                    const int ESRCH = -3;

                    static int ReadStatus(TaskRef r, System.Text.StringBuilder output)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return ESRCH;
                        if (task.HasExited)
                            return 0;
                        output.Append(task.Name);
                        task.Put();
                        return 0;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 13) },
            FixedCode = """
                using TrefGuard;

                class ProcStatus
                {
                    const int ESRCH = -3;

                    static int ReadStatus(TaskRef r, System.Text.StringBuilder output)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return ESRCH;
                        try
                        {
                            if (task.HasExited)
                                return 0;
                            output.Append(task.Name);
                            return 0;
                        }
                        finally
                        {
                            task.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task LoopContinue_IsFixedBeforeTheContinue()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Scan
                {
                    static int CountAlive(TaskStruct[] tasks)
                    {
                        var alive = 0;
                        foreach (var task in tasks)
                        {
                            var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                            if (!r.IsAlive)
                                continue;
                            alive++;
                            r.Put();
                        }

                        return alive;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "continue", 12) },
            FixedCode = """
                using TrefGuard;

                class Scan
                {
                    static int CountAlive(TaskStruct[] tasks)
                    {
                        var alive = 0;
                        foreach (var task in tasks)
                        {
                            var r = Tref.GetByTask(task, PidType.Pid);
                            if (!r.IsAlive)
                            {
                                r.Put();
                                continue;
                            }

                            alive++;
                            r.Put();
                        }

                        return alive;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ForBreak_IsFixedBeforeTheBreak()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Scan
                {
                    static int FirstDead(TaskStruct[] tasks)
                    {
                        var i = 0;
                        for (; i < tasks.Length; i++)
                        {
                            var {|#0:r = Tref.GetByTask(tasks[i], PidType.Tgid)|};
                            if (!r.IsAlive) break;
                            r.Put();
                        }

                        return i;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "break", 11) },
            FixedCode = """
                using TrefGuard;

                class Scan
                {
                    static int FirstDead(TaskStruct[] tasks)
                    {
                        var i = 0;
                        for (; i < tasks.Length; i++)
                        {
                            var r = Tref.GetByTask(tasks[i], PidType.Tgid);
                            if (!r.IsAlive)
                            {
                                r.Put();
                                break;
                            }

                            r.Put();
                        }

                        return i;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task SwitchSectionReturn_IsFixedInsideTheSection()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Signals
                {
                    static int Send(TaskTable table, int pid, int mode)
                    {
                        var {|#0:r = Tref.GetByPid(table, pid, PidType.Pid)|};
                        switch (mode)
                        {
                            case 0:
                                return 0;
                            case 1:
                                Tref.Kill(r, 9);
                                break;
                        }

                        r.Put();
                        return 1;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 11) },
            FixedCode = """
                using TrefGuard;

                class Signals
                {
                    static int Send(TaskTable table, int pid, int mode)
                    {
                        var r = Tref.GetByPid(table, pid, PidType.Pid);
                        switch (mode)
                        {
                            case 0:
                                r.Put();
                                return 0;
                            case 1:
                                Tref.Kill(r, 9);
                                break;
                        }

                        r.Put();
                        return 1;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturnThatReadsTheVariable_IsComputedBeforeThePut()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static string Comm(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return "";
                        return task.Name + ":" + task.Pid;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 10) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static string Comm(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return "";
                        var result = task.Name + ":" + task.Pid;
                        task.Put();
                        return result;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task MissingPutAtTheEndOfTheMethod_IsAppended()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class ProcStat
                {
                    static void Show(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return;
                        Console.WriteLine(task.Name);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "end of the method", 12) },
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
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task MissingPutAtTheEndOfTheMethod_WhereCallsCanThrow_DefaultsToFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class ProcStat
                {
                    static void Show(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return;
                        Console.WriteLine(task.Name);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "end of the method", 12) },
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
                        try
                        {
                            Console.WriteLine(task.Name);
                        }
                        finally
                        {
                            task.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task Reassignment_ReleasesTheOldReferenceFirst()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static int Follow(TaskStruct leader, TaskStruct session)
                    {
                        var {|#0:r = Tref.GetByTask(leader, PidType.Pgid)|};
                        r = Tref.GetByTask(session, PidType.Sid);
                        var nr = r.Nr;
                        r.Put();
                        return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "reassignment", 8) },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static int Follow(TaskStruct leader, TaskStruct session)
                    {
                        var r = Tref.GetByTask(leader, PidType.Pgid);
                        r.Put();
                        r = Tref.GetByTask(session, PidType.Sid);
                        var nr = r.Nr;
                        r.Put();
                        return nr;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ReacquiredInALoop_LeaksThePreviousIteration_AndIsReleasedNullSafely()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Poll
                {
                    static string? LastName(TaskRef r, int rounds)
                    {
                        TaskStruct? task = null;
                        for (var i = 0; i < rounds; i++)
                        {
                            task = {|#0:r.GetTask()|};
                        }

                        var name = task?.Name;
                        task?.Put();
                        return name;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "reassignment", 10) },
            FixedCode = """
                using TrefGuard;

                class Poll
                {
                    static string? LastName(TaskRef r, int rounds)
                    {
                        TaskStruct? task = null;
                        for (var i = 0; i < rounds; i++)
                        {
                            task?.Put();
                            task = r.GetTask();
                        }

                        var name = task?.Name;
                        task?.Put();
                        return name;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task Temporary_IsBoundToALocalAndReleasedAfterTheStatement()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Print(TaskStruct task)
                    {
                        Console.WriteLine({|#0:Tref.GetByTask(task, PidType.Sid)|}.Nr);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByTask(task, PidType.Sid)", "end of the statement", 8) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Print(TaskStruct task)
                    {
                        var taskRef = Tref.GetByTask(task, PidType.Sid);
                        Console.WriteLine(taskRef.Nr);
                        taskRef.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ExpressionBodiedMember_BecomesABlockThatReleases()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Ps
                {
                    static int SessionOf(TaskStruct task) => {|#0:Tref.GetByTask(task, PidType.Sid)|}.Nr;
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByTask(task, PidType.Sid)", "return", 5) },
            FixedCode = """
                using TrefGuard;

                class Ps
                {
                    static int SessionOf(TaskStruct task)
                    {
                        var taskRef = Tref.GetByTask(task, PidType.Sid);
                        var result = taskRef.Nr;
                        taskRef.Put();
                        return result;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturnedTemporary_IsComputedThenReleased()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Ps
                {
                    static bool GroupAlive(TaskStruct task)
                    {
                        return {|#0:Tref.GetByTask(task, PidType.Pgid)|}.IsAlive;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByTask(task, PidType.Pgid)", "return", 7) },
            FixedCode = """
                using TrefGuard;

                class Ps
                {
                    static bool GroupAlive(TaskStruct task)
                    {
                        var taskRef = Tref.GetByTask(task, PidType.Pgid);
                        var result = taskRef.IsAlive;
                        taskRef.Put();
                        return result;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ReleasedOnSomePathsOnly_IsFixedWithFinally_WithoutADoublePut()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Hangup(TaskStruct session, bool verbose)
                    {
                        var {|#0:r = Tref.GetByTask(session, PidType.Sid)|};
                        if (verbose)
                            r.Put();
                        Console.WriteLine("hangup");
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "end of the method", 12) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Hangup(TaskStruct session, bool verbose)
                    {
                        var r = Tref.GetByTask(session, PidType.Sid);
                        try
                        {
                            Console.WriteLine("hangup");
                        }
                        finally
                        {
                            r.Put();
                        }
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task MaybeNullAfterConditionalAccess_IsReleasedWithConditionalAccess()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        Console.WriteLine(task?.Name ?? "(gone)");
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "end of the method", 10) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        Console.WriteLine(task?.Name ?? "(gone)");
                        task?.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task TwoReferencesLeakingAtOneReturn_AreBothReleasedInOrder()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static bool SameSession(TaskStruct a, TaskStruct b)
                    {
                        var {|#0:left = Tref.GetByTask(a, PidType.Sid)|};
                        var {|#1:right = Tref.GetByTask(b, PidType.Sid)|};
                        if (!left.IsAlive)
                            return false;
                        var same = left == right;
                        left.Put();
                        right.Put();
                        return same;
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("left", "return", 10),
                Verify.Diagnostic("TG0001").WithLocation(1).WithArguments("right", "return", 10),
            },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static bool SameSession(TaskStruct a, TaskStruct b)
                    {
                        var left = Tref.GetByTask(a, PidType.Sid);
                        var right = Tref.GetByTask(b, PidType.Sid);
                        if (!left.IsAlive)
                        {
                            left.Put();
                            right.Put();
                            return false;
                        }

                        var same = left == right;
                        left.Put();
                        right.Put();
                        return same;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task SeveralLeakingExits_AreAllFixedByOneFix()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static int Check(TaskRef r, int flags)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return -3;
                        if ((flags & 1) != 0)
                            return -1;
                        if ((flags & 2) != 0)
                            return -2;
                        task.Put();
                        return 0;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 11) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static int Check(TaskRef r, int flags)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return -3;
                        if ((flags & 1) != 0)
                        {
                            task.Put();
                            return -1;
                        }

                        if ((flags & 2) != 0)
                        {
                            task.Put();
                            return -2;
                        }

                        task.Put();
                        return 0;
                    }
                }
                """,
            NumberOfIncrementalIterations = 1,
        }.RunAsync();
    }

    [Fact]
    public async Task AsyncMethod_AwaitThenEarlyReturn_DefaultsToFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<bool> WaitForExitAsync(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return true;
                        await Task.Delay(10);
                        if (task.HasExited)
                            return true;
                        task.Put();
                        return false;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 13) },
            FixedCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<bool> WaitForExitAsync(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return true;
                        try
                        {
                            await Task.Delay(10);
                            if (task.HasExited)
                                return true;
                            return false;
                        }
                        finally
                        {
                            task.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task NegatedPatternGuard_ThenMissingPut_IsAppended()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        if ({|#0:r.GetTask()|} is not { } task)
                            return;
                        Console.WriteLine(task.Name);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "end of the method", 11) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        if (r.GetTask() is not { } task)
                            return;
                        Console.WriteLine(task.Name);
                        task.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ReferenceKeptFromTheLastIteration_IsReportedWhereItIsLost()
    {
        // The last iteration's reference lives on in `prev`: it leaks at the end, as the first one does when the loop
        // does not run. Both are reported at their acquisitions.
        await new Verify.Test
        {
            TestCode = """
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
                            prev = cur;
                        }
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0001").WithSpan(7, 13, 7, 56).WithArguments("prev", "end of the method", 14),
                Verify.Diagnostic("TG0001").WithSpan(10, 17, 10, 59).WithArguments("cur", "end of the method", 14),
            },
            FixedCode = """
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
                            prev = cur;
                        }

                        prev.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task PatternVariableOfAnIf_IsReported_ButNotFixedWhereItIsNotDefinitelyAssigned()
    {
        // The pattern variable lives to the end of the method, where it is not definitely assigned: a put there would
        // not compile, so no fix is offered (the verifier checks that none is).
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(object o)
                    {
                        if (o is TaskRef r && {|#0:r.GetTask()|} is { } task)
                        {
                            Console.WriteLine(task.Name);
                        }
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "end of the method", 12) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }
}
