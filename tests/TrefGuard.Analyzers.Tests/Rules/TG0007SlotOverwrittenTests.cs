using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.SlotAnalyzer, TrefGuard.CodeFixes.SlotOverwrittenFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0007: plain assignment over a slot that may hold a reference (the old reference leaks).</summary>
public sealed class TG0007SlotOverwrittenTests
{
    // ---- Locals -------------------------------------------------------------------------------------------------

    [Fact]
    public Task Local_AssignedAfterInit()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    {|#0:slot = Tref.GetByTask(t, PidType.Pid)|};
                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("slot"));

    [Fact]
    public Task Local_MayBeInitializedOnOnePath()
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

                    {|#0:slot = null|};
                }
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("slot"));

    [Fact]
    public Task Local_AssignedInLoopAfterInitBeforeIt()
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
                        {|#0:slot = Tref.GetByTask(t, PidType.Tgid)|};
                    }

                    Tref.Fini(ref slot);
                }
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("slot"));

    [Fact]
    public Task Local_Negative_BeforeInitAfterFiniAndWhenNull()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t, TaskRef borrowed)
                {
                    TaskRef? slot = borrowed;
                    slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref slot);
                    slot = null;

                    TaskRef? other = null;
                    Tref.Init(ref other);
                    Tref.Fini(ref other);
                    if (other is null)
                    {
                        other = null;
                    }

                    for (var i = 0; i < 2; i++)
                    {
                        TaskRef? fresh = null;
                        Tref.Init(ref fresh);
                        Tref.Fini(ref fresh);
                    }
                }
            }
            """);

    [Fact]
    public Task Parameter_RefSlotOverwritten()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            static class Owners
            {
                public static void Rebind(ref TaskRef? slot, TaskStruct t, bool clear)
                {
                    if (clear)
                    {
                        Tref.Reset(ref slot);
                        return;
                    }

                    {|#0:slot = Tref.GetByTask(t, PidType.Pid)|};
                }
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("slot"));

    // ---- Fields ----------------------------------------------------------------------------------------------------

    [Fact]
    public Task Field_ProcInodeBoundByAssignment()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => {|#0:_pid = Tref.GetByTask(task, PidType.Pid)|};

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pid"));

    [Fact]
    public Task Field_TtySetSidAndTiocspgrpByAssignment()
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

                public void OnSetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    {|#0:_pgrp = Tref.GetByTask(leader, PidType.Pgid)|};
                }

                public void Tiocspgrp(TaskTable table, int pgid)
                {
                    {|#1:this._pgrp = Tref.GetByPid(table, pgid, PidType.Pgid)|};
                }

                public void Dispose()
                {
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
                }
            }
            """,
            Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pgrp"),
            Verify.Diagnostic("TG0007").WithLocation(1).WithArguments("_pgrp"));

    [Fact]
    public Task Field_FileOwnerAssignedUnderItsLock()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private readonly Lock _lock = new();
                private TaskRef? _owner;
                private int _pid;

                public FileOwner() => Tref.Init(ref _owner);

                public void SetOwn(TaskTable table, int pid)
                {
                    var r = Tref.GetByPid(table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid);
                    lock (_lock)
                    {
                        _pid = pid;
                        {|#0:_owner = r|};
                    }
                }

                public int GetOwn() => _owner is { IsAlive: true } ? _pid : 0;

                public void Dispose() => Tref.Fini(ref _owner);
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_owner"));

    [Fact]
    public Task StaticField_VtSpawnConsole()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;
                private static int s_signal;

                static SpawnConsole() => Tref.Init(ref s_pid);

                public static void Register(TaskStruct current, int signal)
                {
                    {|#0:s_pid = Tref.GetByTask(current, PidType.Pid)|};
                    s_signal = signal;
                }

                public static void OnKey()
                {
                    if (Tref.Kill(s_pid!, s_signal) == 0)
                    {
                        {|#1:s_pid = null|};
                    }
                }
            }
            """,
            Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("s_pid"),
            Verify.Diagnostic("TG0007").WithLocation(1).WithArguments("s_pid"));

    [Fact]
    public Task Field_InConstructorAfterInitAndAfterChaining()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode()
                {
                    Tref.Init(ref _pid);
                }

                public ProcInode(TaskStruct task) : this()
                {
                    {|#0:_pid = Tref.GetByTask(task, PidType.Pid)|};
                }

                public ProcInode(TaskRef r)
                {
                    Tref.Init(ref _pid);
                    {|#1:_pid = r|};
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """,
            Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pid"),
            Verify.Diagnostic("TG0007").WithLocation(1).WithArguments("_pid"));

    [Fact]
    public Task Field_ClearedInDisposeWithoutFini()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? {|#1:_pid|};

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public void Dispose()
                {
                    {|#0:_pid = null|};
                }
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pid"), Verify.Diagnostic("TG0011").WithLocation(1).WithArguments("_pid", "ProcInode"));

    [Fact]
    public Task Field_InLambdasAndLocalFunctions()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Proc : IDisposable
            {
                private TaskRef? _pid;

                public Proc() => Tref.Init(ref _pid);

                public Action Clearer() => () => {|#0:_pid = null|};

                public void Rebind(TaskStruct task)
                {
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                    Replace(task);

                    void Replace(TaskStruct t) => {|#1:_pid = Tref.GetByTask(t, PidType.Pid)|};
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """,
            Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pid"),
            Verify.Diagnostic("TG0007").WithLocation(1).WithArguments("_pid"));

    [Fact]
    public Task Field_AsyncMethodConditionalValue()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using TrefGuard;

            sealed class Proc : IDisposable
            {
                private TaskRef? _pid;

                public Proc() => Tref.Init(ref _pid);

                public async Task RebindAsync(Func<Task<TaskStruct>> next, bool group)
                {
                    var task = await next();
                    {|#0:_pid = group ? Tref.GetByTask(task, PidType.Pgid) : Tref.GetByTask(task, PidType.Pid)|};
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_pid"));

    [Fact]
    public Task Field_RecordAndUserSlotApi()
        => Verify.VerifyAnalyzerAsync("""
            using System;
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

            sealed record Pool : IDisposable
            {
                private Lease? _current;

                public Pool() => Leases.Open(ref _current);

                public void Swap(Lease lease) => {|#0:_current = lease|};

                public void Dispose() => Leases.Close(ref _current);
            }
            """, Verify.Diagnostic("TG0007").WithLocation(0).WithArguments("_current"));

    [Fact]
    public Task Field_Negative_AssignmentsThatLeakNothing()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;
                private TaskRef? _notASlot;
                private int _ino;

                public ProcInode(TaskRef r)
                {
                    _pid = r;
                    _notASlot = r;
                    Tref.Init(ref _pid);
                }

                public void Bind(TaskStruct task, ProcInode other, Dictionary<int, TaskRef?> cache)
                {
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                    _notASlot = null;
                    _ino = task.Pid;
                    other._notASlot = null;
                    cache.TryGetValue(_ino, out _notASlot);
                }

                public void Dispose()
                {
                    Tref.Fini(ref _pid);
                    _pid = null;
                }
            }
            """);

    [Fact]
    public Task Field_Negative_LazySlotAssignedWhenNull()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class Watcher
            {
                private TaskRef? _watched;

                public void Watch(TaskStruct task)
                {
                    if (_watched is null)
                    {
                        _watched = null;
                        Tref.Init(ref _watched);
                    }

                    Tref.Set(ref _watched, Tref.GetByTask(task, PidType.Tgid));
                }
            }
            """);

    [Fact]
    public Task Field_Negative_OutArgumentAndUnannotatedRef()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading;
            using TrefGuard;

            sealed class Proc : IDisposable
            {
                private TaskRef? _pid;

                public Proc() => Tref.Init(ref _pid);

                private static bool TryTake(out TaskRef? r)
                {
                    r = null;
                    return false;
                }

                public void Swap(TaskRef replacement)
                {
                    var old = Interlocked.Exchange(ref _pid, replacement);
                    TryTake(out _pid);
                    Tref.Init(ref _pid);
                    old?.Put();
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    // ---- Code fix --------------------------------------------------------------------------------------------------

    [Fact]
    public Task Fix_FieldAssignmentBecomesSet()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task)
                {
                    [|_pid = Tref.GetByTask(task, PidType.Pid)|]; // bound to the process
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
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid)); // bound to the process
                }

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Fix_NullBecomesReset_AndExpressionBodies()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;

                static SpawnConsole() => Tref.Init(ref s_pid);

                public static void Register(TaskStruct current) => [|s_pid = Tref.GetByTask(current, PidType.Pid)|];

                public static void Unregister() => [|s_pid = null|];
            }
            """, """
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;

                static SpawnConsole() => Tref.Init(ref s_pid);

                public static void Register(TaskStruct current) => Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid));

                public static void Unregister() => Tref.Reset(ref s_pid);
            }
            """);

    [Fact]
    public Task Fix_TtyFixAllKeepsThisQualifier()
        => Verify.VerifyFixAsync("""
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
                    [|this._session = Tref.GetByTask(leader, PidType.Sid)|];
                    [|this._pgrp = Tref.GetByTask(leader, PidType.Pgid)|];
                }

                public void Dispose()
                {
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
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
                    Tref.Set(ref this._session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref this._pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void Dispose()
                {
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
                }
            }
            """);

    [Fact]
    public Task Fix_LocalInLambda()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            class C
            {
                Action<TaskStruct> M() => t =>
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    [|slot = Tref.GetByTask(t, PidType.Pid)|];
                    Tref.Fini(ref slot);
                };
            }
            """, """
            using System;
            using TrefGuard;

            class C
            {
                Action<TaskStruct> M() => t =>
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref slot);
                };
            }
            """);

    [Fact]
    public Task Fix_UserSlotApi()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard.Annotations;

            sealed class Lease
            {
                public static readonly Lease Empty = new();
            }

            static class Leases
            {
                public static void Open([InitializesSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Assign([RequiresInitializedSlot] ref Lease? slot, [TransfersOwnership] Lease lease) => slot = lease;

                public static void Clear([RequiresInitializedSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Close([FinalizesSlot] ref Lease? slot) => slot = null;
            }

            sealed class Pool : IDisposable
            {
                private Lease? _current;

                public Pool() => Leases.Open(ref _current);

                public void Swap(Lease lease) => [|_current = lease|];

                public void Drop() => [|_current = null|];

                public void Dispose() => Leases.Close(ref _current);
            }
            """, """
            using System;
            using TrefGuard.Annotations;

            sealed class Lease
            {
                public static readonly Lease Empty = new();
            }

            static class Leases
            {
                public static void Open([InitializesSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Assign([RequiresInitializedSlot] ref Lease? slot, [TransfersOwnership] Lease lease) => slot = lease;

                public static void Clear([RequiresInitializedSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Close([FinalizesSlot] ref Lease? slot) => slot = null;
            }

            sealed class Pool : IDisposable
            {
                private Lease? _current;

                public Pool() => Leases.Open(ref _current);

                public void Swap(Lease lease) => Leases.Assign(ref _current, lease);

                public void Drop() => Leases.Clear(ref _current);

                public void Dispose() => Leases.Close(ref _current);
            }
            """);

    [Fact]
    public Task Fix_NotOfferedWhenTheValueIsUsed()
        => new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                sealed class ProcInode : IDisposable
                {
                    private TaskRef? _pid;

                    public ProcInode() => Tref.Init(ref _pid);

                    public TaskRef? Bind(TaskStruct task) => [|_pid = Tref.GetByTask(task, PidType.Pid)|];

                    public void Dispose() => Tref.Fini(ref _pid);
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                sealed class ProcInode : IDisposable
                {
                    private TaskRef? _pid;

                    public ProcInode() => Tref.Init(ref _pid);

                    public TaskRef? Bind(TaskStruct task) => [|_pid = Tref.GetByTask(task, PidType.Pid)|];

                    public void Dispose() => Tref.Fini(ref _pid);
                }
                """,
        }.RunAsync();
}
