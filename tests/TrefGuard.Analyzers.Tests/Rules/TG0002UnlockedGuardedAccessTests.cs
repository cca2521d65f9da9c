using System.Threading.Tasks;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.LockAnalyzer, TrefGuard.CodeFixes.UnlockedGuardedAccessFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0002: a [GuardedBy] member read, or a [RequiresLock] member called, without the lock held.</summary>
public sealed partial class TG0002UnlockedGuardedAccessTests
{
    /// <summary>A user's own handle type, with its own lock name and a Monitor-style lock without a guard object.</summary>
    internal const string EntityTable = """

        namespace Game
        {
            using System.Collections.Generic;
            using TrefGuard.Annotations;

            public sealed class Entity
            {
                public int Id { get; set; }
            }

            public sealed class EntityTable
            {
                [GuardedBy("entities")]
                private readonly List<Entity> _entities = new();

                [GuardedBy("entities")]
                public int Generation { get; private set; }

                [AcquiresLock("entities")]
                public EntityReadGuard ReadEntities() => new(this);

                [AcquiresLock("entities")]
                public void Enter() { }

                [ReleasesLock("entities")]
                public void Exit() { }

                [AcquiresLock("entities")]
                public bool TryEnter() => true;

                [RequiresLock("entities")]
                public Entity? Find(int id) => id < _entities.Count ? _entities[id] : null;

                [ExcludesLock("entities")]
                public void Add(Entity entity)
                {
                    using var guard = ReadEntities();
                    _entities.Add(entity);
                    Generation++;
                }

                public EntityTable()
                {
                    _entities.Add(new Entity());
                    Generation = 1;
                }
            }

            public ref struct EntityReadGuard
            {
                private readonly EntityTable? _table;

                public EntityReadGuard(EntityTable table) => _table = table;

                public Entity? First() => _table?.Find(0);

                public void Dispose() { }
            }
        }
        """;

    [Fact]
    public async Task GuardedRead_WithoutLock_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                string? Name(TaskRef r)
                {
                    var t = {|#0:r.Task|};
                    return t?.Name;
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task RequiresLockCall_WithoutLock_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                bool Exists(TaskTable table, int pid) => {|#0:table.FindTask(pid, PidType.Pid)|} is not null;
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskTable.FindTask", "tasklist"));
    }

    [Fact]
    public async Task KillLocked_WithoutLock_IsReported_KillIsFine()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Signal(TaskRef r)
                {
                    var sent = Tref.Kill(r, 15);
                    return sent + {|#0:Tref.KillLocked(r, 9)|};
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Tref.KillLocked", "tasklist"));
    }

    [Fact]
    public async Task UsingDeclaration_HoldsTheLockToTheEndOfTheBlock()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class C
            {
                void Print(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    var t = r.Task;
                    Console.WriteLine(t?.Name);
                    Console.WriteLine(table.FindTask(1, PidType.Pid)?.Name);
                    Console.WriteLine(Tref.KillLocked(r, 0));
                }
            }
            """);
    }

    [Fact]
    public async Task UsingStatement_WriteLock_HoldsTheLockInsideOnly()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                void Print(TaskTable table, TaskRef r)
                {
                    using (table.WriteLock())
                    {
                        Console.WriteLine(r.Task?.Pid);
                    }

                    Console.WriteLine({|#0:r.Task|}?.Pid);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task ExplicitDispose_ReleasesTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var pid = r.Task?.Pid ?? 0;
                    g.Dispose();
                    return pid + ({|#0:r.Task|}?.Pid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task TryFinallyDispose_HoldsTheLockInTheTry()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    try
                    {
                        return r.Task?.Pid ?? 0;
                    }
                    finally
                    {
                        g.Dispose();
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task GuardDisposed_ThenTaskOf_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                int Pid(TaskTable table, TaskRef r)
                {
                    var g = table.ReadLock();
                    var pid = g.TaskOf(r)?.Pid ?? 0;
                    g.Dispose();
                    return pid + ({|#0:g.TaskOf(r)|}?.Pid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TasklistReadGuard.TaskOf", "tasklist"));
    }

    [Fact]
    public async Task RequiresLockMethod_AssumesTheLockHeld_AndItsCallersMustHoldIt()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            class Proc
            {
                [RequiresLock("tasklist")]
                static string? NameLocked(TaskTable table, TaskRef r)
                    => r.Task?.Name ?? table.FindTask(r.Nr, r.Type)?.Name;

                static string? Name(TaskTable table, TaskRef r)
                {
                    using (table.ReadLock())
                    {
                        return NameLocked(table, r);
                    }
                }

                static string? Unlocked(TaskTable table, TaskRef r) => {|#0:NameLocked(table, r)|};
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Proc.NameLocked", "tasklist"));
    }

    [Fact]
    public async Task GuardPassedIn_MeansTheLockIsHeld()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                static int Pid(in TasklistReadGuard g, TaskRef r) => g.TaskOf(r)?.Pid ?? r.Task?.Pid ?? 0;

                static void Reparent(scoped ref TasklistWriteGuard g, TaskTable table)
                {
                    var init = table.FindTask(1, PidType.Pid);
                    System.Console.WriteLine(init?.Name);
                }

                static int Caller(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    return Pid(in g, r);
                }
            }
            """);
    }

    [Fact]
    public async Task AssertLockHeld_CountsAsHoldingTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    var before = {|#0:r.Task|}?.Pid ?? 0;
                    table.AssertLockHeld();
                    return before + (r.Task?.Pid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task LockTakenConditionally_DoesNotCoverTheCodeAfterIt()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r, bool locked)
                {
                    var pid = 0;
                    if (locked)
                    {
                        using var g = table.ReadLock();
                        pid = r.Task?.Pid ?? 0;
                    }

                    return pid + ({|#0:r.Task|}?.Pid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task LambdaDefinedUnderTheLock_IsNotJudged()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Linq;
            using TrefGuard;

            class C
            {
                static Func<string?> Later(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    Func<string?> name = () => r.Task?.Name;
                    return name;
                }

                static int[] Pids(TaskTable table, TaskRef[] refs)
                    => refs.Select(r => r.Task?.Pid ?? 0).ToArray();

                static string? Local(TaskRef r)
                {
                    return Read();

                    string? Read() => r.Task?.Name;
                }
            }
            """);
    }

    [Fact]
    public async Task LockReleasedInsideALambda_IsJudgedFromThere()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static Func<int> Later(TaskTable table, TaskRef r)
                    => () =>
                    {
                        using (table.ReadLock())
                        {
                        }

                        return {|#0:r.Task|}?.Pid ?? 0;
                    };
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task IsAliveAndOtherPlainMembers_NeedNoLock()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                static string Describe(TaskRef r) => r.IsAlive ? $"{r.Type} {r.Nr} ({r.RefCount})" : "gone";
            }
            """);
    }

    [Fact]
    public async Task NullTestOfTheTask_WithoutLock_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static bool Gone(TaskRef r) => {|#0:r.Task|} is null;
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task UserHandleType_WithItsOwnLockName()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;

            class C
            {
                static int Read(EntityTable table)
                {
                    var stale = {|#0:table.Generation|};
                    using (table.ReadEntities())
                    {
                        return stale + table.Generation + (table.Find(1)?.Id ?? 0);
                    }
                }

                static int Unlocked(EntityTable table) => {|#1:table.Find(2)|}?.Id ?? 0;
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("EntityTable.Generation", "entities"),
            Verify.Diagnostic("TG0002").WithLocation(1).WithArguments("EntityTable.Find", "entities"));
    }

    [Fact]
    public async Task VoidAcquireAndRelease_LikeMonitorEnterAndExit()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;

            class C
            {
                static int Read(EntityTable table)
                {
                    table.Enter();
                    try
                    {
                        return table.Find(0)?.Id ?? 0;
                    }
                    finally
                    {
                        table.Exit();
                    }
                }

                static int AfterExit(EntityTable table)
                {
                    table.Enter();
                    var id = table.Find(0)?.Id ?? 0;
                    table.Exit();
                    return id + {|#0:table.Generation|};
                }
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("EntityTable.Generation", "entities"));
    }

    [Fact]
    public async Task TryEnter_HoldsTheLockOnlyWhereItSucceeded()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;

            class C
            {
                static int Read(EntityTable table)
                {
                    if (table.TryEnter())
                    {
                        var generation = table.Generation;
                        table.Exit();
                        return generation;
                    }

                    return {|#0:table.Generation|};
                }

                static int Negated(EntityTable table)
                {
                    if (!table.TryEnter())
                    {
                        return -1;
                    }

                    var generation = table.Generation;
                    table.Exit();
                    return generation;
                }
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("EntityTable.Generation", "entities"));
    }

    [Fact]
    public async Task ConstructorAndGuardMembers_AreNotReported()
    {
        // EntityTable's constructor fills its own guarded list; EntityReadGuard.First runs on a guard, which holds
        // the lock; Add takes the lock itself.
        await Verify.VerifyAnalyzerAsync("""
            class C
            {
            }
            """ + EntityTable);
    }

    [Fact]
    public async Task WriteToAGuardedMember_WithoutLock_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard.Annotations;

            class Counter
            {
                [GuardedBy("stats")]
                private int _hits;

                [GuardedBy("stats")]
                private static int s_total;

                [RequiresLock("stats")]
                public void Hit()
                {
                    _hits++;
                    s_total += 1;
                }

                public void Reset()
                {
                    {|#0:_hits|} = 0;
                }

                public static int Total => {|#1:s_total|};
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Counter._hits", "stats"),
            Verify.Diagnostic("TG0002").WithLocation(1).WithArguments("Counter.s_total", "stats"));
    }

    [Fact]
    public async Task ObjectAndWithInitializers_OfANewObject_NeedNoLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard.Annotations;

            record Job
            {
                [GuardedBy("jobs")]
                public int State { get; init; }

                public static Job Make() => new Job { State = 1 };

                public Job Next() => this with { State = 2 };

                public int Peek() => {|#0:State|};
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Job.State", "jobs"));
    }

    [Fact]
    public async Task PropertyPattern_ReadsTheGuardedMember()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            class C
            {
                static bool Alive(TaskRef r) => r is { {|#0:Task|}: not null };

                static bool Locked(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    return r is { Task: { HasExited: false } };
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task SwitchOnTheTask_UnderTheLock_IsFine()
    {
        await Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                static string State(TaskTable table, TaskRef r)
                {
                    using var g = table.ReadLock();
                    return r.Task switch
                    {
                        null => "gone",
                        { HasExited: true } => "exiting",
                        var t => t.Name,
                    };
                }
            }
            """);
    }

    [Fact]
    public async Task AsyncMethod_ReadAfterTheLockScope_IsReported()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                static async Task<int> PidAsync(TaskTable table, TaskRef r)
                {
                    int pid;
                    using (table.ReadLock())
                    {
                        pid = r.Task?.Pid ?? 0;
                    }

                    await Task.Yield();
                    return pid + ({|#0:r.Task|}?.Pid ?? 0);
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task Iterator_YieldsUnderTheLock_AndReadsWithout()
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
                        int pid;
                        using (table.ReadLock())
                        {
                            pid = r.Task?.Pid ?? 0;
                        }

                        yield return pid;
                        yield return {|#0:r.Task|}?.Pid ?? 0;
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task CatchHandler_RunsAfterTheUsingReleasedTheLock()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System;
            using TrefGuard;

            class C
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    try
                    {
                        using var g = table.ReadLock();
                        return r.Task?.Pid ?? throw new InvalidOperationException();
                    }
                    catch (InvalidOperationException)
                    {
                        return {|#0:r.Task|}?.Tgid ?? 0;
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task ExpressionBodiedMembers()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            class Inode
            {
                private readonly TaskRef _ref = TaskRef.None;

                public TaskStruct? Task => {|#0:_ref.Task|};

                [RequiresLock("tasklist")]
                public TaskStruct? TaskLocked => _ref.Task;

                [RequiresLock("tasklist")]
                public int PidLocked() => TaskLocked?.Pid ?? 0;
            }
            """,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("TaskRef.Task", "tasklist"));
    }

    [Fact]
    public async Task ProcStyleReader_PinsWithGetTask_NeedsNoLock()
    {
        // CLIENTS.md: task = get_tref_task(ref); if null fail with "no such process"; use; put on every path.
        await Verify.VerifyAnalyzerAsync("""
            using System.IO;
            using TrefGuard;

            class ProcInode
            {
                private readonly TaskRef _ref;

                public ProcInode(TaskRef r) => _ref = r;

                public int ReadStatus(TextWriter output)
                {
                    var task = _ref.GetTask();
                    if (task is null)
                    {
                        return -3;
                    }

                    try
                    {
                        if (task.HasExited)
                        {
                            return 0;
                        }

                        output.WriteLine($"Name: {task.Name} Pid: {task.Pid} PPid: {task.Tgid}");
                        return 1;
                    }
                    finally
                    {
                        task.Put();
                    }
                }

                public bool IsGone => !_ref.IsAlive;
            }
            """);
    }

    [Fact]
    public async Task ExternalAnnotations_LockStatementThroughMonitor()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard.Annotations;

                class Registry
                {
                    private readonly object _gate = new();

                    [GuardedBy("monitor")]
                    private int _count;

                    public int Count()
                    {
                        lock (_gate)
                        {
                            return _count;
                        }
                    }

                    public int Racy() => {|#0:_count|};
                }
                """,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    M:System.Threading.Monitor.Enter(System.Object,System.Boolean@) AcquiresLock(monitor)
                    M:System.Threading.Monitor.Exit(System.Object) ReleasesLock(monitor)
                    """),
            },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Registry._count", "monitor") },
        }.RunAsync();
    }

    [Fact]
    public async Task ExternalAnnotations_ReaderWriterLockSlimAndMonitorByHand()
    {
        // The shipped annotations file's lock lines: EnterReadLock/ExitReadLock and Monitor.Enter/Exit called by hand.
        await new Verify.Test
        {
            TestCode = """
                using System.Threading;
                using TrefGuard.Annotations;

                class Cache
                {
                    private readonly ReaderWriterLockSlim _rw = new();
                    private readonly object _gate = new();

                    [GuardedBy("rwlock")]
                    private string _value = "";

                    [GuardedBy("monitor")]
                    private int _hits;

                    public string Read()
                    {
                        _rw.EnterReadLock();
                        try
                        {
                            return _value;
                        }
                        finally
                        {
                            _rw.ExitReadLock();
                        }
                    }

                    public void Hit()
                    {
                        Monitor.Enter(_gate);
                        try
                        {
                            _hits++;
                        }
                        finally
                        {
                            Monitor.Exit(_gate);
                        }

                        {|#0:_hits|}--;
                    }

                    public string Racy() => {|#1:_value|};
                }
                """,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    M:System.Threading.ReaderWriterLockSlim.EnterReadLock AcquiresLock(rwlock)
                    M:System.Threading.ReaderWriterLockSlim.ExitReadLock ReleasesLock(rwlock)
                    M:System.Threading.Monitor.Enter(System.Object) AcquiresLock(monitor)
                    M:System.Threading.Monitor.Exit(System.Object) ReleasesLock(monitor)
                    """),
            },
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Cache._hits", "monitor"),
                Verify.Diagnostic("TG0002").WithLocation(1).WithArguments("Cache._value", "rwlock"),
            },
        }.RunAsync();
    }

    [Fact]
    public async Task OnlyTheMissingLockIsNamed()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Game;
            using TrefGuard;
            using TrefGuard.Annotations;

            class Both
            {
                [RequiresLock("tasklist")]
                [RequiresLock("entities")]
                static int Sum(TaskRef r, EntityTable entities) => (r.Task?.Pid ?? 0) + entities.Generation;

                static int Call(TaskTable table, TaskRef r, EntityTable entities)
                {
                    using var g = table.ReadLock();
                    return {|#0:Sum(r, entities)|};
                }
            }
            """ + EntityTable,
            Verify.Diagnostic("TG0002").WithLocation(0).WithArguments("Both.Sum", "entities"));
    }
}
