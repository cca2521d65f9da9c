using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.DiscardedAcquisitionFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0008: an acquisition whose result is discarded.</summary>
public sealed class TG0008DiscardedAcquisitionTests
{
    private const string NoExceptionPaths = TG0001MissedPutTests.NoExceptionPaths;

    [Fact]
    public async Task DiscardedGetByTask_IsReported_AndBoundAndReleased()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader)
                    {
                        {|#0:Tref.GetByTask(leader, PidType.Sid)|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask") },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader)
                    {
                        var taskRef = Tref.GetByTask(leader, PidType.Sid);
                        taskRef.Put();
                    }
                }
                """,
            CodeActionEquivalenceKey = DiscardedAcquisitionFixer.BindAndReleaseKey,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardAssignmentOfGetTask_IsReported_AndReleasedNullSafely()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static void Poke(TaskRef r)
                    {
                        _ = {|#0:r.GetTask()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("TaskRef.GetTask") },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static void Poke(TaskRef r)
                    {
                        var taskStruct = r.GetTask();
                        taskStruct?.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedTaskRefGet_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Refs
                {
                    static void Bump(TaskRef r)
                    {
                        {|#0:r.Get()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("TaskRef.Get") },
            FixedCode = """
                using TrefGuard;

                class Refs
                {
                    static void Bump(TaskRef r)
                    {
                        var taskRef = r.Get();
                        taskRef.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedPin_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static void Pin(TaskStruct task)
                    {
                        {|#0:task.Get()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("TaskStruct.Get") },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static void Pin(TaskStruct task)
                    {
                        var taskStruct = task.Get();
                        taskStruct.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedLease_IsReturnedToItsPool()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Io
                {
                    static void Warm(LeasePool pool)
                    {
                        {|#0:pool.Rent(4096)|};
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("LeasePool.Rent") },
            FixedCode = """
                using Handles;

                class Io
                {
                    static void Warm(LeasePool pool)
                    {
                        var lease = pool.Rent(4096);
                        pool.Return(lease);
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedEntity_IsClosedWithTheStaticRelease()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class World
                {
                    static void Touch(int id)
                    {
                        {|#0:Entities.Open(id)|};
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Entities.Open") },
            FixedCode = """
                using Handles;

                class World
                {
                    static void Touch(int id)
                    {
                        var entityHandle = Entities.Open(id);
                        Entities.Close(entityHandle);
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedAddRef_IsReleased()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Native
                {
                    static void Keep(NativeHandle handle)
                    {
                        {|#0:handle.DangerousAddRef()|};
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("NativeHandle.DangerousAddRef") },
            FixedCode = """
                using Handles;

                class Native
                {
                    static void Keep(NativeHandle handle)
                    {
                        var nativeHandle = handle.DangerousAddRef();
                        nativeHandle.DangerousRelease();
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task ExpressionBodiedVoidMethod_BecomesABlock()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader) => {|#0:Tref.GetByTask(leader, PidType.Pgid)|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask") },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader)
                    {
                        var taskRef = Tref.GetByTask(leader, PidType.Pgid);
                        taskRef.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task EmbeddedStatement_BecomesABlock()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Root
                {
                    static void Seed(TaskTable table, bool init)
                    {
                        if (init)
                            {|#0:Tref.GetByPid(table, 1, PidType.Pid)|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByPid") },
            FixedCode = """
                using TrefGuard;

                class Root
                {
                    static void Seed(TaskTable table, bool init)
                    {
                        if (init)
                        {
                            var taskRef = Tref.GetByPid(table, 1, PidType.Pid);
                            taskRef.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DiscardedInALoop_IsFixedInsideTheLoop()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Scan
                {
                    static void TouchAll(TaskStruct[] tasks)
                    {
                        foreach (var task in tasks)
                        {
                            {|#0:Tref.GetByTask(task, PidType.Tgid)|};
                        }
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask") },
            FixedCode = """
                using TrefGuard;

                class Scan
                {
                    static void TouchAll(TaskStruct[] tasks)
                    {
                        foreach (var task in tasks)
                        {
                            var taskRef = Tref.GetByTask(task, PidType.Tgid);
                            taskRef.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task NameAlreadyTaken_GetsAFreshOne()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static int Touch(TaskStruct leader, TaskRef taskRef)
                    {
                        {|#0:Tref.GetByTask(leader, PidType.Pid)|};
                        return taskRef.Nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask") },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static int Touch(TaskStruct leader, TaskRef taskRef)
                    {
                        var taskRef2 = Tref.GetByTask(leader, PidType.Pid);
                        taskRef2.Put();
                        return taskRef.Nr;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task TwoDiscardsInOneMethod_AreFixedInOrder()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader)
                    {
                        {|#0:Tref.GetByTask(leader, PidType.Sid)|};
                        {|#1:Tref.GetByTask(leader, PidType.Pgid)|};
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask"),
                Verify.Diagnostic("TG0008").WithLocation(1).WithArguments("Tref.GetByTask"),
            },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static void Touch(TaskStruct leader)
                    {
                        var taskRef = Tref.GetByTask(leader, PidType.Sid);
                        taskRef.Put();
                        var taskRef2 = Tref.GetByTask(leader, PidType.Pgid);
                        taskRef2.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ExpressionLambda_BecomesABlockLambda()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Timers
                {
                    static Action<TaskStruct> Toucher() => task => {|#0:Tref.GetByTask(task, PidType.Pid)|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0008").WithLocation(0).WithArguments("Tref.GetByTask") },
            FixedCode = """
                using System;
                using TrefGuard;

                class Timers
                {
                    static Action<TaskStruct> Toucher() => task =>
                    {
                        var taskRef = Tref.GetByTask(task, PidType.Pid);
                        taskRef.Put();
                    };
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task UsedOnlyInsideItsStatement_IsAMissedPutNotADiscard()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Print(TaskStruct task) => Console.WriteLine({|#0:Tref.GetByTask(task, PidType.Pid)|}.Nr);
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByTask(task, PidType.Pid)", "return", 6) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["BoundAndReleased"] = """
            using TrefGuard;

            class Tty
            {
                static int Nr(TaskStruct leader)
                {
                    var r = Tref.GetByTask(leader, PidType.Sid);
                    var nr = r.Nr;
                    r.Put();
                    return nr;
                }
            }
            """,
        ["Returned"] = """
            using TrefGuard;

            class Tty
            {
                static TaskRef Session(TaskStruct leader) => Tref.GetByTask(leader, PidType.Sid);
            }
            """,
        ["StoredWithTrefSet"] = """
            using TrefGuard;

            sealed class Root
            {
                private TaskRef? _init;

                public Root(TaskTable table)
                {
                    Tref.Init(ref _init);
                    Tref.Set(ref _init, Tref.GetByPid(table, 1, PidType.Pid));
                }

                public void Unmount() => Tref.Fini(ref _init);
            }
            """,
        ["ReleasedOnTheSpot"] = """
            using TrefGuard;

            class Tty
            {
                static void Probe(TaskStruct leader) => Tref.GetByTask(leader, PidType.Pid).Put();
            }
            """,
        ["UnannotatedCallDiscarded"] = """
            using TrefGuard;

            class Ps
            {
                static void Ping(TaskRef r)
                {
                    _ = r.IsAlive;
                    r.ToString();
                }
            }
            """,
        ["SpawnIsOwnedByTheTable"] = """
            using TrefGuard;

            class Init
            {
                static void Boot(TaskTable table)
                {
                    table.Spawn("init");
                }
            }
            """,
        ["DiscardedNonAcquiringLookup"] = """
            using TrefGuard;

            class Ps
            {
                static bool Exists(TaskTable table, int pid)
                {
                    using var guard = table.ReadLock();
                    return table.FindTask(pid, PidType.Pid) is not null;
                }
            }
            """,
        ["HandedToACollection"] = """
            using System.Collections.Generic;
            using TrefGuard;

            class Registry
            {
                private readonly Queue<TaskRef> _pending = new();

                void Queue(TaskStruct task) => _pending.Enqueue(Tref.GetByTask(task, PidType.Pid));
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
    public async Task ResultKept_IsSilent(string name)
    {
        await Verify.VerifyAnalyzerAsync(s_silent[name]);
    }

    [Fact]
    public async Task VoidAcquisitionThroughTheReceiver_IsNotADiscardedResult()
    {
        // DangerousAddRef returns nothing: its count is owned through `handle`, which TG0001 follows.
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Touch(SafeHandle handle)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        handle.DangerousRelease();
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
        }.RunAsync();
    }
}
