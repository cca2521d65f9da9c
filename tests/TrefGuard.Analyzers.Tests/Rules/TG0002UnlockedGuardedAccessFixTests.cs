using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.UnlockedGuardedAccessFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0002's code fixes: IsAlive for a null test, a pinned GetTask(), the lock around the statement, the locking variant.</summary>
public sealed partial class TG0002UnlockedGuardedAccessTests
{
    [Fact]
    public async Task Fix_NullTests_UseIsAlive()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class C
                {
                    static int Count(TaskRef a, TaskRef b, TaskRef c, TaskRef d)
                    {
                        var alive = 0;
                        if ([|a.Task|] != null) alive++;
                        if ([|b.Task|] is null) alive--;
                        if (null == [|c.Task|] || [|d.Task|] is not null) alive += 2;
                        return alive + ([|a.Task|] is { } ? 1 : 0);
                    }
                }
                """,
            FixedCode = """
                using TrefGuard;

                class C
                {
                    static int Count(TaskRef a, TaskRef b, TaskRef c, TaskRef d)
                    {
                        var alive = 0;
                        if (a.IsAlive) alive++;
                        if (!b.IsAlive) alive--;
                        if (!c.IsAlive || d.IsAlive) alive += 2;
                        return alive + (a.IsAlive ? 1 : 0);
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.UseIsAliveKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TaskIntoALocal_UsePinnedGetTask()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static int Status(TaskRef r)
                    {
                        var t = [|r.Task|];
                        if (t is null)
                        {
                            return -3;
                        }

                        Console.WriteLine(t.Name);
                        return t.Pid;
                    }
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static int Status(TaskRef r)
                    {
                        var t = r.GetTask();
                        try
                        {
                            if (t is null)
                            {
                                return -3;
                            }

                            Console.WriteLine(t.Name);
                            return t.Pid;
                        }
                        finally
                        {
                            t?.Put();
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.UsePinnedGetterKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheReadLockAroundTheStatement_KeepsDeclaredLocalsInScope()
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
                        Console.WriteLine("before");
                        var t = [|r.Task|];
                        Console.WriteLine(t?.Name);
                        Console.WriteLine("after");
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
                        Console.WriteLine("before");
                        using (table.ReadLock())
                        {
                            var t = r.Task;
                            Console.WriteLine(t?.Name);
                        }
                        Console.WriteLine("after");
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheLock_FixAllCoversSeveralReadsOnce()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class C
                {
                    private readonly TaskTable _table = new();

                    int Sum(TaskRef r, TaskRef s)
                    {
                        var sum = ([|r.Task|]?.Pid ?? 0) + ([|s.Task|]?.Pid ?? 0);
                        if ([|_table.FindTask(1, PidType.Pid)|] is { } init)
                        {
                            sum += init.Pid + [|Tref.KillLocked(r, 0)|];
                        }

                        return sum;
                    }
                }
                """,
            FixedCode = """
                using TrefGuard;

                class C
                {
                    private readonly TaskTable _table = new();

                    int Sum(TaskRef r, TaskRef s)
                    {
                        using (_table.ReadLock())
                        {
                            var sum = (r.Task?.Pid ?? 0) + (s.Task?.Pid ?? 0);
                            if (_table.FindTask(1, PidType.Pid) is { } init)
                            {
                                sum += init.Pid + Tref.KillLocked(r, 0);
                            }

                            return sum;
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheLock_ThroughAPropertyOfAParameter()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class C
                {
                    static int Parent(TaskStruct task)
                        => [|task.Table.FindTask(task.Tgid, PidType.Pid)|]?.Pid ?? 0;
                }
                """,
            FixedCode = """
                using TrefGuard;

                class C
                {
                    static int Parent(TaskStruct task)
                    {
                        using (task.Table.ReadLock())
                        {
                            return task.Table.FindTask(task.Tgid, PidType.Pid)?.Pid ?? 0;
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheLock_UserTypeWithItsOwnLock()
    {
        await new Verify.Test
        {
            TestCode = """
                using Game;

                static class Stats
                {
                    public static int Generation(EntityTable table)
                    {
                        return [|table.Generation|];
                    }
                }
                """ + EntityTable,
            FixedCode = """
                using Game;

                static class Stats
                {
                    public static int Generation(EntityTable table)
                    {
                        using (table.ReadEntities())
                        {
                            return table.Generation;
                        }
                    }
                }
                """ + EntityTable,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_KillLocked_UseKill()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class VtConsole
                {
                    static int SpawnConsoleSignal(TaskRef r) => [|Tref.KillLocked(r, 10)|];
                }
                """,
            FixedCode = """
                using TrefGuard;

                class VtConsole
                {
                    static int SpawnConsoleSignal(TaskRef r) => Tref.Kill(r, 10);
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.UseLockingVariantKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheLock_AroundAnEmbeddedStatement()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Print(TaskTable table, TaskRef r, bool verbose)
                    {
                        if (verbose)
                            Console.WriteLine([|r.Task|]?.Name);
                    }
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                class C
                {
                    static void Print(TaskTable table, TaskRef r, bool verbose)
                    {
                        if (verbose)
                            using (table.ReadLock())
                            {
                                Console.WriteLine(r.Task?.Name);
                            }
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_TakeTheLock_InsideTheOwningTypeCallsItsOwnAcquire()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard.Annotations;

                sealed class Registry
                {
                    [GuardedBy("registry")]
                    private int _count;

                    [AcquiresLock("registry")]
                    public Scope WriteLock() => new();

                    [AcquiresLock("registry")]
                    public Scope ReadLock() => new();

                    public int Count()
                    {
                        return [|_count|];
                    }

                    public sealed class Scope : System.IDisposable
                    {
                        public void Dispose() { }
                    }
                }
                """,
            FixedCode = """
                using TrefGuard.Annotations;

                sealed class Registry
                {
                    [GuardedBy("registry")]
                    private int _count;

                    [AcquiresLock("registry")]
                    public Scope WriteLock() => new();

                    [AcquiresLock("registry")]
                    public Scope ReadLock() => new();

                    public int Count()
                    {
                        using (ReadLock())
                        {
                            return _count;
                        }
                    }

                    public sealed class Scope : System.IDisposable
                    {
                        public void Dispose() { }
                    }
                }
                """,
            CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey,
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_IsAliveNotOffered_WhenTheTaskIsDereferenced()
    {
        const string Source = """
            using TrefGuard;

            class C
            {
                static bool Running(TaskRef r) => [|r.Task|]?.HasExited == false;
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.UseIsAliveKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_PinnedGetTaskNotOffered_WhenTheTaskEscapes()
    {
        // Returned or captured by a lambda, the task would outlive the finally that puts it.
        const string Source = """
            using System;
            using TrefGuard;

            class C
            {
                static TaskStruct? Escape(TaskRef r)
                {
                    var t = [|r.Task|];
                    return t;
                }

                static Func<int> Capture(TaskRef r)
                {
                    var t = [|r.Task|];
                    return () => t?.Pid ?? 0;
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.UsePinnedGetterKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_FixAll_GivesEachAccessItsPreferredFix()
    {
        // Fix all, as dotnet format requests it (the first diagnostic's first fix, here IsAlive), also clears the
        // access that only the lock can fix.
        await Verify.VerifyFixAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static bool Gone(TaskRef r) => [|r.Task|] == null;

                static void Print(TaskTable table, TaskRef r)
                {
                    Console.WriteLine([|r.Task|]?.Name);
                }
            }
            """,
            """
            using System;
            using TrefGuard;

            class C
            {
                static bool Gone(TaskRef r) => !r.IsAlive;

                static void Print(TaskTable table, TaskRef r)
                {
                    using (table.ReadLock())
                    {
                        Console.WriteLine(r.Task?.Name);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Fix_NoLockInScope_NoLockFix()
    {
        const string Source = """
            using TrefGuard;

            class C
            {
                static int Pid(TaskRef r) => [|r.Task|]?.Pid ?? 0;
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey }.RunAsync();
    }

    [Fact]
    public async Task Fix_NoLockAroundAPut()
    {
        // The declared pid is used after the Put: the lock would have to cover the Put (TG0006).
        const string Source = """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    var pid = [|r.Task|]?.Pid ?? 0;
                    r.Put();
                    return pid;
                }
            }
            """;
        await new Verify.Test { TestCode = Source, FixedCode = Source, CodeActionEquivalenceKey = UnlockedGuardedAccessFixer.TakeLockKey }.RunAsync();
    }
}
