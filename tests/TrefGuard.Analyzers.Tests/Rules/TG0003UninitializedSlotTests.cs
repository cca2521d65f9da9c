using System.Threading.Tasks;
using TrefGuard.Analyzers.Tests.Verifiers;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.SlotAnalyzer, TrefGuard.CodeFixes.UninitializedSlotFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0003: Set/Reset/Fini (any [RequiresInitializedSlot]/[FinalizesSlot] call) on a slot not definitely initialized.</summary>
public sealed class TG0003UninitializedSlotTests
{
    // ---- Locals -------------------------------------------------------------------------------------------------

    [Fact]
    public Task Local_SetWithoutInit()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    {|#0:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_InitOnOneBranchOnly()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, bool bound)
                {
                    TaskRef? slot = null;
                    if (bound)
                    {
                        Tref.Init(ref slot);
                    }

                    {|#0:Tref.Reset(ref slot)|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Reset"));

    [Fact]
    public Task Local_SetAfterFini()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Fini(ref slot);
                    {|#0:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_FiniTwice()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M()
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Fini(ref slot);
                    {|#0:Tref.Fini(ref slot)|};
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Fini"));

    [Fact]
    public Task Local_FinalizedInLoopBody_SetOnNextIteration()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct[] tasks)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    foreach (var t in tasks)
                    {
                        {|#0:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                        if (t.HasExited)
                        {
                            Tref.Fini(ref slot);
                        }
                    }
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_NullTestedSlotIsNotInitialized()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskRef? slot)
                {
                    TaskRef? copy = slot;
                    if (copy is null)
                    {
                        {|#0:Tref.Fini(ref copy)|};
                    }
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("copy", "Fini"));

    [Fact]
    public Task Local_InitOnlyInSomeSwitchSections()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, int mode)
                {
                    TaskRef? slot = null;
                    switch (mode)
                    {
                        case 1:
                            Tref.Init(ref slot);
                            break;
                        case 2:
                            Tref.Init(ref slot);
                            break;
                    }

                    {|#0:Tref.Set(ref slot, Tref.GetByTask(t, mode == 1 ? PidType.Pid : PidType.Pgid))|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_InsideLambdaAndLocalFunction()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class C
            {
                Action M(TaskStruct t)
                {
                    void Local()
                    {
                        TaskRef? inner = null;
                        {|#0:Tref.Fini(ref inner)|};
                    }

                    Local();
                    return () =>
                    {
                        TaskRef? slot = null;
                        {|#1:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                    };
                }
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("inner", "Fini"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_AsyncMethod_FiniBeforeAwaitThenSet()
        => Verify.VerifyAnalyzerAsync("""
            using System.Threading.Tasks;
            using TrefGuard;

            class C
            {
                async Task M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Fini(ref slot);
                    await Task.Yield();
                    {|#0:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task Local_FinallyFinalizesWhatTheTryMayNotHaveInitialized()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, bool attach)
                {
                    TaskRef? slot = null;
                    try
                    {
                        if (attach)
                        {
                            Tref.Init(ref slot);
                        }
                    }
                    finally
                    {
                        {|#0:Tref.Fini(ref slot)|};
                    }
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Fini"));

    [Fact]
    public Task Local_Negative_InitSetFini()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                int M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    var alive = slot!.IsAlive ? 1 : 0;
                    Tref.Reset(ref slot);
                    Tref.Fini(ref slot);
                    return alive;
                }
            }
            """);

    [Fact]
    public Task Local_Negative_InitOnEveryBranchAndInTryWithFinally()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, bool group)
                {
                    TaskRef? slot = null;
                    if (group)
                    {
                        Tref.Init(ref slot);
                    }
                    else
                    {
                        Tref.Init(ref slot);
                    }

                    try
                    {
                        Tref.Set(ref slot, Tref.GetByTask(t, group ? PidType.Pgid : PidType.Pid));
                    }
                    finally
                    {
                        Tref.Fini(ref slot);
                    }
                }
            }
            """);

    [Fact]
    public Task Local_Negative_DeclaredInLoopBody()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct[] tasks)
                {
                    foreach (var t in tasks)
                    {
                        TaskRef? slot = null;
                        Tref.Init(ref slot);
                        Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                        Tref.Fini(ref slot);
                    }
                }
            }
            """);

    [Fact]
    public Task Local_Negative_NullTestedThenReinitialized()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, TaskRef? slot)
                {
                    TaskRef? copy = null;
                    Tref.Init(ref copy);
                    Tref.Fini(ref copy);
                    if (copy is not null)
                    {
                        Tref.Fini(ref copy);
                    }
                }
            }
            """);

    [Fact]
    public Task Local_Negative_CapturedByLambdaOrPassedToUnannotatedMethod()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class C
            {
                static void Prepare(ref TaskRef? slot) => Tref.Init(ref slot);

                Action M(TaskStruct t)
                {
                    TaskRef? passed = null;
                    Prepare(ref passed);
                    Tref.Set(ref passed, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref passed);

                    TaskRef? captured = null;
                    Action init = () => Tref.Init(ref captured);
                    init();
                    return () => Tref.Fini(ref captured);
                }
            }
            """);

    [Fact]
    public Task Local_TopLevelStatements()
        => new Verify.Test
        {
            OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication,
            TestCode = """
                using TrefGuard;

                var table = new TaskTable();
                var init = table.Spawn("init");
                TaskRef? console = null;
                {|#0:Tref.Set(ref console, Tref.GetByTask(init, PidType.Pid))|};
                Tref.Fini(ref console);
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("console", "Set") },
        }.RunAsync();

    [Fact]
    public Task Local_Negative_UnusualControlFlow()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using TrefGuard;

            class C
            {
                IEnumerable<int> Iterate(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    try
                    {
                        Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                        yield return slot!.Nr;
                    }
                    finally
                    {
                        Tref.Fini(ref slot);
                    }
                }

                int Jumps(TaskStruct t, int n)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                retry:
                    try
                    {
                        Tref.Set(ref slot, Tref.GetByTask(t, n switch { 0 => PidType.Pid, 1 => PidType.Tgid, _ => PidType.Sid }));
                    }
                    catch (InvalidOperationException) when (n++ < 3)
                    {
                        goto retry;
                    }

                    ref TaskRef? alias = ref slot;
                    Tref.Fini(ref alias);
                    Tref.Fini(ref slot);
                    return n;
                }

                void Patterns(object o)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    if (o is TaskStruct { HasExited: false } t && slot is { } current && current.IsAlive)
                    {
                        Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    }

                    Tref.Fini(ref slot);
                }
            }
            """);

    // ---- Parameters and users' own slot APIs ----------------------------------------------------------------------

    [Fact]
    public Task Parameter_Negative_RefSlotIsTheCallersDuty()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Owners
            {
                public static void Rebind([RequiresInitializedSlot] ref TaskRef? slot, TaskStruct t)
                    => Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));

                public static void Drop(ref TaskRef? slot) => Tref.Fini(ref slot);
            }
            """);

    [Fact]
    public Task Parameter_InitializesSlotParameterStartsUninitialized()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Owners
            {
                public static void InitBound([InitializesSlot] ref TaskRef? slot, TaskStruct t)
                {
                    {|#0:Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|};
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("slot", "Set"));

    [Fact]
    public Task UserSlotApi_SameRuleThroughAnnotations()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard.Annotations;

            sealed class Lease
            {
                public static readonly Lease Empty = new();
            }

            static class Leases
            {
                public static void Open([InitializesSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Assign([RequiresInitializedSlot] ref Lease? slot, [TransfersOwnership] Lease lease) => slot = lease;

                public static void Close([FinalizesSlot] ref Lease? slot) => slot = null;
            }

            sealed class Pool
            {
                private Lease? _current;

                public Pool() => Leases.Open(ref _current);

                public void Swap(Lease lease) => Leases.Assign(ref _current, lease);

                public void Dispose() => Leases.Close(ref _current);

                public void Use()
                {
                    Lease? local = null;
                    {|#0:Leases.Assign(ref local, new Lease())|};
                }
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("local", "Assign"));

    // ---- Fields ----------------------------------------------------------------------------------------------------

    [Fact]
    public Task Field_Negative_ProcInode()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            /// <summary>The /proc inode: Init in the allocator, Set when bound to a process, Fini in the destructor.</summary>
            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public bool Bind(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    Tref.Set(ref _pid, r);
                    return _pid!.IsAlive;
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Field_NoConstructor()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public void Bind(TaskStruct task) => {|#0:Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|};

                public void Dispose() => {|#1:Tref.Fini(ref _pid)|};
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pid", "Set"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("_pid", "Fini"));

    [Fact]
    public Task Field_OneConstructorOfTwoLacksInit()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                public Tty(TaskStruct leader)
                {
                    Tref.Init(ref _session);
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                }

                public void SetPgrp(TaskStruct task) => {|#0:Tref.Set(ref _pgrp, Tref.GetByTask(task, PidType.Pgid))|};

                public void Dispose()
                {
                    Tref.Fini(ref _session);
                    {|#1:Tref.Fini(ref _pgrp)|};
                }
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pgrp", "Set"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("_pgrp", "Fini"));

    [Fact]
    public Task Field_Negative_TtySwapsSessionAndProcessGroup()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            /// <summary>A tty owns its session and foreground process group and swaps them on setsid / TIOCSPGRP.</summary>
            sealed class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                public Tty(TaskStruct leader) : this()
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void OnSetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public int Ioctl(int request, TaskTable table, int pgid)
                {
                    switch (request)
                    {
                        case 0x5410: // TIOCSPGRP
                            Tref.Set(ref _pgrp, Tref.GetByPid(table, pgid, PidType.Pgid));
                            return 0;
                        case 0x5422: // TIOCNOTTY
                            Tref.Reset(ref _session);
                            Tref.Reset(ref _pgrp);
                            return 0;
                        default:
                            return -1;
                    }
                }

                public void Dispose()
                {
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
                }
            }
            """);

    [Fact]
    public Task Field_ChainedConstructorLacksInit()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private TaskRef? _owner;
                private int _pid;

                public FileOwner() : this(0)
                {
                }

                public FileOwner(int pid) => _pid = pid;

                public void SetOwn(TaskTable table, int pid)
                {
                    _pid = pid;
                    {|#0:Tref.Set(ref _owner, Tref.GetByPid(table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid))|};
                }

                public void Dispose() => {|#1:Tref.Fini(ref _owner)|};
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_owner", "Set"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("_owner", "Fini"));

    [Fact]
    public Task Field_Negative_FileOwnerSetByFSetOwn()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using TrefGuard;

            /// <summary>F_SETOWN: the owner's lock, then tref_set of a by-pid lookup; F_GETOWN answers what was set.</summary>
            sealed class FileOwner : IDisposable
            {
                private readonly Lock _lock = new();
                private TaskRef? _owner;
                private int _pid;

                public FileOwner() : this(0)
                {
                }

                public FileOwner(int pid)
                {
                    _pid = pid;
                    Tref.Init(ref _owner);
                }

                public void SetOwn(TaskTable table, int pid)
                {
                    var r = Tref.GetByPid(table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid);
                    lock (_lock)
                    {
                        _pid = pid;
                        Tref.Set(ref _owner, r);
                    }
                }

                public int GetOwn()
                {
                    lock (_lock)
                    {
                        return _owner is { IsAlive: true } ? _pid : 0;
                    }
                }

                public void Dispose() => Tref.Fini(ref _owner);
            }
            """);

    [Fact]
    public Task Field_SetInConstructorBeforeInit()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode(TaskStruct task)
                {
                    {|#0:Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|};
                    Tref.Init(ref _pid);
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pid", "Set"));

    [Fact]
    public Task Field_FinalizedThenSetInTheSameMethod()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Rebind(TaskStruct task)
                {
                    Tref.Fini(ref _pid);
                    {|#0:Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|};
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pid", "Set"));

    [Fact]
    public Task Field_FoundNullIsNotInitialized()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task)
                {
                    if (_pid == null)
                    {
                        {|#0:Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|};
                    }
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pid", "Set"));

    [Fact]
    public Task Field_Negative_LazyInitialization()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class Watcher
            {
                private TaskRef? _watched;

                public void Watch(TaskStruct task)
                {
                    if (_watched is null)
                    {
                        Tref.Init(ref _watched);
                    }

                    Tref.Set(ref _watched, Tref.GetByTask(task, PidType.Tgid));
                }

                public void Stop()
                {
                    if (_watched is not null)
                    {
                        Tref.Fini(ref _watched);
                    }
                }
            }
            """);

    [Fact]
    public Task StaticField_VtSpawnConsoleWithoutStaticConstructor()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            /// <summary>The vt "spawn console" signal: a global tref and a signal number.</summary>
            static class SpawnConsole
            {
                private static TaskRef? s_pid;
                private static int s_signal;

                public static void Register(TaskStruct current, int signal)
                {
                    {|#0:Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid))|};
                    s_signal = signal;
                }

                public static void OnKey()
                {
                    if (Tref.Kill(s_pid!, s_signal) == 0)
                    {
                        {|#1:Tref.Reset(ref s_pid)|};
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("s_pid", "Set"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("s_pid", "Reset"));

    [Fact]
    public Task StaticField_Negative_VtSpawnConsole()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;
                private static int s_signal;

                static SpawnConsole() => Tref.Init(ref s_pid);

                public static void Register(TaskStruct current, int signal)
                {
                    Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid));
                    s_signal = signal;
                }

                public static void OnKey()
                {
                    if (Tref.Kill(s_pid!, s_signal) == 0)
                    {
                        Tref.Reset(ref s_pid);
                    }
                }
            }
            """);

    [Fact]
    public Task Field_PrimaryConstructorCannotInitialize()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Session(TaskStruct leader) : IDisposable
            {
                private TaskRef? _sid;

                public void Attach() => {|#0:Tref.Set(ref _sid, Tref.GetByTask(leader, PidType.Sid))|};

                public void Dispose() => {|#1:Tref.Fini(ref _sid)|};
            }
            """,
            Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_sid", "Set"),
            Verify.Diagnostic("TG0003").WithLocation(1).WithArguments("_sid", "Fini"));

    [Fact]
    public Task Field_PositionalRecord()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            record Job(string Name)
            {
                private TaskRef? _leader;

                public void Start(TaskStruct leader) => {|#0:Tref.Set(ref _leader, Tref.GetByTask(leader, PidType.Pgid))|};
            }
            """, Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_leader", "Set"));

    [Fact]
    public Task Field_Negative_RecordWithConstructorAndHelperCalledFromIt()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed record Job : IDisposable
            {
                private TaskRef? _leader;
                private TaskRef? _session;

                public Job() => InitSlots();

                private void InitSlots()
                {
                    Tref.Init(ref _leader);
                    Tref.Init(ref _session);
                }

                public void Start(TaskStruct leader)
                {
                    Tref.Set(ref _leader, Tref.GetByTask(leader, PidType.Pgid));
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                }

                public void Dispose()
                {
                    Tref.Fini(ref _leader);
                    Tref.Fini(ref _session);
                }
            }
            """);

    [Fact]
    public Task Field_PartialClassAcrossFiles()
    {
        var test = new Verify.Test();
        test.Sources.Add(("Inode.cs", """
            using TrefGuard;

            partial class ProcInode
            {
                private TaskRef? _pid;

                public ProcInode(int ino) => Ino = ino;

                public int Ino { get; }
            }
            """));
        test.Sources.Add(("Inode.Bind.cs", """
            using TrefGuard;

            partial class ProcInode
            {
                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => {|#0:Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|};
            }
            """));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("TG0003").WithLocation(0).WithArguments("_pid", "Set"));
        return test.RunAsync();
    }

    [Fact]
    public Task Field_Negative_NestedTypeHasItsOwnSlots()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Tty : IDisposable
            {
                private TaskRef? _session;

                public Tty() => Tref.Init(ref _session);

                public void Dispose() => Tref.Fini(ref _session);

                public sealed class Ldisc : IDisposable
                {
                    private TaskRef? _reader;

                    public Ldisc() => Tref.Init(ref _reader);

                    public void Attach(TaskStruct task) => Tref.Set(ref _reader, Tref.GetByTask(task, PidType.Pid));

                    public void Dispose() => Tref.Fini(ref _reader);
                }
            }
            """);

    [Fact]
    public Task Field_Negative_ExpressionBodiedAsyncAndLambdaMembers()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using TrefGuard;

            sealed class Proc : IAsyncDisposable
            {
                private TaskRef? _pid;

                public Proc() { Tref.Init(ref _pid); }

                public Action Binder(TaskStruct task) => () => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public async Task RebindAsync(Func<Task<TaskStruct>> next)
                {
                    var task = await next();
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                }

                public ValueTask DisposeAsync()
                {
                    Tref.Fini(ref _pid);
                    return ValueTask.CompletedTask;
                }
            }
            """);

    [Fact]
    public Task Negative_NoRuntimeReference()
        => new Verify.Test
        {
            ReferenceRuntime = false,
            TestCode = """
                class TaskRef { }

                static class Tref
                {
                    public static void Set(ref TaskRef? slot, TaskRef r) => slot = r;
                }

                class C
                {
                    TaskRef? _r;

                    void M() => Tref.Set(ref _r, new TaskRef());
                }
                """,
        }.RunAsync();

    // ---- Code fix --------------------------------------------------------------------------------------------------

    [Fact]
    public Task Fix_LocalAfterDeclaration()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, bool group)
                {
                    TaskRef? slot = null;
                    var type = group ? PidType.Pgid : PidType.Pid;
                    [|Tref.Set(ref slot, Tref.GetByTask(t, type))|];
                    Tref.Fini(ref slot);
                }
            }
            """, """
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, bool group)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    var type = group ? PidType.Pgid : PidType.Pid;
                    Tref.Set(ref slot, Tref.GetByTask(t, type));
                    Tref.Fini(ref slot);
                }
            }
            """);

    [Fact]
    public Task Fix_TwoLocalsInOneDeclaration()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? session = null, pgrp = null;
                    [|Tref.Set(ref session, Tref.GetByTask(t, PidType.Sid))|];
                    [|Tref.Set(ref pgrp, Tref.GetByTask(t, PidType.Pgid))|];
                    Tref.Fini(ref pgrp);
                    Tref.Fini(ref session);
                }
            }
            """, """
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? session = null, pgrp = null;
                    Tref.Init(ref session);
                    Tref.Init(ref pgrp);
                    Tref.Set(ref session, Tref.GetByTask(t, PidType.Sid));
                    Tref.Set(ref pgrp, Tref.GetByTask(t, PidType.Pgid));
                    Tref.Fini(ref pgrp);
                    Tref.Fini(ref session);
                }
            }
            """);

    [Fact]
    public Task Fix_AfterFiniBeforeTheStatement()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, TaskStruct next)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref slot);
                    if (!next.HasExited)
                        [|Tref.Set(ref slot, Tref.GetByTask(next, PidType.Pid))|];
                }
            }
            """, """
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, TaskStruct next)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref slot);
                    if (!next.HasExited)
                    {
                        Tref.Init(ref slot);
                        Tref.Set(ref slot, Tref.GetByTask(next, PidType.Pid));
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_LazyFieldFoundNull()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task)
                {
                    if (_pid is null)
                    {
                        [|Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|];
                    }
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task)
                {
                    if (_pid is null)
                    {
                        Tref.Init(ref _pid);
                        Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                    }
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Fix_FieldCreatesConstructor()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public void OnSetSid(TaskStruct leader)
                {
                    [|Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid))|];
                    [|Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid))|];
                }

                public void Dispose()
                {
                    [|Tref.Fini(ref _pgrp)|];
                    [|Tref.Fini(ref _session)|];
                }
            }
            """, """
            using System;
            using TrefGuard;

            sealed class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                public void OnSetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void Dispose()
                {
                    Tref.Fini(ref _pgrp);
                    Tref.Fini(ref _session);
                }
            }
            """);

    [Fact]
    public Task Fix_FieldInEveryConstructorThatLacksIt()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private TaskRef? _owner;
                private readonly int _fd;

                public FileOwner()
                {
                    Tref.Init(ref _owner);
                }

                public FileOwner(int fd)
                {
                    _fd = fd;
                }

                public FileOwner(string path) : this(path.Length)
                {
                }

                public int Fd => _fd;

                public void SetOwn(TaskTable table, int pid) => [|Tref.Set(ref _owner, Tref.GetByPid(table, pid, PidType.Pid))|];

                public void Dispose() => [|Tref.Fini(ref _owner)|];
            }
            """, """
            using System;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private TaskRef? _owner;
                private readonly int _fd;

                public FileOwner()
                {
                    Tref.Init(ref _owner);
                }

                public FileOwner(int fd)
                {
                    Tref.Init(ref _owner);
                    _fd = fd;
                }

                public FileOwner(string path) : this(path.Length)
                {
                }

                public int Fd => _fd;

                public void SetOwn(TaskTable table, int pid) => Tref.Set(ref _owner, Tref.GetByPid(table, pid, PidType.Pid));

                public void Dispose() => Tref.Fini(ref _owner);
            }
            """);

    [Fact]
    public Task Fix_ExpressionBodiedConstructor()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode(int ino) => Ino = ino;

                public int Ino { get; }

                public void Bind(TaskStruct task) => [|Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|];

                public void Dispose() => [|Tref.Fini(ref _pid)|];
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode(int ino)
                {
                    Tref.Init(ref _pid);
                    Ino = ino;
                }

                public int Ino { get; }

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Fix_SetBeforeInitInConstructorMovesTheInit()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode(TaskStruct task)
                {
                    [|Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|];
                    Tref.Init(ref _pid);
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode(TaskStruct task)
                {
                    Tref.Init(ref _pid);
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Fix_StaticFieldCreatesStaticConstructor()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;
                private static int s_signal;

                public static void Register(TaskStruct current, int signal)
                {
                    [|Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid))|];
                    s_signal = signal;
                }

                public static int Signal => s_signal;
            }
            """, """
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;
                private static int s_signal;

                static SpawnConsole()
                {
                    Tref.Init(ref s_pid);
                }

                public static void Register(TaskStruct current, int signal)
                {
                    Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid));
                    s_signal = signal;
                }

                public static int Signal => s_signal;
            }
            """);

    [Fact]
    public Task Fix_RecordWithoutParameters()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed record Job : IDisposable
            {
                private TaskRef? _leader;

                public string Name { get; init; } = "";

                public void Start(TaskStruct leader) => [|Tref.Set(ref _leader, Tref.GetByTask(leader, PidType.Pgid))|];

                public void Dispose() => [|Tref.Fini(ref _leader)|];
            }
            """, """
            using System;
            using TrefGuard;

            sealed record Job : IDisposable
            {
                private TaskRef? _leader;

                public Job()
                {
                    Tref.Init(ref _leader);
                }

                public string Name { get; init; } = "";

                public void Start(TaskStruct leader) => Tref.Set(ref _leader, Tref.GetByTask(leader, PidType.Pgid));

                public void Dispose() => Tref.Fini(ref _leader);
            }
            """);

    [Fact]
    public Task Fix_ConstructorParameterShadowsTheField()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class Owner : IDisposable
            {
                private TaskRef? owner;

                public Owner(TaskRef? owner)
                {
                    Console.WriteLine(owner);
                }

                public void Set(TaskStruct t) => [|Tref.Set(ref owner, Tref.GetByTask(t, PidType.Pid))|];

                public void Dispose() => [|Tref.Fini(ref owner)|];
            }
            """, """
            using System;
            using TrefGuard;

            sealed class Owner : IDisposable
            {
                private TaskRef? owner;

                public Owner(TaskRef? owner)
                {
                    Tref.Init(ref this.owner);
                    Console.WriteLine(owner);
                }

                public void Set(TaskStruct t) => Tref.Set(ref owner, Tref.GetByTask(t, PidType.Pid));

                public void Dispose() => Tref.Fini(ref owner);
            }
            """);

    [Fact]
    public Task Fix_PartialClassConstructorInAnotherFile()
    {
        var test = new Verify.Test();
        test.Sources.Add(("Inode.cs", """
            using TrefGuard;

            partial class ProcInode
            {
                private TaskRef? _pid;

                public ProcInode(int ino) => Ino = ino;

                public int Ino { get; }
            }
            """));
        test.Sources.Add(("Inode.Bind.cs", """
            using System;
            using TrefGuard;

            partial class ProcInode : IDisposable
            {
                public void Bind(TaskStruct task) => [|Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid))|];

                public void Dispose() => [|Tref.Fini(ref _pid)|];
            }
            """));
        test.FixedSources.Add(("Inode.cs", """
            using TrefGuard;

            partial class ProcInode
            {
                private TaskRef? _pid;

                public ProcInode(int ino)
                {
                    Tref.Init(ref _pid);
                    Ino = ino;
                }

                public int Ino { get; }
            }
            """));
        test.FixedSources.Add(("Inode.Bind.cs", """
            using System;
            using TrefGuard;

            partial class ProcInode : IDisposable
            {
                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """));
        test.CodeActionEquivalenceKey = UninitializedSlotFixer.InsertInitKey;
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_NotOfferedForAPrimaryConstructor()
        => new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                sealed class Session(TaskStruct leader) : IDisposable
                {
                    private TaskRef? _sid;

                    public void Attach() => [|Tref.Set(ref _sid, Tref.GetByTask(leader, PidType.Sid))|];

                    public void Dispose() => [|Tref.Fini(ref _sid)|];
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                sealed class Session(TaskStruct leader) : IDisposable
                {
                    private TaskRef? _sid;

                    public void Attach() => [|Tref.Set(ref _sid, Tref.GetByTask(leader, PidType.Sid))|];

                    public void Dispose() => [|Tref.Fini(ref _sid)|];
                }
                """,
        }.RunAsync();

    // ---- dotnet format -------------------------------------------------------------------------------------------

    /// <summary>
    /// One <c>dotnet format</c> pass fixes what it found: here TG0003 (a field, a local), TG0007 and TG0011 together.
    /// (A field that the TG0003 fix makes initialized by construction can surface a TG0011 that was not there
    /// before; a second pass fixes that one, as it would any diagnostic a fix uncovers.)
    /// </summary>
    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task DotnetFormat_FixesTheSlotFamilyAndTheProjectBuildsClean()
    {
        const string source = """
            using TrefGuard;

            namespace Sample;

            public sealed class Tty
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                }

                public void OnSetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void Tiocsctty(TaskStruct leader) => _session = Tref.GetByTask(leader, PidType.Sid);

                public void Close() => Tref.Fini(ref _pgrp);

                public static int Once(TaskStruct task)
                {
                    TaskRef? slot = null;
                    Tref.Set(ref slot, Tref.GetByTask(task, PidType.Pid));
                    var nr = slot!.Nr;
                    Tref.Fini(ref slot);
                    return nr;
                }

                public void Dispose() => Close();
            }
            """;
        var result = await DotnetFormatRunner.RunAsync(new[] { ("Tty.cs", source) }, "TG0003", "TG0007", "TG0011");

        Assert.True(result.FormatExitCode == 0, result.Describe());
        Assert.True(result.BuildExitCode == 0, result.Describe());
        Assert.True(result.TrefGuardDiagnostics.Count == 0, result.Describe());
        Assert.Equal("""
            using TrefGuard;

            namespace Sample;

            public sealed class Tty
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                public void OnSetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void Tiocsctty(TaskStruct leader) => Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));

                public void Close() => Tref.Fini(ref _pgrp);

                public static int Once(TaskStruct task)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(task, PidType.Pid));
                    var nr = slot!.Nr;
                    Tref.Fini(ref slot);
                    return nr;
                }

                public void Dispose()
                {
                    Close();
                    Tref.Fini(ref _session);
                }
            }
            """, result.Sources["Tty.cs"]);
    }
}
