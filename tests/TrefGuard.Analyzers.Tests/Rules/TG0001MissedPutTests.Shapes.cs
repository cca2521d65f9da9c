using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.MissedPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0001 in the shapes of the kernel's clients and of everyday C#.</summary>
public sealed partial class TG0001MissedPutTests
{
    [Fact]
    public async Task VtSpawnConsole_EarlyReturnBeforeTheSet_IsFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                static class SpawnConsole
                {
                    private static TaskRef? s_target;
                    private static int s_signal;

                    static SpawnConsole() => Tref.Init(ref s_target);

                    public static int Ioctl(TaskStruct current, int signal)
                    {
                        var {|#0:target = Tref.GetByTask(current, PidType.Pid)|};
                        if (signal <= 0)
                            return -22;
                        Tref.Set(ref s_target, target);
                        s_signal = signal;
                        return 0;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("target", "return", 14) },
            FixedCode = """
                using TrefGuard;

                static class SpawnConsole
                {
                    private static TaskRef? s_target;
                    private static int s_signal;

                    static SpawnConsole() => Tref.Init(ref s_target);

                    public static int Ioctl(TaskStruct current, int signal)
                    {
                        var target = Tref.GetByTask(current, PidType.Pid);
                        if (signal <= 0)
                        {
                            target.Put();
                            return -22;
                        }

                        Tref.Set(ref s_target, target);
                        s_signal = signal;
                        return 0;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task FileOwner_SetOwnThatGivesUpOnADeadGroup_IsFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                sealed class FileOwner
                {
                    private readonly object _lock = new();
                    private TaskRef? _ref;
                    private int _pid;

                    public FileOwner() => Tref.Init(ref _ref);

                    public bool SetOwn(TaskTable table, int pid)
                    {
                        var type = pid < 0 ? PidType.Pgid : PidType.Pid;
                        var {|#0:owner = Tref.GetByPid(table, pid < 0 ? -pid : pid, type)|};
                        if (!owner.IsAlive)
                            return false;
                        lock (_lock)
                        {
                            Tref.Set(ref _ref, owner);
                            _pid = pid;
                        }

                        return true;
                    }

                    public void Close() => Tref.Fini(ref _ref);
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("owner", "return", 16) },
            FixedCode = """
                using TrefGuard;

                sealed class FileOwner
                {
                    private readonly object _lock = new();
                    private TaskRef? _ref;
                    private int _pid;

                    public FileOwner() => Tref.Init(ref _ref);

                    public bool SetOwn(TaskTable table, int pid)
                    {
                        var type = pid < 0 ? PidType.Pgid : PidType.Pid;
                        var owner = Tref.GetByPid(table, pid < 0 ? -pid : pid, type);
                        if (!owner.IsAlive)
                        {
                            owner.Put();
                            return false;
                        }

                        lock (_lock)
                        {
                            Tref.Set(ref _ref, owner);
                            _pid = pid;
                        }

                        return true;
                    }

                    public void Close() => Tref.Fini(ref _ref);
                }
                """,

            // Taking the owner's lock can throw before the Set: that exception path is TG0010's business.
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task LambdaBody_IsAnalysedOnItsOwn()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Timers
                {
                    static Func<TaskStruct, int> Sampler() => task =>
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        return r.Nr;
                    };
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 9) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Timers
                {
                    static Func<TaskStruct, int> Sampler() => task =>
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        var result = r.Nr;
                        r.Put();
                        return result;
                    };
                }
                """,
        }.RunAsync();
    }

    /// <summary>
    /// The analyses skip a nested function that touches nothing annotated; one that only holds such a function is
    /// not one of those. Pins that the gate's per-function needs include the functions nested in it.
    /// </summary>
    [Fact]
    public async Task LeakInALambdaInALocalFunctionInALambda_IsReported()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class Timers
            {
                static Func<int, Func<TaskStruct, int>> Samplers() => unused =>
                {
                    return Make();

                    static Func<TaskStruct, int> Make() => task =>
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        return r.Nr;
                    };
                };

                static int Plain(int[] values) => Array.FindIndex(values, v => v > 0);
            }
            """,
            Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 13));
    }

    [Fact]
    public async Task LocalFunctionBody_IsAnalysedOnItsOwn()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static int Sum(TaskStruct a, TaskStruct b)
                    {
                        return Nr(a) + Nr(b);

                        static int Nr(TaskStruct task)
                        {
                            var {|#0:r = Tref.GetByTask(task, PidType.Sid)|};
                            var nr = r.Nr;
                            return nr;
                        }
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 13) },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static int Sum(TaskStruct a, TaskStruct b)
                    {
                        return Nr(a) + Nr(b);

                        static int Nr(TaskStruct task)
                        {
                            var r = Tref.GetByTask(task, PidType.Sid);
                            var nr = r.Nr;
                            r.Put();
                            return nr;
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task IteratorYieldBreak_IsFixedBeforeTheYieldBreak()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using TrefGuard;

                class Walk
                {
                    static IEnumerable<int> Members(TaskStruct leader, int limit)
                    {
                        var {|#0:group = Tref.GetByTask(leader, PidType.Pgid)|};
                        if (limit <= 0)
                            yield break;
                        var nr = group.Nr;
                        group.Put();
                        yield return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("group", "yield break", 10) },
            FixedCode = """
                using System.Collections.Generic;
                using TrefGuard;

                class Walk
                {
                    static IEnumerable<int> Members(TaskStruct leader, int limit)
                    {
                        var group = Tref.GetByTask(leader, PidType.Pgid);
                        if (limit <= 0)
                        {
                            group.Put();
                            yield break;
                        }

                        var nr = group.Nr;
                        group.Put();
                        yield return nr;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task PrimaryConstructorAndRecord_MethodsAreChecked()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                sealed record ProcEntry(int Pid);

                sealed class ProcRoot(TaskTable table)
                {
                    public ProcEntry? Lookup(int pid)
                    {
                        var {|#0:r = Tref.GetByPid(table, pid, PidType.Pid)|};
                        return r.IsAlive ? new ProcEntry(pid) : null;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 10) },
            FixedCode = """
                using TrefGuard;

                sealed record ProcEntry(int Pid);

                sealed class ProcRoot(TaskTable table)
                {
                    public ProcEntry? Lookup(int pid)
                    {
                        var r = Tref.GetByPid(table, pid, PidType.Pid);
                        var result = r.IsAlive ? new ProcEntry(pid) : null;
                        r.Put();
                        return result;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task SwitchExpressionOverAPinnedTask_LeakingBranch_IsFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static char State(TaskRef r)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return 'X';
                        return task switch
                        {
                            { HasExited: true } => 'Z',
                            _ => 'R',
                        };
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 10) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static char State(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return 'X';
                        var result = task switch
                        {
                            { HasExited: true } => 'Z',
                            _ => 'R',
                        };
                        task?.Put();
                        return result;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task UserHandles_GetTheSameDiagnosticsAndFixes()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Io
                {
                    static int Copy(LeasePool pool, NativeHandle handle, int id, bool dry)
                    {
                        var {|#0:lease = pool.Rent(64)|};
                        var {|#1:raw = handle.DangerousAddRef()|};
                        var {|#2:entity = Entities.Open(id)|};
                        if (dry)
                            return 0;
                        var total = lease.Length + (int)raw.DangerousGetHandle() + entity.Generation;
                        Entities.Close(entity);
                        raw.DangerousRelease();
                        pool.Return(lease);
                        return total;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("lease", "return", 11),
                Verify.Diagnostic("TG0001").WithLocation(1).WithArguments("raw", "return", 11),
                Verify.Diagnostic("TG0001").WithLocation(2).WithArguments("entity", "return", 11),
            },
            FixedCode = """
                using Handles;

                class Io
                {
                    static int Copy(LeasePool pool, NativeHandle handle, int id, bool dry)
                    {
                        var lease = pool.Rent(64);
                        var raw = handle.DangerousAddRef();
                        var entity = Entities.Open(id);
                        if (dry)
                        {
                            pool.Return(lease);
                            raw.DangerousRelease();
                            Entities.Close(entity);
                            return 0;
                        }

                        var total = lease.Length + (int)raw.DangerousGetHandle() + entity.Generation;
                        Entities.Close(entity);
                        raw.DangerousRelease();
                        pool.Return(lease);
                        return total;
                    }
                }
                """ + OwnershipHandles.Source,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task NullableFlow_MaybeNullOnTheLeakingPath_IsReleasedWithConditionalAccess()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static bool Zombie(TaskRef r)
                    {
                        TaskStruct? {|#0:task = r.GetTask()|};
                        if (task?.HasExited ?? false)
                            return true;
                        task?.Put();
                        return false;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("task", "return", 9) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static bool Zombie(TaskRef r)
                    {
                        TaskStruct? task = r.GetTask();
                        if (task?.HasExited ?? false)
                        {
                            task?.Put();
                            return true;
                        }

                        task?.Put();
                        return false;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ConditionalPutAtTheEndOfALoopBody_BecomesOnePut()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Scan
                {
                    static void Drain(TaskStruct[] tasks, bool[] done)
                    {
                        for (var i = 0; i < tasks.Length; i++)
                        {
                            var {|#0:r = Tref.GetByTask(tasks[i], PidType.Pid)|};
                            if (done[i])
                                r.Put();
                        }
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "end of the block", 12) },
            FixedCode = """
                using TrefGuard;

                class Scan
                {
                    static void Drain(TaskStruct[] tasks, bool[] done)
                    {
                        for (var i = 0; i < tasks.Length; i++)
                        {
                            var r = Tref.GetByTask(tasks[i], PidType.Pid);
                            r.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task CollectionLookup_OnlyBorrows_SoTheLeakIsStillReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using TrefGuard;

                class Registry
                {
                    private readonly List<TaskRef> _known = new();

                    bool IsKnown(TaskStruct task)
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        return _known.Contains(r);
                    }

                    void Remember(TaskStruct task) => _known.Add(Tref.GetByTask(task, PidType.Pid));
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("r", "return", 11) },
            FixedCode = """
                using System.Collections.Generic;
                using TrefGuard;

                class Registry
                {
                    private readonly List<TaskRef> _known = new();

                    bool IsKnown(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        var result = _known.Contains(r);
                        r.Put();
                        return result;
                    }

                    void Remember(TaskStruct task) => _known.Add(Tref.GetByTask(task, PidType.Pid));
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task TransferredParameter_NotKeptOnEveryPath_IsReportedAtTheParameter_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Mailbox
                {
                    private TaskRef? _owner;

                    public bool Adopt([TransfersOwnership] TaskRef {|#0:owner|})
                    {
                        if (_owner is not null)
                            return false;
                        _owner = owner;
                        return true;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("owner", "return", 11) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Mailbox
                {
                    private TaskRef? _owner;

                    public bool Adopt([TransfersOwnership] TaskRef owner)
                    {
                        if (_owner is not null)
                        {
                            owner.Put();
                            return false;
                        }

                        _owner = owner;
                        return true;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ParameterTransferredByTheAnnotationsFile_DroppedOnAPath_IsReported()
    {
        // No attribute in the method's syntax: the gate must still find the file's annotation.
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                sealed class Mailbox
                {
                    private TaskRef? _owner;

                    public bool Adopt(TaskRef {|#0:owner|})
                    {
                        if (_owner is not null)
                            return false;
                        _owner = owner;
                        return true;
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", "M:Mailbox.Adopt(TrefGuard.TaskRef) param:owner TransfersOwnership\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("owner", "return", 10) },
        }.RunAsync();
    }

    [Fact]
    public async Task UsingDeclarationOfADisposableHandle_ReleasesIt()
    {
        await Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard.Annotations;

            sealed class Lease : IDisposable
            {
                public int Length => 16;

                [ReleasesReference]
                public void Dispose() { }
            }

            static class Leases
            {
                [AcquiresReference]
                public static Lease Rent() => new Lease();
            }

            class Io
            {
                static int Size(bool twice)
                {
                    using var lease = Leases.Rent();
                    if (twice)
                        return lease.Length * 2;
                    Console.WriteLine(lease.Length);
                    return lease.Length;
                }
            }
            """);
    }

    [Fact]
    public async Task TemporaryInAnIfCondition_IsBoundBeforeTheIfAndReleasedAfterIt()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Root
                {
                    static void Announce(TaskTable table)
                    {
                        if ({|#0:Tref.GetByPid(table, 1, PidType.Pid)|}.IsAlive)
                            Console.WriteLine("init is up");
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByPid(table, 1, PidType.Pid)", "end of the statement", 8) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Root
                {
                    static void Announce(TaskTable table)
                    {
                        var taskRef = Tref.GetByPid(table, 1, PidType.Pid);
                        if (taskRef.IsAlive)
                            Console.WriteLine("init is up");
                        taskRef.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task TemporaryInALoopCondition_IsReported_ButNotHoisted()
    {
        // Evaluated once per iteration: binding it once before the loop would change what runs.
        const string source = """
            using TrefGuard;

            class Waiter
            {
                static int Spin(TaskTable table, int pid)
                {
                    var spins = 0;
                    while ({|#0:Tref.GetByPid(table, pid, PidType.Pid)|}.IsAlive && spins < 10)
                        spins++;
                    return spins;
                }
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByPid(table, pid, PidType.Pid)", "end of the statement", 8) },
            FixedExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("Tref.GetByPid(table, pid, PidType.Pid)", "end of the statement", 8) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }
}
