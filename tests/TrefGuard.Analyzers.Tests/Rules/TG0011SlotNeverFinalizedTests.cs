using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.SlotAnalyzer, TrefGuard.CodeFixes.SlotNeverFinalizedFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0011: a slot field that every constructor initializes and that its owner's Dispose never finalizes.</summary>
public sealed class TG0011SlotNeverFinalizedTests
{
    [Fact]
    public Task ProcInodeWithoutDispose()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class ProcInode
            {
                private TaskRef? {|#0:_pid|};

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_pid", "ProcInode").WithSeverity(DiagnosticSeverity.Info));

    [Fact]
    public Task TtyDisposeForgetsTheProcessGroup()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? {|#0:_pgrp|};

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

                public void Dispose() => Tref.Fini(ref _session);
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_pgrp", "Tty"));

    [Fact]
    public Task FileOwnerNeverReleasedOnClose()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            /// <summary>The RFC's file owner: set by F_SETOWN, never released when the file closed.</summary>
            sealed class FileOwner : IDisposable
            {
                private TaskRef? {|#0:_owner|};
                private bool _closed;

                public FileOwner() => Tref.Init(ref _owner);

                public void SetOwn(TaskTable table, int pid)
                    => Tref.Set(ref _owner, Tref.GetByPid(table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid));

                public void Dispose() => _closed = true;

                public bool Closed => _closed;
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_owner", "FileOwner"));

    [Fact]
    public Task DisposeBoolPatternWithoutFini()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class Proc : IDisposable
            {
                private TaskRef? {|#0:_pid|};

                public Proc() => Tref.Init(ref _pid);

                protected virtual void Dispose(bool disposing)
                {
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_pid", "Proc"));

    [Fact]
    public Task FiniOnlyInAMethodDisposeNeverCalls()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Proc : IDisposable
            {
                private TaskRef? {|#0:_pid|};
                private TaskRef? _pgrp;

                public Proc()
                {
                    Tref.Init(ref _pid);
                    Tref.Init(ref _pgrp);
                }

                public void Detach() => Tref.Fini(ref _pid);

                private void Release() => Tref.Fini(ref _pgrp);

                public void Dispose() => Release();
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_pid", "Proc"));

    [Fact]
    public Task RecordStructAndGenericOwners()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed record Job
            {
                private TaskRef? {|#0:_leader|};

                public Job() => Tref.Init(ref _leader);

                public void Start(TaskStruct leader) => Tref.Set(ref _leader, Tref.GetByTask(leader, PidType.Pgid));
            }

            struct Handle
            {
                private TaskRef? {|#1:_pid|};

                public Handle(TaskStruct task)
                {
                    Tref.Init(ref _pid);
                    Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
                }
            }

            sealed class Tagged<T>
            {
                private TaskRef? {|#2:_pid|};

                public Tagged(T tag)
                {
                    Tag = tag;
                    Tref.Init(ref _pid);
                }

                public T Tag { get; }
            }
            """,
            Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_leader", "Job"),
            Verify.Diagnostic("TG0011").WithLocation(1).WithArguments("_pid", "Handle"),
            Verify.Diagnostic("TG0011").WithLocation(2).WithArguments("_pid", "Tagged"));

    [Fact]
    public Task ChainedConstructorsAndHelperInitialization()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class Session
            {
                private TaskRef? {|#0:_sid|};
                private TaskRef? {|#1:_pgrp|};

                public Session() => InitSlots();

                public Session(TaskStruct leader) : this()
                {
                    Tref.Set(ref _sid, Tref.GetByTask(leader, PidType.Sid));
                }

                private void InitSlots()
                {
                    Tref.Init(ref _sid);
                    Tref.Init(ref _pgrp);
                }
            }
            """,
            Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_sid", "Session"),
            Verify.Diagnostic("TG0011").WithLocation(1).WithArguments("_pgrp", "Session"));

    [Fact]
    public Task PartialClassDisposeInAnotherFile()
    {
        var test = new Verify.Test();
        test.Sources.Add(("Proc.cs", """
            using TrefGuard;

            partial class Proc
            {
                private TaskRef? {|#0:_pid|};
                private TaskRef? _tgid;

                public Proc()
                {
                    Tref.Init(ref _pid);
                    Tref.Init(ref _tgid);
                }
            }
            """));
        test.Sources.Add(("Proc.Dispose.cs", """
            using System;
            using TrefGuard;

            partial class Proc : IDisposable
            {
                public void Dispose() => Tref.Fini(ref _tgid);
            }
            """));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_pid", "Proc"));
        return test.RunAsync();
    }

    [Fact]
    public Task UserSlotApi()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard.Annotations;

            sealed class Lease
            {
                public static readonly Lease Empty = new();
            }

            static class Leases
            {
                public static void Open([InitializesSlot] ref Lease? slot) => slot = Lease.Empty;

                public static void Close([FinalizesSlot] ref Lease? slot) => slot = null;
            }

            sealed class Pool
            {
                private Lease? {|#0:_current|};

                public Pool() => Leases.Open(ref _current);

                public void Shutdown() => Leases.Close(ref _current);
            }
            """, Verify.Diagnostic("TG0011").WithLocation(0).WithArguments("_current", "Pool"));

    [Fact]
    public Task Negative_ProcInodeFinalizedInDispose()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public void Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Negative_DisposeBoolAndHelperCalledFromDispose()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            class Tty : IDisposable
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                private void ReleaseGroup() => Tref.Fini(ref _pgrp);

                protected virtual void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        Tref.Fini(ref _session);
                        ReleaseGroup();
                    }
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """);

    [Fact]
    public Task Negative_FinalizerDisposeAsyncAndExplicitInterface()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using TrefGuard;

            sealed class A
            {
                private TaskRef? _pid;

                public A() => Tref.Init(ref _pid);

                ~A() => Tref.Fini(ref _pid);
            }

            sealed class B : IAsyncDisposable
            {
                private TaskRef? _pid;

                public B() => Tref.Init(ref _pid);

                public async ValueTask DisposeAsync()
                {
                    await Task.Yield();
                    Tref.Fini(ref _pid);
                }
            }

            sealed class C : IDisposable
            {
                private TaskRef? _pid;

                public C() => Tref.Init(ref _pid);

                void IDisposable.Dispose() => Tref.Fini(ref _pid);
            }
            """);

    [Fact]
    public Task Negative_FiniInALocalFunctionOrLambdaOfDispose()
        => Verify.VerifyAnalyzerAsync("""
            using System;
            using TrefGuard;

            sealed class Proc : IDisposable
            {
                private TaskRef? _pid;
                private TaskRef? _tgid;

                public Proc()
                {
                    Tref.Init(ref _pid);
                    Tref.Init(ref _tgid);
                }

                public void Dispose()
                {
                    Release();
                    Action release = () => Tref.Fini(ref _tgid);
                    release();

                    void Release() => Tref.Fini(ref _pid);
                }
            }
            """);

    [Fact]
    public Task Negative_StaticSlotLivesAsLongAsTheProcess()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_pid;

                static SpawnConsole() => Tref.Init(ref s_pid);

                public static void Register(TaskStruct current) => Tref.Set(ref s_pid, Tref.GetByTask(current, PidType.Pid));
            }
            """);

    [Fact]
    public Task Negative_NotInitializedByConstruction()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class Watcher
            {
                private TaskRef? _watched;
                private TaskRef? _other;

                public Watcher(bool watch)
                {
                    if (watch)
                    {
                        Tref.Init(ref _other);
                    }
                }

                public void Watch(TaskStruct task)
                {
                    if (_watched is null)
                    {
                        Tref.Init(ref _watched);
                    }

                    Tref.Set(ref _watched, Tref.GetByTask(task, PidType.Tgid));
                }
            }
            """);

    [Fact]
    public Task Negative_NotASlotField()
        => Verify.VerifyAnalyzerAsync("""
            using TrefGuard;

            sealed class Holder
            {
                private TaskRef? _borrowed;

                public Holder(TaskRef borrowed) => _borrowed = borrowed;

                public bool IsAlive => _borrowed?.IsAlive ?? false;
            }
            """);

    // ---- Code fix --------------------------------------------------------------------------------------------------

    [Fact]
    public Task Fix_CreatesDisposeAndImplementsIDisposable()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode
            {
                private TaskRef? [|_pid|];

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _pid;

                public ProcInode() => Tref.Init(ref _pid);

                public void Bind(TaskStruct task) => Tref.Set(ref _pid, Tref.GetByTask(task, PidType.Pid));

                public void Dispose()
                {
                    Tref.Fini(ref _pid);
                }
            }
            """);

    [Fact]
    public Task Fix_AddsUsingSystemAndKeepsTheBaseClass()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            class Device
            {
            }

            sealed class Tty : Device
            {
                private TaskRef? [|_session|];
                private TaskRef? [|_pgrp|];

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
            }
            """, """
            using System;
            using TrefGuard;

            class Device
            {
            }

            sealed class Tty : Device, IDisposable
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
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
                }
            }
            """);

    [Fact]
    public Task Fix_ExistingDisposeBeforeSuppressFinalize()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private TaskRef? [|_owner|];
                private bool _closed;

                public FileOwner() => Tref.Init(ref _owner);

                public bool Closed => _closed;

                public void Dispose()
                {
                    _closed = true;
                    GC.SuppressFinalize(this);
                }
            }
            """, """
            using System;
            using TrefGuard;

            sealed class FileOwner : IDisposable
            {
                private TaskRef? _owner;
                private bool _closed;

                public FileOwner() => Tref.Init(ref _owner);

                public bool Closed => _closed;

                public void Dispose()
                {
                    _closed = true;
                    Tref.Fini(ref _owner);
                    GC.SuppressFinalize(this);
                }
            }
            """);

    [Fact]
    public Task Fix_InsideIfDisposingOfDisposeBool()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            class Proc : IDisposable
            {
                private TaskRef? [|_pid|];
                private bool _disposed;

                public Proc() => Tref.Init(ref _pid);

                protected virtual void Dispose(bool disposing)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    if (disposing)
                    {
                        Console.WriteLine("disposing");
                    }

                    _disposed = true;
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """, """
            using System;
            using TrefGuard;

            class Proc : IDisposable
            {
                private TaskRef? _pid;
                private bool _disposed;

                public Proc() => Tref.Init(ref _pid);

                protected virtual void Dispose(bool disposing)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    if (disposing)
                    {
                        Console.WriteLine("disposing");
                        Tref.Fini(ref _pid);
                    }

                    _disposed = true;
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }
            """);

    [Fact]
    public Task Fix_OverridesTheBaseClassDisposeBool()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            class Device : IDisposable
            {
                protected virtual void Dispose(bool disposing)
                {
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }

            sealed class Tty : Device
            {
                private TaskRef? [|_session|];

                public Tty() => Tref.Init(ref _session);
            }
            """, """
            using System;
            using TrefGuard;

            class Device : IDisposable
            {
                protected virtual void Dispose(bool disposing)
                {
                }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }
            }

            sealed class Tty : Device
            {
                private TaskRef? _session;

                public Tty() => Tref.Init(ref _session);

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        Tref.Fini(ref _session);
                    }

                    base.Dispose(disposing);
                }
            }
            """);

    [Fact]
    public Task Fix_OverridesAVirtualDispose()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            class Device : IDisposable
            {
                public virtual void Dispose()
                {
                }
            }

            sealed class Tty : Device
            {
                private TaskRef? [|_session|];

                public Tty() => Tref.Init(ref _session);
            }
            """, """
            using System;
            using TrefGuard;

            class Device : IDisposable
            {
                public virtual void Dispose()
                {
                }
            }

            sealed class Tty : Device
            {
                private TaskRef? _session;

                public Tty() => Tref.Init(ref _session);

                public override void Dispose()
                {
                    Tref.Fini(ref _session);
                    base.Dispose();
                }
            }
            """);

    [Fact]
    public Task Fix_ExpressionBodiedDisposeAndGenericOwner()
        => Verify.VerifyFixAsync("""
            using System;
            using System.IO;
            using TrefGuard;

            sealed class Tagged<T> : IDisposable where T : Stream
            {
                private readonly T _stream;
                private TaskRef? [|_pid|];

                public Tagged(T stream)
                {
                    _stream = stream;
                    Tref.Init(ref _pid);
                }

                public void Dispose() => _stream.Dispose();
            }
            """, """
            using System;
            using System.IO;
            using TrefGuard;

            sealed class Tagged<T> : IDisposable where T : Stream
            {
                private readonly T _stream;
                private TaskRef? _pid;

                public Tagged(T stream)
                {
                    _stream = stream;
                    Tref.Init(ref _pid);
                }

                public void Dispose()
                {
                    _stream.Dispose();
                    Tref.Fini(ref _pid);
                }
            }
            """);

    [Fact]
    public Task Fix_DisposeAsyncBeforeItsReturn()
        => Verify.VerifyFixAsync("""
            using System;
            using System.Threading.Tasks;
            using TrefGuard;

            sealed class Proc : IAsyncDisposable
            {
                private TaskRef? [|_pid|];

                public Proc() => Tref.Init(ref _pid);

                public ValueTask DisposeAsync()
                {
                    Console.WriteLine("closing");
                    return ValueTask.CompletedTask;
                }
            }
            """, """
            using System;
            using System.Threading.Tasks;
            using TrefGuard;

            sealed class Proc : IAsyncDisposable
            {
                private TaskRef? _pid;

                public Proc() => Tref.Init(ref _pid);

                public ValueTask DisposeAsync()
                {
                    Console.WriteLine("closing");
                    Tref.Fini(ref _pid);
                    return ValueTask.CompletedTask;
                }
            }
            """);

    [Fact]
    public Task Fix_PartialClassDisposeInAnotherFile()
    {
        var test = new Verify.Test();
        test.Sources.Add(("Proc.cs", """
            using TrefGuard;

            partial class Proc
            {
                private TaskRef? [|_pid|];
                private TaskRef? _tgid;

                public Proc()
                {
                    Tref.Init(ref _pid);
                    Tref.Init(ref _tgid);
                }
            }
            """));
        test.Sources.Add(("Proc.Dispose.cs", """
            using System;
            using TrefGuard;

            partial class Proc : IDisposable
            {
                public void Dispose()
                {
                    Tref.Fini(ref _tgid);
                }
            }
            """));
        test.FixedSources.Add(("Proc.cs", """
            using TrefGuard;

            partial class Proc
            {
                private TaskRef? _pid;
                private TaskRef? _tgid;

                public Proc()
                {
                    Tref.Init(ref _pid);
                    Tref.Init(ref _tgid);
                }
            }
            """));
        test.FixedSources.Add(("Proc.Dispose.cs", """
            using System;
            using TrefGuard;

            partial class Proc : IDisposable
            {
                public void Dispose()
                {
                    Tref.Fini(ref _tgid);
                    Tref.Fini(ref _pid);
                }
            }
            """));
        test.CodeActionEquivalenceKey = SlotNeverFinalizedFixer.FiniInDisposeKey;
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_NotOfferedOverANonVirtualBaseDispose()
        => new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Device : IDisposable
                {
                    public void Dispose()
                    {
                    }
                }

                sealed class Tty : Device
                {
                    private TaskRef? [|_session|];

                    public Tty() => Tref.Init(ref _session);
                }
                """,
            FixedCode = """
                using System;
                using TrefGuard;

                class Device : IDisposable
                {
                    public void Dispose()
                    {
                    }
                }

                sealed class Tty : Device
                {
                    private TaskRef? [|_session|];

                    public Tty() => Tref.Init(ref _session);
                }
                """,
        }.RunAsync();
}
