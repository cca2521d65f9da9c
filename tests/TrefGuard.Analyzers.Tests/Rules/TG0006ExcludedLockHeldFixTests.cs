using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.ExcludedLockHeldFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0006's code fixes: move the call after the lock's scope, or call the variant meant for lock holders.</summary>
public sealed partial class TG0006ExcludedLockHeldTests
{
    [Fact]
    public async Task Fix_MovePutAfterTheUsingStatement()
    {
        await Verify.VerifyFixAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r)
                {
                    using (table.WriteLock())
                    {
                        var pid = r.Task?.Pid;
                        [|r.Put()|];
                        Console.WriteLine(pid);
                    }

                    Console.WriteLine("done");
                }
            }
            """,
            """
            using System;
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r)
                {
                    using (table.WriteLock())
                    {
                        var pid = r.Task?.Pid;
                        Console.WriteLine(pid);
                    }

                    r.Put();

                    Console.WriteLine("done");
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_UsingDeclaration_BecomesAUsingStatement_FixAllKeepsTheOrder()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Drop(TaskTable table, TaskRef r, TaskRef s)
                    {
                        Console.WriteLine("start");
                        using var g = table.ReadLock();
                        Console.WriteLine(r.Task?.Name);
                        [|r.Put()|];
                        Console.WriteLine(s.Task?.Name);
                        [|s.Put()|];
                        Console.WriteLine("done");
                    }
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Drop(TaskTable table, TaskRef r, TaskRef s)
                    {
                        Console.WriteLine("start");
                        using (var g = table.ReadLock())
                        {
                            Console.WriteLine(r.Task?.Name);
                            Console.WriteLine(s.Task?.Name);
                            Console.WriteLine("done");
                        }

                        r.Put();
                        s.Put();
                    }
                }
                """,
            CodeActionEquivalenceKey = ExcludedLockHeldFixer.MoveAfterLockScopeKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_UsingDeclaration_SplitAtThePut_WhenTheRestNeedsNoLock()
    {
        await Verify.VerifyFixAsync(
            """
            using TrefGuard;

            public static class Describe
            {
                public static string NameOf(TaskTable table, int pid)
                {
                    var r = Tref.GetByPid(table, pid, PidType.Pid);
                    using var guard = table.ReadLock();
                    var name = guard.TaskOf(r)?.Name ?? "(gone)";
                    [|r.Put()|];
                    return name;
                }
            }
            """,
            """
            using TrefGuard;

            public static class Describe
            {
                public static string NameOf(TaskTable table, int pid)
                {
                    var r = Tref.GetByPid(table, pid, PidType.Pid);
                    string name;
                    using (var guard = table.ReadLock())
                    {
                        name = guard.TaskOf(r)?.Name ?? "(gone)";
                    }

                    r.Put();
                    return name;
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_UsingDeclaration_NotSplitWhenALockScopedTaskIsUsedAfter()
    {
        // Splitting would use t after the lock (TG0009), and a return follows the Put: no move is clean.
        const string Source = """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    using var guard = table.ReadLock();
                    var t = guard.TaskOf(r);
                    [|r.Put()|];
                    return t?.Pid ?? 0;
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = ExcludedLockHeldFixer.MoveAfterLockScopeKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_MoveAfterExplicitDispose()
    {
        await Verify.VerifyFixAsync(
            """
            using TrefGuard;

            class C
            {
                static int Drop(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var pid = r.Task?.Pid ?? 0;
                    [|r.Put()|];
                    g.Dispose();
                    return pid;
                }
            }
            """,
            """
            using TrefGuard;

            class C
            {
                static int Drop(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var pid = r.Task?.Pid ?? 0;
                    g.Dispose();
                    r.Put();
                    return pid;
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_MoveAfterTryFinally()
    {
        await Verify.VerifyFixAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    try
                    {
                        Console.WriteLine(r.Task?.Name);
                        [|r.Put()|];
                    }
                    finally
                    {
                        g.Dispose();
                    }
                }
            }
            """,
            """
            using System;
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    try
                    {
                        Console.WriteLine(r.Task?.Name);
                    }
                    finally
                    {
                        g.Dispose();
                    }

                    r.Put();
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_UserLock_MoveAfterExit()
    {
        await Verify.VerifyFixAsync(
            """
            using Game;

            class C
            {
                static int Insert(EntityTable table, Entity entity)
                {
                    table.Enter();
                    var generation = table.Generation;
                    [|table.Add(entity)|];
                    table.Exit();
                    return generation;
                }
            }
            """ + EntityTable,
            """
            using Game;

            class C
            {
                static int Insert(EntityTable table, Entity entity)
                {
                    table.Enter();
                    var generation = table.Generation;
                    table.Exit();
                    table.Add(entity);
                    return generation;
                }
            }
            """ + EntityTable);
    }

    [Fact]
    public async Task Fix_LockStatement_MoveAfterIt()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard.Annotations;

                class Registry
                {
                    private readonly object _gate = new();

                    [ExcludesLock("monitor")]
                    public void Flush() { }

                    public void Update()
                    {
                        lock (_gate)
                        {
                            [|Flush()|];
                        }
                    }
                }
                """,
            FixedCode = """
                using TrefGuard.Annotations;

                class Registry
                {
                    private readonly object _gate = new();

                    [ExcludesLock("monitor")]
                    public void Flush() { }

                    public void Update()
                    {
                        lock (_gate)
                        {
                        }

                        Flush();
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
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_KillUnderTheLock_UseKillLocked()
    {
        // The F_SETOWN client's send_sigio: signal the owner while holding the lock.
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class FileOwner
                {
                    static int SendSigio(TaskTable table, TaskRef owner)
                    {
                        using var g = table.ReadLock();
                        return [|Tref.Kill(owner, 29)|];
                    }
                }
                """,
            FixedCode = """
                using TrefGuard;

                class FileOwner
                {
                    static int SendSigio(TaskTable table, TaskRef owner)
                    {
                        using var g = table.ReadLock();
                        return Tref.KillLocked(owner, 29);
                    }
                }
                """,
            CodeActionEquivalenceKey = ExcludedLockHeldFixer.UseLockedVariantKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_NotOffered_WhenAPathReturnsAfterThePut()
    {
        const string Source = """
            using TrefGuard;

            class C
            {
                static int Drop(TaskTable table, TaskRef r)
                {
                    using (table.ReadLock())
                    {
                        var pid = r.Task?.Pid ?? 0;
                        [|r.Put()|];
                        return pid;
                    }
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = ExcludedLockHeldFixer.MoveAfterLockScopeKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_NotOffered_InsideRequiresLockMethodOrConditional()
    {
        const string Source = """
            using TrefGuard;
            using TrefGuard.Annotations;

            class C
            {
                [RequiresLock("tasklist")]
                static void DropLocked(TaskRef r)
                {
                    [|r.Put()|];
                }

                static void Drop(TaskTable table, TaskRef r)
                {
                    using (table.ReadLock())
                    {
                        if (r.Task is null)
                        {
                            [|r.Put()|];
                        }
                    }
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = ExcludedLockHeldFixer.MoveAfterLockScopeKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_NotOffered_WhenTheReceiverIsDeclaredInsideTheScope()
    {
        const string Source = """
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskStruct task)
                {
                    using (table.ReadLock())
                    {
                        var r = [|Tref.GetByTask(task, PidType.Pid)|];
                        [|r.Put()|];
                    }
                }
            }
            """;
        await new Verify.Test
        {
            TestCode = Source,
            FixedCode = Source,
            CodeActionEquivalenceKey = ExcludedLockHeldFixer.MoveAfterLockScopeKey,
        }.RunAsync();
    }
}
