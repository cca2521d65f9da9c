using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.ReturnsUnownedReferenceFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0013: an [AcquiresReference] method must return a reference it owns on every path.</summary>
public sealed class TG0013ReturnsUnownedReferenceTests
{
    [Fact]
    public async Task ExpressionBodyReturningTaskRefNone_IsReported_AndTakesAReference()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                static class Sessions
                {
                    [AcquiresReference]
                    public static TaskRef Detached() => {|#0:TaskRef.None|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Sessions.Detached", 7) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                static class Sessions
                {
                    [AcquiresReference]
                    public static TaskRef Detached() => TaskRef.None.Get();
                }
                """,
            CodeActionEquivalenceKey = ReturnsUnownedReferenceFixer.TakeReferenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturningAField_IsReported_AndTakesAReference()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Tty
                {
                    private TaskRef _session = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Session()
                    {
                        return {|#0:_session|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Tty.Session", 11) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Tty
                {
                    private TaskRef _session = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Session()
                    {
                        return _session.Get();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturningABorrowedParameter_IsReported_AndTakesAReference()
    {
        await Verify.VerifyFixAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Owners
            {
                [AcquiresReference]
                public static TaskRef Share(TaskRef owner) => {|#0:owner|};
            }
            """,
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Owners
            {
                [AcquiresReference]
                public static TaskRef Share(TaskRef owner) => owner.Get();
            }
            """,
            Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Owners.Share", 7));
    }

    [Fact]
    public async Task OnePathReturnsAnAcquisition_AnotherAField_OnlyTheFieldIsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Terminal
                {
                    private TaskRef _foreground = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Foreground(TaskStruct? leader)
                    {
                        if (leader is not null)
                        {
                            return Tref.GetByTask(leader, PidType.Pgid);
                        }

                        return {|#0:_foreground|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Terminal.Foreground", 16) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Terminal
                {
                    private TaskRef _foreground = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Foreground(TaskStruct? leader)
                    {
                        if (leader is not null)
                        {
                            return Tref.GetByTask(leader, PidType.Pgid);
                        }

                        return _foreground.Get();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task LocalHoldingABorrowedValue_IsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Cache
                {
                    private TaskRef _last = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Lookup(TaskTable table, int pid)
                    {
                        var cached = _last;
                        if (cached.Nr == pid && cached.IsAlive)
                        {
                            return {|#0:cached|};
                        }

                        return Tref.GetByPid(table, pid, PidType.Pid);
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Cache.Lookup", 14) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Cache
                {
                    private TaskRef _last = TaskRef.None;

                    [AcquiresReference]
                    public TaskRef Lookup(TaskTable table, int pid)
                    {
                        var cached = _last;
                        if (cached.Nr == pid && cached.IsAlive)
                        {
                            return cached.Get();
                        }

                        return Tref.GetByPid(table, pid, PidType.Pid);
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task MaybeNullTaskField_IsFixedWithConditionalAccess()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Watcher
                {
                    private TaskStruct? _leader;

                    public void Watch(TaskStruct leader) => _leader = leader;

                    [AcquiresReference]
                    public TaskStruct? Leader() => {|#0:_leader|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Watcher.Leader", 11) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Watcher
                {
                    private TaskStruct? _leader;

                    public void Watch(TaskStruct leader) => _leader = leader;

                    [AcquiresReference]
                    public TaskStruct? Leader() => _leader?.Get();
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task TaskStructParameter_IsPinnedWithTaskStructGet()
    {
        await Verify.VerifyFixAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Pins
            {
                [AcquiresReference]
                public static TaskStruct Pin(TaskStruct task)
                {
                    return {|#0:task|};
                }
            }
            """,
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Pins
            {
                [AcquiresReference]
                public static TaskStruct Pin(TaskStruct task)
                {
                    return task.Get();
                }
            }
            """,
            Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Pins.Pin", 9));
    }

    [Fact]
    public async Task PropertyGetter_IsChecked()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Job
                {
                    private readonly TaskRef _group;

                    public Job(TaskStruct leader) => _group = Tref.GetByTask(leader, PidType.Pgid);

                    [AcquiresReference]
                    public TaskRef Group => {|#0:_group|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Job.Group", 11) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Job
                {
                    private readonly TaskRef _group;

                    public Job(TaskStruct leader) => _group = Tref.GetByTask(leader, PidType.Pgid);

                    [AcquiresReference]
                    public TaskRef Group => _group.Get();
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task CoalesceOfBorrowedValues_IsReported_AndParenthesized()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Session
                {
                    private TaskRef? _leader;

                    public void Lead(TaskRef leader) => _leader = leader;

                    [AcquiresReference]
                    public TaskRef Leader() => {|#0:_leader ?? TaskRef.None|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Session.Leader", 11) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Session
                {
                    private TaskRef? _leader;

                    public void Lead(TaskRef leader) => _leader = leader;

                    [AcquiresReference]
                    public TaskRef Leader() => (_leader ?? TaskRef.None).Get();
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task AnnotatedLocalFunction_IsChecked_InAMethodThatTouchesNothingElseAnnotated()
    {
        // The gate before any graph is built must count the local function's own attribute as annotated code.
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Group
            {
                private TaskRef _leader = TaskRef.None;

                public int Count()
                {
                    return 1;

                    [AcquiresReference]
                    TaskRef Leader() => {|#0:_leader|};
                }
            }
            """,
            Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Leader", 13));
    }

    // The gate reads an owner's annotations from its syntax when the declaration has no attribute; these owners have
    // their annotation elsewhere: on the other part of a partial method, and in the annotations file.
    [Fact]
    public async Task PartialMethod_AnnotatedOnTheOtherPart_IsChecked()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            partial class Group
            {
                private readonly TaskRef _leader = TaskRef.None;

                [AcquiresReference]
                public partial TaskRef Leader();

                public partial TaskRef Leader() => {|#0:_leader|};
            }
            """,
            Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Group.Leader", 11));
    }

    [Fact]
    public async Task MethodNamedInTheAnnotationsFile_IsChecked()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                sealed class Group
                {
                    private readonly TaskRef _leader = TaskRef.None;

                    public TaskRef Leader() => {|#0:_leader|};
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", "M:Group.Leader AcquiresReference\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Group.Leader", 7) },
            FixedCode = """
                using TrefGuard;

                sealed class Group
                {
                    private readonly TaskRef _leader = TaskRef.None;

                    public TaskRef Leader() => _leader.Get();
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task AnnotatedLocalFunction_IsChecked_TheEnclosingMethodIsNot()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Group
                {
                    private TaskRef _leader = TaskRef.None;

                    public int Count(TaskTable table)
                    {
                        var r = Leader();
                        var nr = r.Nr;
                        r.Put();
                        return nr;

                        [AcquiresReference]
                        TaskRef Leader() => {|#0:_leader|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Leader", 16) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                sealed class Group
                {
                    private TaskRef _leader = TaskRef.None;

                    public int Count(TaskTable table)
                    {
                        var r = Leader();
                        var nr = r.Nr;
                        r.Put();
                        return nr;

                        [AcquiresReference]
                        TaskRef Leader() => _leader.Get();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task OverrideOfAnAcquiringMethod_KeepsTheContract()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                abstract class Source
                {
                    [AcquiresReference]
                    public abstract TaskRef Open();
                }

                sealed class Fixed : Source
                {
                    private readonly TaskRef _r = TaskRef.None;

                    public override TaskRef Open() => {|#0:_r|};
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Fixed.Open", 14) },
            FixedCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                abstract class Source
                {
                    [AcquiresReference]
                    public abstract TaskRef Open();
                }

                sealed class Fixed : Source
                {
                    private readonly TaskRef _r = TaskRef.None;

                    public override TaskRef Open() => _r.Get();
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task UserHandleWithAnAddRefMethod_IsFixedThroughItsAnnotation()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;
                using TrefGuard.Annotations;

                sealed class Device
                {
                    private readonly NativeHandle _handle = new NativeHandle();

                    [AcquiresReference]
                    public NativeHandle Share() => {|#0:_handle|};
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Device.Share", 9) },
            FixedCode = """
                using Handles;
                using TrefGuard.Annotations;

                sealed class Device
                {
                    private readonly NativeHandle _handle = new NativeHandle();

                    [AcquiresReference]
                    public NativeHandle Share() => _handle.DangerousAddRef();
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task PoolLeaseWithoutAnAcquiringInstanceMethod_IsReported_WithoutAFix()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using Handles;
            using TrefGuard.Annotations;

            sealed class Buffers
            {
                private readonly LeasePool _pool = new LeasePool();
                private Lease? _spare;

                [AcquiresReference]
                public Lease Rent(int size)
                {
                    if (_spare is { } spare && spare.Length >= size)
                    {
                        return {|#0:spare|};
                    }

                    return _pool.Rent(size);
                }
            }
            """ + OwnershipHandles.Source,
            Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Buffers.Rent", 14));
    }

    [Fact]
    public async Task FixAll_AcrossDocuments_TakesEveryReference()
    {
        await new Verify.Test
        {
            Sources =
            {
                ("Sessions.cs", """
                    using TrefGuard;
                    using TrefGuard.Annotations;

                    static class Sessions
                    {
                        [AcquiresReference]
                        public static TaskRef None() => {|#0:TaskRef.None|};

                        [AcquiresReference]
                        public static TaskRef Same(TaskRef r) => [|r|];
                    }
                    """),
                ("Tasks.cs", """
                    using TrefGuard;
                    using TrefGuard.Annotations;

                    sealed class Tasks
                    {
                        private TaskStruct? _current;

                        public void Set(TaskStruct task) => _current = task;

                        [AcquiresReference]
                        public TaskStruct? Current() => {|#1:_current|};
                    }
                    """),
            },
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0013").WithLocation(0).WithArguments("Sessions.None", 7),
                Verify.Diagnostic("TG0013").WithLocation(1).WithArguments("Tasks.Current", 11),
            },
            FixedSources =
            {
                ("Sessions.cs", """
                    using TrefGuard;
                    using TrefGuard.Annotations;

                    static class Sessions
                    {
                        [AcquiresReference]
                        public static TaskRef None() => TaskRef.None.Get();

                        [AcquiresReference]
                        public static TaskRef Same(TaskRef r) => r.Get();
                    }
                    """),
                ("Tasks.cs", """
                    using TrefGuard;
                    using TrefGuard.Annotations;

                    sealed class Tasks
                    {
                        private TaskStruct? _current;

                        public void Set(TaskStruct task) => _current = task;

                        [AcquiresReference]
                        public TaskStruct? Current() => _current?.Get();
                    }
                    """),
            },
        }.RunAsync();
    }

    [Fact]
    public async Task ReleasedThenReturned_IsUseAfterPut_NotTG0013()
    {
        // One mistake, one diagnostic: TG0005 already names the release.
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Lookups
            {
                [AcquiresReference]
                public static TaskRef Find(TaskTable table, int pid)
                {
                    var r = Tref.GetByPid(table, pid, PidType.Pid);
                    r.Put();
                    return {|#0:r|};
                }
            }
            """,
            Verify.Diagnostic("TG0005").WithLocation(0).WithArguments("r", 10));
    }

    [Fact]
    public async Task SeverityNoneInEditorConfig_SilencesTheRule()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;
                using TrefGuard.Annotations;

                static class Sessions
                {
                    [AcquiresReference]
                    public static TaskRef Detached() => TaskRef.None;
                }
                """,
            AnalyzerConfig = "root = true\n[*.cs]\ndotnet_diagnostic.TG0013.severity = none",
        }.RunAsync();
    }

    [Fact]
    public async Task PragmaAndSuppressMessage_SilenceTheRule()
    {
        await Verify.VerifyAnalyzerAsync(
            """
            using System.Diagnostics.CodeAnalysis;
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Init
            {
                private static readonly TaskRef s_init = TaskRef.None;

                [AcquiresReference]
            #pragma warning disable TG0013 // the init tref is pinned for the process lifetime
                public static TaskRef Pinned() => s_init;
            #pragma warning restore TG0013

                [AcquiresReference]
                [SuppressMessage("Ownership", "TG0013:An [AcquiresReference] method returns a reference it does not own", Justification = "pinned for the process lifetime")]
                public static TaskRef Also() => s_init;
            }
            """);
    }

    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["TransferredParameterIsOwned"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Relay
            {
                [AcquiresReference]
                public static TaskRef Pass([TransfersOwnership] TaskRef r) => r;
            }
            """,
        ["GetOfAFieldOrParameter"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Tty
            {
                private TaskRef _session = TaskRef.None;

                [AcquiresReference]
                public TaskRef Session() => _session.Get();

                [AcquiresReference]
                public static TaskRef Share(TaskRef r) => r.Get();

                [AcquiresReference]
                public static TaskStruct Pin(TaskStruct task) => task.Get();
            }
            """,
        ["LocalFromAnAcquisition"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Lookups
            {
                [AcquiresReference]
                public static TaskRef Find(TaskTable table, int pid, bool group)
                {
                    TaskRef r;
                    if (group)
                    {
                        r = Tref.GetByPid(table, pid, PidType.Pgid);
                    }
                    else
                    {
                        r = Tref.GetByPid(table, pid, PidType.Pid);
                    }

                    return r;
                }
            }
            """,
        ["NullOrDefaultMeansNothingAcquired"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            static class Lookups
            {
                [AcquiresReference]
                public static TaskStruct? Pin(TaskRef r, bool dry)
                {
                    if (dry)
                    {
                        return null;
                    }

                    return r.GetTask();
                }

                [AcquiresReference]
                public static TaskStruct? Nothing() => default;
            }
            """,
        ["LambdasInsideReturnWhatTheyLike"] = """
            using System;
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Group
            {
                private TaskRef _leader = TaskRef.None;

                [AcquiresReference]
                public TaskRef Leader()
                {
                    Func<TaskRef> peek = () => _leader;
                    Func<TaskRef, TaskRef> same = r => { return r; };
                    return same(peek()).Get();
                }
            }
            """,
        ["AsyncAndIteratorMethodsAreNotChecked"] = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Streams
            {
                private TaskRef _r = TaskRef.None;

                [AcquiresReference]
                public async Task<TaskRef> LaterAsync()
                {
                    await Task.Yield();
                    return _r;
                }

                [AcquiresReference]
                public IEnumerable<TaskRef> All()
                {
                    yield return _r.Get();
                }
            }
            """,
        ["HandCountedImplementationsOfAnAcquisition"] = """
            using System.Threading;
            using TrefGuard.Annotations;

            public sealed class Conn
            {
                internal int Refs;

                [AcquiresReference]
                public Conn AddRef()
                {
                    Interlocked.Increment(ref Refs);
                    return this;
                }
            }

            public sealed class Pool
            {
                private readonly Conn _shared = new Conn();
                private readonly Conn[] _slots = { new Conn() };

                [AcquiresReference]
                public Conn Shared()
                {
                    Interlocked.Increment(ref _shared.Refs);
                    return _shared;
                }

                [AcquiresReference]
                public Conn Slot(int i)
                {
                    var conn = _slots[i];
                    conn.Refs++;
                    return conn;
                }
            }
            """,
        ["ResultOfAnUnannotatedCallIsNotJudged"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Registry
            {
                private TaskRef _r = TaskRef.None;

                private TaskRef Counted() => _r.Get();

                [AcquiresReference]
                public TaskRef Next() => Counted();
            }
            """,
        ["OwnedOnOnePathBorrowedOnAnotherThroughOneLocal"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Cache
            {
                private TaskRef _last = TaskRef.None;

                // Not judged: the local may hold an owned reference, and the analysis does not tell paths apart.
                [AcquiresReference]
                public TaskRef Lookup(TaskTable table, int pid)
                {
                    var r = _last;
                    if (r.Nr != pid)
                    {
                        r = Tref.GetByPid(table, pid, PidType.Pid);
                    }

                    return r;
                }
            }
            """,
        ["WrittenThroughOutIsNotJudged"] = """
            using System.Collections.Generic;
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Registry
            {
                private readonly Dictionary<int, TaskRef> _byPid = new();
                private TaskRef _none = TaskRef.None;

                [AcquiresReference]
                public TaskRef Take(int pid)
                {
                    var r = _none;
                    if (_byPid.Remove(pid, out r))
                    {
                        return r;
                    }

                    return TaskRef.None.Get();
                }
            }
            """,
        ["ReferenceMovedOutOfAField"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Owner
            {
                private TaskRef? _owner;

                public void Own([TransfersOwnership] TaskRef owner) => _owner = owner;

                [AcquiresReference]
                public TaskRef? Detach()
                {
                    var owner = _owner;
                    _owner = null;
                    return owner;
                }
            }
            """,
        ["UnannotatedMethodReturningAField"] = """
            using TrefGuard;

            sealed class Tty
            {
                private TaskRef _session = TaskRef.None;

                public TaskRef Peek() => _session;
            }
            """,
        ["NewObjectIsOwnedByItsCreator"] = """
            using Handles;
            using TrefGuard.Annotations;

            static class Factory
            {
                [AcquiresReference]
                public static Lease Fresh() => new Lease();
            }
            """ + OwnershipHandles.Source,
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
    public async Task OwnedOrUnjudgedReturns_AreSilent(string name)
    {
        await Verify.VerifyAnalyzerAsync(s_silent[name]);
    }
}
