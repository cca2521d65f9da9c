using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.DoublePutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0004: a reference released twice on some path.</summary>
public sealed class TG0004DoublePutTests
{
    private const string NoExceptionPaths = TG0001MissedPutTests.NoExceptionPaths;

    [Fact]
    public async Task SecondPut_IsReported_AndRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        Console.WriteLine(task.Name);
                        task.Put();
                        {|#0:task.Put()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("task", 12) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return;
                        Console.WriteLine(task.Name);
                        task.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = DoublePutFixer.RemoveSecondReleaseKey,
        }.RunAsync();
    }

    [Fact]
    public async Task TwoViewsOfOneReference_IsReported_AndTheSecondRemoved()
    {
        // The later struct-pid bugs: "double puts through two views of one object" (CLIENTS.md).
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Tty
                {
                    static int Swap(TaskStruct leader)
                    {
                        var pgrp = Tref.GetByTask(leader, PidType.Pgid);
                        var session = pgrp;
                        var nr = pgrp.Nr;
                        pgrp.Put();
                        {|#0:session.Put()|};
                        return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("pgrp", 10) },
            FixedCode = """
                using TrefGuard;

                class Tty
                {
                    static int Swap(TaskStruct leader)
                    {
                        var pgrp = Tref.GetByTask(leader, PidType.Pgid);
                        var session = pgrp;
                        var nr = pgrp.Nr;
                        pgrp.Put();
                        return nr;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ConditionalAccessPutTwice_IsReported_AndRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static string? Name(TaskRef r)
                    {
                        var task = r.GetTask();
                        var name = task?.Name;
                        task?.Put();
                        task?{|#0:.Put()|};
                        return name;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("task", 9) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static string? Name(TaskRef r)
                    {
                        var task = r.GetTask();
                        var name = task?.Name;
                        task?.Put();
                        return name;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task PutOnBothBranchesThenAgain_RemovesTheLastOne()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Hangup(TaskStruct session, bool verbose)
                    {
                        var r = Tref.GetByTask(session, PidType.Sid);
                        if (verbose)
                        {
                            Console.WriteLine(r.Nr);
                            r.Put();
                        }
                        else
                        {
                            r.Put();
                        }

                        {|#0:r.Put()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("r", 12) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Hangup(TaskStruct session, bool verbose)
                    {
                        var r = Tref.GetByTask(session, PidType.Sid);
                        if (verbose)
                        {
                            Console.WriteLine(r.Nr);
                            r.Put();
                        }
                        else
                        {
                            r.Put();
                        }
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ConditionalSecondPut_RemovesTheWholeIf()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Proc
                {
                    static void Drop(TaskStruct task, bool again)
                    {
                        var pinned = task.Get();
                        pinned.Put();
                        if (again)
                            {|#0:pinned.Put()|};
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("pinned", 8) },
            FixedCode = """
                using TrefGuard;

                class Proc
                {
                    static void Drop(TaskStruct task, bool again)
                    {
                        var pinned = task.Get();
                        pinned.Put();
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task StaticReleaseTwice_OnAUserHandle_IsReported_AndRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class World
                {
                    static int Touch(int id)
                    {
                        var entity = Entities.Open(id);
                        var generation = entity.Generation;
                        Entities.Close(entity);
                        Entities.Close({|#0:entity|});
                        return generation;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("entity", 9) },
            FixedCode = """
                using Handles;

                class World
                {
                    static int Touch(int id)
                    {
                        var entity = Entities.Open(id);
                        var generation = entity.Generation;
                        Entities.Close(entity);
                        return generation;
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task PoolLeaseReturnedTwice_IsReported_AndRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Io
                {
                    static int Size(LeasePool pool)
                    {
                        var lease = pool.Rent(128);
                        var length = lease.Length;
                        pool.Return(lease);
                        pool.Return({|#0:lease|});
                        return length;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("lease", 9) },
            FixedCode = """
                using Handles;

                class Io
                {
                    static int Size(LeasePool pool)
                    {
                        var lease = pool.Rent(128);
                        var length = lease.Length;
                        pool.Return(lease);
                        return length;
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task SafeHandleStyleReleaseTwice_IsReported_AndRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Native
                {
                    static nint Peek(NativeHandle handle)
                    {
                        var added = handle.DangerousAddRef();
                        var raw = added.DangerousGetHandle();
                        added.DangerousRelease();
                        {|#0:added.DangerousRelease()|};
                        return raw;
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("added", 9) },
            FixedCode = """
                using Handles;

                class Native
                {
                    static nint Peek(NativeHandle handle)
                    {
                        var added = handle.DangerousAddRef();
                        var raw = added.DangerousGetHandle();
                        added.DangerousRelease();
                        return raw;
                    }
                }
                """ + OwnershipHandles.Source,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task SecondPutAfterAwait_InAnAsyncMethod_IsRemoved()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<int> NrAsync(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        var nr = r.Nr;
                        r.Put();
                        await Task.Yield();
                        {|#0:r.Put()|};
                        return nr;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("r", 10) },
            FixedCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<int> NrAsync(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        var nr = r.Nr;
                        r.Put();
                        await Task.Yield();
                        return nr;
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task PutInALoopOfAReferenceTakenOutside_IsReported_ButNotRemoved()
    {
        // The first iteration owns it, later ones release it again: removing the put would leak instead.
        const string source = """
            using TrefGuard;

            class Scan
            {
                static void Kill(TaskStruct task, int times)
                {
                    var r = Tref.GetByTask(task, PidType.Pgid);
                    for (var i = 0; i < times; i++)
                    {
                        Tref.Kill(r, 15);
                        {|#0:r.Put()|};
                    }
                }
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("r", 11),
                Verify.Diagnostic("TG0005").WithSpan(10, 23, 10, 24).WithArguments("r", 11),
                Verify.Diagnostic("TG0001").WithSpan(7, 13, 7, 51).WithArguments("r", "end of the method", 13),
            },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ConditionalPutBeforeReacquiringInALoop_IsALeakNotADoublePut()
    {
        // The reference the first put released is not the one the next iteration (or the last line) puts.
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Scan
                {
                    static void Walk(TaskTable table, int first, int count)
                    {
                        var r = Tref.GetByPid(table, first, PidType.Pid);
                        for (var i = 1; i < count; i++)
                        {
                            if (i % 2 == 0)
                                r.Put();
                            r = Tref.GetByPid(table, first + i, PidType.Pid);
                        }

                        r.Put();
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0001").WithSpan(7, 13, 7, 57).WithArguments("r", "reassignment", 12),
                Verify.Diagnostic("TG0001").WithSpan(12, 17, 12, 61).WithArguments("r", "reassignment", 12),
            },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task ReferencesKeptAcrossIterations_ArePutOnceEach()
    {
        // One acquisition, two live references: the one kept from the last iteration and the one just taken.
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Scan
                {
                    static void Pairs(TaskTable table, int count)
                    {
                        var prev = Tref.GetByPid(table, 0, PidType.Pid);
                        for (var i = 1; i < count; i++)
                        {
                            var cur = Tref.GetByPid(table, i, PidType.Pid);
                            Console.WriteLine(prev.Nr + cur.Nr);
                            prev.Put();
                            prev = cur;
                        }

                        prev.Put();
                    }

                    static void KeepFirst(TaskTable table, int[] nrs)
                    {
                        TaskRef? first = null;
                        foreach (var nr in nrs)
                        {
                            var r = Tref.GetByPid(table, nr, PidType.Pid);
                            if (first is null)
                            {
                                first = r;
                                continue;
                            }

                            r.Put();
                        }

                        first?.Put();
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    [Fact]
    public async Task PutAfterAConditionalPut_IsReported_ButNotRemoved()
    {
        const string source = """
            using TrefGuard;

            class Tty
            {
                static void Release(TaskStruct session, bool early)
                {
                    var r = Tref.GetByTask(session, PidType.Sid);
                    if (early)
                        r.Put();
                    {|#0:r.Put()|};
                }
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("r", 9) },
            FixedExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("r", 9) },
        }.RunAsync();
    }

    [Fact]
    public async Task ProcErrorPathsThatPutTwice_GotoOut_IsReported()
    {
        // The "out (put)" label style: the error path jumps to a label whose put the normal path also reaches.
        await new Verify.Test
        {
            TestCode = """
                using System.Text;
                using TrefGuard;

                class ProcFd
                {
                    static int Read(TaskRef r, StringBuilder output)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return -3;
                        if (task.HasExited)
                            goto out_put;
                        output.Append(task.Name);
                        task.Put();
                    out_put:
                        {|#0:task.Put()|};
                        return output.Length;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("task", 14) },
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }

    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["OnePutOnEachBranch"] = """
            using TrefGuard;

            class Tty
            {
                static void Release(TaskStruct session, bool verbose)
                {
                    var r = Tref.GetByTask(session, PidType.Sid);
                    if (verbose)
                        r.Put();
                    else
                        r.Put();
                }
            }
            """,
        ["PutReacquirePut"] = """
            using TrefGuard;

            class Tty
            {
                static void Follow(TaskStruct a, TaskStruct b)
                {
                    var r = Tref.GetByTask(a, PidType.Pgid);
                    r.Put();
                    r = Tref.GetByTask(b, PidType.Pgid);
                    r.Put();
                }
            }
            """,
        ["AcquireAndPutInEachIteration"] = """
            using TrefGuard;

            class Scan
            {
                static int Alive(TaskStruct[] tasks)
                {
                    var alive = 0;
                    foreach (var task in tasks)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        if (r.IsAlive)
                            alive++;
                        r.Put();
                    }

                    return alive;
                }
            }
            """,
        ["TwoReferencesOnePutEach"] = """
            using TrefGuard;

            class Tty
            {
                static bool Same(TaskStruct a)
                {
                    var pid = Tref.GetByTask(a, PidType.Pid);
                    var pidNr = pid.Nr;
                    pid.Put();
                    var tgid = Tref.GetByTask(a, PidType.Tgid);
                    var same = pidNr == tgid.Nr;
                    tgid.Put();
                    return same;
                }
            }
            """,
        ["ReleasedInCatchAndRethrown"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static void Show(TaskRef r)
                {
                    var task = r.GetTask();
                    if (task is null)
                        return;
                    try
                    {
                        Console.WriteLine(task.Name);
                    }
                    catch
                    {
                        task.Put();
                        throw;
                    }

                    task.Put();
                }
            }
            """,
        ["SetSlotTwiceWithFreshReferences"] = """
            using TrefGuard;

            sealed class Tty
            {
                private TaskRef? _session;
                private TaskRef? _pgrp;

                public Tty()
                {
                    Tref.Init(ref _session);
                    Tref.Init(ref _pgrp);
                }

                public void SetSid(TaskStruct leader)
                {
                    Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
                    Tref.Set(ref _pgrp, Tref.GetByTask(leader, PidType.Pgid));
                }

                public void Close()
                {
                    Tref.Fini(ref _session);
                    Tref.Fini(ref _pgrp);
                }
            }
            """,
        ["NullPathPutsNothing"] = """
            using TrefGuard;

            class Proc
            {
                static bool Alive(TaskRef r)
                {
                    var task = r.GetTask();
                    if (task != null)
                    {
                        var alive = !task.HasExited;
                        task.Put();
                        return alive;
                    }

                    return false;
                }
            }
            """,
        ["PutInFinallyOnly"] = """
            using TrefGuard;

            class Proc
            {
                static int Nr(TaskStruct task)
                {
                    var pinned = task.Get();
                    try
                    {
                        return pinned.Pid;
                    }
                    finally
                    {
                        pinned.Put();
                    }
                }
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
    public async Task OneReleasePerReference_IsSilent(string name)
    {
        await Verify.VerifyAnalyzerAsync(s_silent[name]);
    }

    [Fact]
    public async Task DangerousReleaseTwiceAfterDangerousAddRef_IsReported_AndRemoved()
    {
        // SafeHandle.DangerousAddRef is void: its count is owned through the receiver (shipped external annotations).
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static long Peek(SafeHandle handle)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        var raw = (long)handle.DangerousGetHandle();
                        handle.DangerousRelease();
                        {|#0:handle.DangerousRelease()|};
                        return raw;
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0004").WithLocation(0).WithArguments("handle", 10) },
            FixedCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static long Peek(SafeHandle handle)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        var raw = (long)handle.DangerousGetHandle();
                        handle.DangerousRelease();
                        return raw;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
        }.RunAsync();
    }
}
