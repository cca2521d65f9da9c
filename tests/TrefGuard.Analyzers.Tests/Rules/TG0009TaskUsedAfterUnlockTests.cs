using System.Threading.Tasks;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.TaskUsedAfterUnlockFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0009: a value read under a lock (a task from TaskRef.Task, FindTask, TaskOf) used after the lock is released.</summary>
public sealed partial class TG0009TaskUsedAfterUnlockTests
{
    private const string EntityTable = TG0002UnlockedGuardedAccessTests.EntityTable;

    [Fact]
    public async Task TaskReadInUsingStatement_UsedAfterIt()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                string? Name(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    return {|#0:t|}?.Name;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 11));
    }

    [Fact]
    public async Task TaskReadBeforeExplicitDispose_UsedAfterIt()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var t = r.Task;
                    var inside = t?.Pid ?? 0;
                    g.Dispose();
                    return inside + ({|#0:t|}?.Tgid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 10));
    }

    [Fact]
    public async Task FindTaskAndTaskOfResults_AreScopedToo()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pids(TaskTable table, TaskRef r)
                {
                    TaskStruct? init;
                    TaskStruct? named;
                    using (var g = table.ReadLock())
                    {
                        init = table.FindTask(1, PidType.Pid);
                        named = g.TaskOf(r);
                    }

                    return {|#0:init|}!.Pid + {|#1:named|}!.Pid;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("init", "tasklist", 13),
            Verify.Diagnostic("TG0009").WithLocation(1).WithArguments("named", "tasklist", 13));
    }

    [Fact]
    public async Task PassedAsArgument_AfterTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                void Print(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    Console.WriteLine({|#0:t|});
                    Console.WriteLine($"{{|#1:t|}}");
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 12),
            Verify.Diagnostic("TG0009").WithLocation(1).WithArguments("t", "tasklist", 12));
    }

    [Fact]
    public async Task PinningAfterTheLock_IsTooLate()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                TaskStruct? Pin(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    return {|#0:t|}?.Get();
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 11));
    }

    [Fact]
    public async Task PinnedInsideTheLock_IsFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                string? Name(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task?.Get();
                    }

                    if (t is null)
                    {
                        return null;
                    }

                    var name = t.Name;
                    t.Put();
                    return name;
                }
            }
            """);
    }

    [Fact]
    public async Task CopiedValue_StaysStale()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    var u = t;
                    return {|#0:u|}?.Pid ?? 0;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("u", "tasklist", 11));
    }

    [Fact]
    public async Task NullTestsAndIdentityCompares_OnlyPeek()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                bool Peek(TaskTable table, TaskRef r, TaskStruct current)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    if (t is null || t == null)
                    {
                        return false;
                    }

                    return t == current || object.ReferenceEquals(t, current) || t is not null || t is TaskStruct;
                }
            }
            """);
    }

    [Fact]
    public async Task PropertyPatternAfterTheLock_ReadsTheTask()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                bool Running(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    return {|#0:t|} is { HasExited: false };
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 11));
    }

    [Fact]
    public async Task UsedInsideTheLock_IsFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                string Name(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    var t = r.Task;
                    if (t is null)
                    {
                        return "gone";
                    }

                    return t.Name + t.Pid;
                }
            }
            """);
    }

    [Fact]
    public async Task ValuesCopiedOutOfTheTask_AreFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                string Describe(TaskTable table, TaskRef r)
                {
                    int pid;
                    string? name;
                    using (table.ReadLock())
                    {
                        pid = r.Task?.Pid ?? 0;
                        name = r.Task?.Name;
                    }

                    return name + pid;
                }
            }
            """);
    }

    [Fact]
    public async Task ReadAgainUnderANewLock_IsFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                int Twice(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    using (table.ReadLock())
                    {
                        t = r.Task;
                        return t?.Pid ?? 0;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task StaleValueUnderANewLock_IsStillStale()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Twice(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    using (table.ReadLock())
                    {
                        return {|#0:t|}?.Pid ?? 0;
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 11));
    }

    [Fact]
    public async Task RequiresLockMethodAndGuardParameter_NeverGoStale()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;
            using TrefGuard.Annotations;

            class C
            {
                [RequiresLock("tasklist")]
                static int PidLocked(TaskRef r)
                {
                    var t = r.Task;
                    return t?.Pid ?? 0;
                }

                static int Pid(in TasklistReadGuard g, TaskRef r)
                {
                    var t = g.TaskOf(r);
                    return t?.Pid ?? 0;
                }
            }
            """);
    }

    [Fact]
    public async Task ReadWithoutTheLock_IsTG0002Only()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    var t = {|#0:r.Task|};
                    using (table.ReadLock())
                    {
                    }

                    return t?.Pid ?? 0;
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task UserEntityTable_GuardAndVoidExit()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;

            class C
            {
                static int Guarded(EntityTable table)
                {
                    Entity? e;
                    using (table.ReadEntities())
                    {
                        e = table.Find(0);
                    }

                    return {|#0:e|}?.Id ?? 0;
                }

                static int Monitor(EntityTable table)
                {
                    table.Enter();
                    var e = table.Find(1);
                    table.Exit();
                    return {|#1:e|}?.Id ?? 0;
                }
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("e", "entities", 11),
            Verify.Diagnostic("TG0009").WithLocation(1).WithArguments("e", "entities", 20));
    }

    [Fact]
    public async Task AsyncMethod_UseAfterAwaitOutsideTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                static async Task<string?> NameAsync(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    await Task.Delay(1);
                    return {|#0:t|}?.Name;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 12));
    }

    [Fact]
    public async Task Iterator_YieldsAStaleTasksPid()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using TrefGuard;

            class C
            {
                static IEnumerable<int> Pids(TaskTable table, IEnumerable<TaskRef> refs)
                {
                    foreach (var r in refs)
                    {
                        TaskStruct? t;
                        using (table.ReadLock())
                        {
                            t = r.Task;
                        }

                        yield return {|#0:t|}?.Pid ?? 0;
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 14));
    }

    [Fact]
    public async Task TryFinally_ExplicitDispose()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    var g = table.ReadLock();
                    try
                    {
                        t = r.Task;
                    }
                    finally
                    {
                        g.Dispose();
                    }

                    return {|#0:t|}?.Pid ?? 0;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 15));
    }

    [Fact]
    public async Task ReadOnOnePathOnly_IsStillReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r, TaskStruct fallback, bool fresh)
                {
                    var t = fallback;
                    using (table.ReadLock())
                    {
                        if (fresh && r.Task is { } current)
                        {
                            t = current;
                        }
                    }

                    return {|#0:t|}.Pid;
                }
            }
            """,
            Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("t", "tasklist", 14));
    }

    [Fact]
    public async Task ReassignedAfterTheLock_IsFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r, TaskStruct mine)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    t = mine;
                    return t.Pid;
                }
            }
            """);
    }

    [Fact]
    public async Task LambdaCapturingTheTask_IsLeftAlone()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class C
            {
                static Func<int> Later(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    return () => t?.Pid ?? 0;
                }
            }
            """);
    }

    [Fact]
    public async Task ProcStyleReader_WithGetTask_IsFine()
    {
        // CLIENTS.md: get_tref_task pins the task, so it outlives the lock GetTask took internally.
        await Verify.VerifyAnalyzerAsync("""
            using System.IO;
            using TrefGuard;

            class ProcInode
            {
                private readonly TaskRef _ref;

                public ProcInode(TaskRef r) => _ref = r;

                public int ReadCmdline(TextWriter output)
                {
                    var task = _ref.GetTask();
                    if (task is null)
                    {
                        return -3;
                    }

                    try
                    {
                        output.WriteLine(task.Name);
                        return 0;
                    }
                    finally
                    {
                        task.Put();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task ExpressionBodiedMembers_UnderAGuardParameter_AreFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            static class Names
            {
                public static string? Of(in TasklistReadGuard g, TaskRef r) => g.TaskOf(r)?.Name;

                public static int PidOf(in TasklistReadGuard g, TaskRef r) => g.TaskOf(r) is { } t ? t.Pid : 0;
            }
            """);
    }

    [Fact]
    public async Task ExternalAnnotations_LockStatement()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using TrefGuard.Annotations;

                class Registry
                {
                    private readonly object _gate = new();

                    [GuardedBy("monitor")]
                    private List<string> _names = new();

                    public int Count()
                    {
                        List<string> names;
                        lock (_gate)
                        {
                            names = _names;
                        }

                        return {|#0:names|}.Count;
                    }
                }
                """,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    M:System.Threading.Monitor.Enter(System.Object,System.Boolean@) AcquiresLock(monitor)
                    M:System.Threading.Monitor.Exit(System.Object) ReleasesLock(monitor)
                    """),
            },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0009").WithLocation(0).WithArguments("names", "monitor", 17) },
        }.RunAsync();
    }
}
