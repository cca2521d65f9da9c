using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.ExcludedLockHeldFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0006: an [ExcludesLock] call (Put, GetTask, Spawn, Kill, …) while that lock is definitely held.</summary>
public sealed partial class TG0006ExcludedLockHeldTests
{
    private const string EntityTable = TG0002UnlockedGuardedAccessTests.EntityTable;

    [Fact]
    public async Task PutUnderUsingDeclaration_IsAnError()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                void Drop(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    {|#0:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7).WithSeverity(DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task TakingTheLockAgainWhileHoldingIt_IsAnError_InSequenceIsFine()
    {
        // ReadLock/WriteLock are [ExcludesLock] too: the lock does not recurse, and the runtime throws TG0006.
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                TaskStruct? Nested(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    using var h = {|#0:table.WriteLock()|};
                    return g.TaskOf(r);
                }

                void Sequential(TaskTable table)
                {
                    using (table.ReadLock())
                    {
                    }

                    using (table.WriteLock())
                    {
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskTable.WriteLock", "tasklist", 7));
    }

    [Fact]
    public async Task PutInsideUsingStatement_IsAnError_AfterItIsFine()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                void Drop(TaskTable table, TaskRef r, TaskRef other)
                {
                    using (table.WriteLock())
                    {
                        {|#0:r.Put()|};
                    }

                    other.Put();
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    [Fact]
    public async Task EveryLockTakingRuntimeCall_UnderTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static TaskRef? s_slot;

                void All(TaskTable table, TaskStruct task, TaskRef r)
                {
                    using var g = table.WriteLock();
                    var pinned = {|#0:r.GetTask()|};
                    var other = {|#1:Tref.GetByTask(task, PidType.Pgid)|};
                    var init = {|#2:Tref.GetByPid(table, 1, PidType.Pid)|};
                    var child = {|#3:table.Spawn("child", task)|};
                    {|#4:table.SetSid(child)|};
                    {|#5:table.Exit(child)|};
                    {|#6:Tref.Kill(r, 9)|};
                    Tref.KillLocked(r, 9);
                    {|#7:Tref.Set(ref s_slot, other)|};
                    {|#8:init.Put()|};
                    pinned?.Put();
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.GetTask", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(1).WithArguments("Tref.GetByTask", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(2).WithArguments("Tref.GetByPid", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(3).WithArguments("TaskTable.Spawn", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(4).WithArguments("TaskTable.SetSid", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(5).WithArguments("TaskTable.Exit", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(6).WithArguments("Tref.Kill", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(7).WithArguments("Tref.Set", "tasklist", 9),
            Verify.Diagnostic("TG0006").WithLocation(8).WithArguments("TaskRef.Put", "tasklist", 9));
    }

    [Fact]
    public async Task KillLockedAndPinnedTaskPut_AreFineUnderTheLock()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                int Signal(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    var task = r.Task?.Get();
                    var sent = Tref.KillLocked(r, 15);
                    task?.Put();
                    return sent;
                }
            }
            """);
    }

    [Fact]
    public async Task PutAfterExplicitDispose_IsFine()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                void Drop(TaskTable table, TaskRef r, TaskRef early)
                {
                    var g = table.ReadLock();
                    {|#0:early.Put()|};
                    g.Dispose();
                    r.Put();
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    [Fact]
    public async Task TryFinallyDispose_PutInTheTry_IsAnError()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                void Drop(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    try
                    {
                        {|#0:r.Put()|};
                    }
                    finally
                    {
                        g.Dispose();
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    [Fact]
    public async Task RequiresLockMethod_PutInside_NamesTheMethodsLine()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            class C
            {
                [RequiresLock("tasklist")]
                static void DropLocked(TaskRef r)
                {
                    {|#0:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    // The gate reads an owner's annotations from its syntax when the declaration has no attribute; these two owners
    // have their annotation elsewhere: on the other part of a partial method, and in the annotations file.
    [Fact]
    public async Task PartialRequiresLockMethod_AnnotatedOnTheOtherPart_PutInside()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            partial class C
            {
                [RequiresLock("tasklist")]
                static partial void DropLocked(TaskRef r);

                static partial void DropLocked(TaskRef r)
                {
                    {|#0:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 9));
    }

    [Fact]
    public async Task RequiresLockFromTheAnnotationsFile_PutInside()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class C
                {
                    static void DropLocked(TaskRef r)
                    {
                        {|#0:r.Put()|};
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", "M:C.DropLocked(TrefGuard.TaskRef) RequiresLock(tasklist)\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 5) },
        }.RunAsync();
    }

    [Fact]
    public async Task GuardParameter_PutInside_NamesTheParametersLine()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static void Drop(
                    in TasklistReadGuard g,
                    TaskRef r)
                {
                    {|#0:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 6));
    }

    [Fact]
    public async Task AfterAssertLockHeld_PutIsAnError()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r)
                {
                    table.AssertLockHeld();
                    {|#0:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    [Fact]
    public async Task LockTakenConditionally_PutAfterwards_IsNotReported()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                static int Drop(TaskTable table, TaskRef r, bool locked)
                {
                    var pid = 0;
                    if (locked)
                    {
                        using var g = table.ReadLock();
                        pid = r.Task?.Pid ?? 0;
                    }

                    r.Put();
                    return pid;
                }

                static void MaybeHeld(TaskTable table, TaskRef r, bool locked)
                {
                    TasklistReadGuard g = default;
                    if (locked)
                    {
                        g = table.ReadLock();
                    }

                    r.Put();
                    g.Dispose();
                }
            }
            """);
    }

    [Fact]
    public async Task PutInsideTheConditionalLock_IsAnError()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static void Drop(TaskTable table, TaskRef r, bool locked)
                {
                    if (locked)
                    {
                        using var g = table.ReadLock();
                        {|#0:r.Put()|};
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 9));
    }

    [Fact]
    public async Task LambdaDefinedUnderTheLock_RunLater_IsNotReported()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class C
            {
                static Action Later(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    Action drop = () => r.Put();
                    return drop;
                }

                static Action LocalFunction(TaskTable table, TaskRef r)
                {
                    using (table.ReadLock())
                    {
                        return Drop;
                    }

                    void Drop() => r.Put();
                }
            }
            """);
    }

    [Fact]
    public async Task LambdaThatTakesTheLockItself_IsJudged()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static Action Later(TaskTable table, TaskRef r)
                    => () =>
                    {
                        using var g = table.ReadLock();
                        {|#0:r.Put()|};
                    };
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 9));
    }

    [Fact]
    public async Task LambdaDeclaredInsideTryAndUsing_IsJudgedOnItsOwnGraph()
    {
        // The root region of a lambda's graph is linked to the enclosing graph's regions: the engine must not apply
        // the enclosing using's finally or try's catch to the lambda's blocks (it used to hang here).
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                void M(TaskTable table, TaskRef r)
                {
                    try
                    {
                        using (var stream = new System.IO.MemoryStream())
                        {
                            Action drop = () =>
                            {
                                using var g = table.ReadLock();
                                Console.WriteLine(r.Task?.Name);
                                {|#0:r.Put()|};
                            };
                            drop();
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        r.Put();
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 14));
    }

    [Fact]
    public async Task NestedFunctionsThatHoldTheLockAtEntry_AreJudged()
    {
        // Nothing in the method takes a lock; the local function requires it and the lambda receives a guard.
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            delegate void UnderLock(in TasklistReadGuard g);

            class C
            {
                static UnderLock Later(TaskRef r)
                {
                    [RequiresLock("tasklist")]
                    void DropLocked() => {|#0:r.Put()|};

                    return (in TasklistReadGuard g) => {|#1:r.Put()|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 11),
            Verify.Diagnostic("TG0006").WithLocation(1).WithArguments("TaskRef.Put", "tasklist", 13));
    }

    [Fact]
    public async Task UserLock_VoidEnterAndExit()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;

            class C
            {
                static void Insert(EntityTable table, Entity entity)
                {
                    table.Enter();
                    {|#0:table.Add(entity)|};
                    table.Exit();
                    table.Add(entity);
                }
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("EntityTable.Add", "entities", 7));
    }

    [Fact]
    public async Task OtherLockHeld_IsNotReported()
    {
        await Verify.VerifyAnalyzerAsync("""
            using Game;
            using TrefGuard;

            class C
            {
                static void Drop(EntityTable entities, TaskRef r, TaskTable table, Entity entity)
                {
                    using (entities.ReadEntities())
                    {
                        r.Put();
                    }

                    using (table.ReadLock())
                    {
                        entities.Add(entity);
                    }
                }
            }
            """ + EntityTable);
    }

    [Fact]
    public async Task UntestedTryEnter_LeavesTheLockUnknown()
    {
        await Verify.VerifyAnalyzerAsync("""
            using Game;

            class C
            {
                static void Insert(EntityTable table, Entity entity)
                {
                    var taken = table.TryEnter();
                    table.Add(entity);
                    if (taken)
                    {
                        table.Exit();
                    }
                }
            }
            """ + EntityTable);
    }

    [Fact]
    public async Task AsyncMethod_PutBeforeTheLockScopeEnds()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                static async Task DropAsync(TaskTable table, TaskRef r)
                {
                    await Task.Yield();
                    using (table.ReadLock())
                    {
                        {|#0:r.Put()|};
                    }

                    await Task.Yield();
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 9));
    }

    [Fact]
    public async Task Iterator_SpawnsUnderTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using TrefGuard;

            class C
            {
                static IEnumerable<int> Children(TaskTable table, TaskStruct parent, int count)
                {
                    for (var i = 0; i < count; i++)
                    {
                        int pid;
                        using (table.ReadLock())
                        {
                            pid = {|#0:table.Spawn("child", parent)|}.Pid;
                        }

                        yield return pid;
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskTable.Spawn", "tasklist", 11));
    }

    [Fact]
    public async Task PatternMatchedTask_PutOfTheRefUnderTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static string Drop(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    if (r.Task is { HasExited: false } t)
                    {
                        {|#0:r.Put()|};
                        return t.Name;
                    }

                    return "gone";
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.Put", "tasklist", 7));
    }

    [Fact]
    public async Task ExpressionBodied_RequiresLockMember_CallingGetTask()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            class C
            {
                [RequiresLock("tasklist")]
                static TaskStruct? Pin(TaskRef r) => {|#0:r.GetTask()|};
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("TaskRef.GetTask", "tasklist", 7));
    }

    [Fact]
    public async Task ExcludesLockConstructorAndProperty()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            class Snapshot
            {
                [ExcludesLock("tasklist")]
                public Snapshot(TaskTable table) { }

                [ExcludesLock("tasklist")]
                public static int Count => 0;

                static int Take(TaskTable table)
                {
                    using var g = table.ReadLock();
                    var snapshot = {|#0:new Snapshot(table)|};
                    return {|#1:Count|};
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("new Snapshot", "tasklist", 14),
            Verify.Diagnostic("TG0006").WithLocation(1).WithArguments("Snapshot.Count", "tasklist", 14));
    }

    [Fact]
    public async Task NonRecursiveLock_AcquireAlsoMarkedExcludesLock_NestedAcquireIsAnError()
    {
        // A lock that does not recurse says so by excluding itself on its acquire; a recursive one (Monitor) does not.
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard.Annotations;

            sealed class Pool
            {
                [AcquiresLock("pool")]
                [ExcludesLock("pool")]
                public Lease Lock() => new();

                public sealed class Lease : IDisposable
                {
                    public void Dispose() { }
                }

                static void Twice(Pool pool)
                {
                    using var outer = pool.Lock();
                    using var inner = {|#0:pool.Lock()|};
                }

                static void InTurn(Pool pool)
                {
                    using (pool.Lock())
                    {
                    }

                    using (pool.Lock())
                    {
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("Pool.Lock", "pool", 17));
    }

    [Fact]
    public async Task ExternalAnnotations_LockStatement()
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
                            {|#0:Flush()|};
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
            ExpectedDiagnostics = { Verify.Diagnostic("TG0006").WithLocation(0).WithArguments("Registry.Flush", "monitor", 12) },
        }.RunAsync();
    }

    [Fact]
    public async Task ProcStyleReader_PutsAfterTheLock()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class Proc
            {
                static int Status(TaskTable table, int nr)
                {
                    var r = Tref.GetByPid(table, nr, PidType.Pid);
                    int state;
                    using (table.ReadLock())
                    {
                        state = r.Task is { } t ? t.Pid : -3;
                    }

                    r.Put();
                    return state;
                }
            }
            """);
    }
}
