using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.TaskUsedAfterUnlockFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0009's code fix: pin with Get() inside the lock, Put() in a finally after the last use.</summary>
public sealed partial class TG0009TaskUsedAfterUnlockTests
{
    [Fact]
    public async Task Fix_PinInsideTheUsingStatement_PutInAFinally()
    {
        await Verify.VerifyFixAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    Console.WriteLine([|t|]?.Name);
                    return [|t|]?.Pid ?? 0;
                }
            }
            """,
            """
            using System;
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    TaskStruct? t = null;
                    try
                    {
                        using (table.ReadLock())
                        {
                            t = r.Task?.Get();
                        }

                        Console.WriteLine(t?.Name);
                        return t?.Pid ?? 0;
                    }
                    finally
                    {
                        t?.Put();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_PinBeforeExplicitDispose()
    {
        await Verify.VerifyFixAsync(
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var t = r.Task;
                    g.Dispose();
                    return [|t|]?.Pid ?? 0;
                }
            }
            """,
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var t = r.Task?.Get();
                    try
                    {
                        g.Dispose();
                        return t?.Pid ?? 0;
                    }
                    finally
                    {
                        t?.Put();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_FixAll_TwoTasks_CodeAfterTheLastUseStaysOutside()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Print(TaskTable table, TaskRef r)
                    {
                        TaskStruct? init = null;
                        TaskStruct? named = null;
                        using (var g = table.ReadLock())
                        {
                            init = table.FindTask(1, PidType.Pid);
                            named = g.TaskOf(r);
                        }

                        Console.WriteLine([|init|]?.Name);
                        Console.WriteLine([|named|]?.Name);
                        Console.WriteLine("done");
                    }
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Print(TaskTable table, TaskRef r)
                    {
                        TaskStruct? init = null;
                        TaskStruct? named = null;
                        try
                        {
                            using (var g = table.ReadLock())
                            {
                                init = table.FindTask(1, PidType.Pid)?.Get();
                                named = g.TaskOf(r)?.Get();
                            }

                            Console.WriteLine(init?.Name);
                            Console.WriteLine(named?.Name);
                        }
                        finally
                        {
                            init?.Put();
                            named?.Put();
                        }

                        Console.WriteLine("done");
                    }
                }
                """,
            CodeActionEquivalenceKey = TaskUsedAfterUnlockFixer.PinInsideLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_UserHandleType_PinsWithItsOwnGetAndPut()
    {
        await Verify.VerifyFixAsync(
            """
            using System;
            using TrefGuard.Annotations;

            sealed class Process
            {
                public string Name { get; } = "init";

                [AcquiresReference]
                public Process Pin() => this;

                [ReleasesReference]
                public void Unpin() { }
            }

            sealed class Session : IDisposable
            {
                [GuardedBy("sessions")]
                public Process? Leader { get; set; }

                [AcquiresLock("sessions")]
                public Session Lock() => this;

                public void Dispose() { }
            }

            static class Jobs
            {
                static string Describe(Session s)
                {
                    Process? leader;
                    using (s.Lock())
                    {
                        leader = s.Leader;
                    }

                    return [|leader|]?.Name ?? "none";
                }
            }
            """,
            """
            using System;
            using TrefGuard.Annotations;

            sealed class Process
            {
                public string Name { get; } = "init";

                [AcquiresReference]
                public Process Pin() => this;

                [ReleasesReference]
                public void Unpin() { }
            }

            sealed class Session : IDisposable
            {
                [GuardedBy("sessions")]
                public Process? Leader { get; set; }

                [AcquiresLock("sessions")]
                public Session Lock() => this;

                public void Dispose() { }
            }

            static class Jobs
            {
                static string Describe(Session s)
                {
                    Process? leader = null;
                    try
                    {
                        using (s.Lock())
                        {
                            leader = s.Leader?.Pin();
                        }

                        return leader?.Name ?? "none";
                    }
                    finally
                    {
                        leader?.Unpin();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_AsyncMethod_ConditionalRead_TheFinallySpansTheAwait()
    {
        await Verify.VerifyFixAsync(
            """
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                static async Task<string?> NameAsync(TaskTable table, TaskRef r, bool fresh)
                {
                    TaskStruct? t = null;
                    using (table.ReadLock())
                    {
                        if (fresh)
                        {
                            t = r.Task;
                        }
                    }

                    await Task.Delay(1);
                    return [|t|]?.Name;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                static async Task<string?> NameAsync(TaskTable table, TaskRef r, bool fresh)
                {
                    TaskStruct? t = null;
                    try
                    {
                        using (table.ReadLock())
                        {
                            if (fresh)
                            {
                                t = r.Task?.Get();
                            }
                        }

                        await Task.Delay(1);
                        return t?.Name;
                    }
                    finally
                    {
                        t?.Put();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_NotOffered_ForATypeThatCannotBePinned()
    {
        const string Source = """
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

                    return [|e|]?.Id ?? 0;
                }
            }
            """ + EntityTable;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = TaskUsedAfterUnlockFixer.PinInsideLockKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_NotOffered_WhenTheTaskIsReturned()
    {
        const string Source = """
            using TrefGuard;

            class C
            {
                static TaskStruct? Leak(TaskTable table, TaskRef r)
                {
                    TaskStruct? t;
                    using (table.ReadLock())
                    {
                        t = r.Task;
                    }

                    System.Console.WriteLine([|t|]?.Name);
                    return t;
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = TaskUsedAfterUnlockFixer.PinInsideLockKey }.RunAsync();
    }
}
