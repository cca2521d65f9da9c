using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.LeakOnExceptionFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0010: an owned reference that leaks only when an exception is thrown.</summary>
public sealed class TG0010LeakOnExceptionTests
{
    [Fact]
    public async Task CallBetweenGetAndPut_IsReported_AndWrappedInTryFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Show(TaskStruct task)
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        Console.WriteLine(r.Nr);
                        r.Put();
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("r", "call to 'WriteLine'", 9) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Ps
                {
                    static void Show(TaskStruct task)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        try
                        {
                            Console.WriteLine(r.Nr);
                        }
                        finally
                        {
                            r.Put();
                        }
                    }
                }
                """,
            CodeActionEquivalenceKey = LeakOnExceptionFixer.ReleaseInFinallyKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ProcReaderWithNullGuard_TryStartsAfterTheGuard()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Text;
                using TrefGuard;

                class ProcFile
                {
                    const int ESRCH = -3;

                    static int ReadCmdline(TaskRef r, StringBuilder output)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task == null)
                            return ESRCH;
                        output.Append(task.Name);
                        task.Put();
                        return output.Length;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("task", "call to 'Append'", 13) },
            FixedCode = """
                using System.Text;
                using TrefGuard;

                class ProcFile
                {
                    const int ESRCH = -3;

                    static int ReadCmdline(TaskRef r, StringBuilder output)
                    {
                        var task = r.GetTask();
                        if (task == null)
                            return ESRCH;
                        try
                        {
                            output.Append(task.Name);
                            return output.Length;
                        }
                        finally
                        {
                            task.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task PutOnEveryPath_AllMoveIntoTheFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Text;
                using TrefGuard;

                class ProcFile
                {
                    static int Read(TaskRef r, StringBuilder output, int limit)
                    {
                        var {|#0:task = r.GetTask()|};
                        if (task is null)
                            return -3;
                        if (limit < task.Name.Length)
                        {
                            task.Put();
                            return -22;
                        }

                        output.Append(task.Name);
                        task.Put();
                        return 0;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("task", "call to 'Append'", 17) },
            FixedCode = """
                using System.Text;
                using TrefGuard;

                class ProcFile
                {
                    static int Read(TaskRef r, StringBuilder output, int limit)
                    {
                        var task = r.GetTask();
                        if (task is null)
                            return -3;
                        try
                        {
                            if (limit < task.Name.Length)
                            {
                                return -22;
                            }

                            output.Append(task.Name);
                            return 0;
                        }
                        finally
                        {
                            task.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task AwaitWhileOwned_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<int> NrLaterAsync(TaskStruct task)
                    {
                        var {|#0:pinned = task.Get()|};
                        await Task.Yield();
                        var pid = pinned.Pid;
                        pinned.Put();
                        return pid;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("pinned", "call to 'Yield'", 9) },
            FixedCode = """
                using System.Threading.Tasks;
                using TrefGuard;

                class Watcher
                {
                    static async Task<int> NrLaterAsync(TaskStruct task)
                    {
                        var pinned = task.Get();
                        try
                        {
                            await Task.Yield();
                            var pid = pinned.Pid;
                            return pid;
                        }
                        finally
                        {
                            pinned.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ThrowStatementWhileOwned_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Signals
                {
                    static void Send(TaskTable table, int pid, int signal)
                    {
                        var {|#0:r = Tref.GetByPid(table, pid, PidType.Pid)|};
                        if (signal <= 0)
                            throw new ArgumentOutOfRangeException(nameof(signal));
                        r.Put();
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("r", "creation of 'ArgumentOutOfRangeException'", 10) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Signals
                {
                    static void Send(TaskTable table, int pid, int signal)
                    {
                        var r = Tref.GetByPid(table, pid, PidType.Pid);
                        try
                        {
                            if (signal <= 0)
                                throw new ArgumentOutOfRangeException(nameof(signal));
                        }
                        finally
                        {
                            r.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task KillBetweenGetAndPut_IsReported_AndFixed()
    {
        await new Verify.Test
        {
            TestCode = """
                using TrefGuard;

                class Keyboard
                {
                    static int Signal(TaskTable table, int pgid)
                    {
                        var {|#0:group = Tref.GetByPid(table, pgid, PidType.Pgid)|};
                        var sent = Tref.Kill(group, 2);
                        group.Put();
                        return sent;
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("group", "call to 'Kill'", 8) },
            FixedCode = """
                using TrefGuard;

                class Keyboard
                {
                    static int Signal(TaskTable table, int pgid)
                    {
                        var group = Tref.GetByPid(table, pgid, PidType.Pgid);
                        try
                        {
                            var sent = Tref.Kill(group, 2);
                            return sent;
                        }
                        finally
                        {
                            group.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task LeaseUsedByACall_IsReturnedInFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using Handles;

                class Io
                {
                    static void Fill(LeasePool pool, byte value)
                    {
                        var {|#0:lease = pool.Rent(32)|};
                        Array.Fill(lease.Buffer, value);
                        pool.Return(lease);
                    }
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("lease", "call to 'Fill'", 9) },
            FixedCode = """
                using System;
                using Handles;

                class Io
                {
                    static void Fill(LeasePool pool, byte value)
                    {
                        var lease = pool.Rent(32);
                        try
                        {
                            Array.Fill(lease.Buffer, value);
                        }
                        finally
                        {
                            pool.Return(lease);
                        }
                    }
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task SafeHandleStyle_IsReleasedInFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using Handles;

                class Native
                {
                    static long Read(NativeHandle handle)
                    {
                        var {|#0:added = handle.DangerousAddRef()|};
                        var value = Peek(added.DangerousGetHandle());
                        added.DangerousRelease();
                        return value;
                    }

                    static long Peek(nint address) => address;
                }
                """ + OwnershipHandles.Source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("added", "call to 'DangerousGetHandle'", 8) },
            FixedCode = """
                using Handles;

                class Native
                {
                    static long Read(NativeHandle handle)
                    {
                        var added = handle.DangerousAddRef();
                        try
                        {
                            var value = Peek(added.DangerousGetHandle());
                            return value;
                        }
                        finally
                        {
                            added.DangerousRelease();
                        }
                    }

                    static long Peek(nint address) => address;
                }
                """ + OwnershipHandles.Source,
        }.RunAsync();
    }

    [Fact]
    public async Task MaybeNullWithoutGuard_ReleasesWithConditionalAccessInFinally()
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
                        var {|#0:task = r.GetTask()|};
                        if (task != null)
                        {
                            Console.WriteLine(task.Name);
                            task.Put();
                        }
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("task", "call to 'WriteLine'", 11) },
            FixedCode = """
                using System;
                using TrefGuard;

                class Proc
                {
                    static void Show(TaskRef r)
                    {
                        var task = r.GetTask();
                        try
                        {
                            if (task != null)
                            {
                                Console.WriteLine(task.Name);
                            }
                        }
                        finally
                        {
                            task?.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task CatchThatSwallowsAndReturns_IsReported_AndWrapped()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using System.IO;
                using TrefGuard;

                class Log
                {
                    static void Write(TaskStruct task, TextWriter writer)
                    {
                        var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                        try
                        {
                            writer.WriteLine(r.Nr);
                        }
                        catch (IOException)
                        {
                            return;
                        }

                        r.Put();
                    }
                }
                """,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("r", "call to 'WriteLine'", 12) },
            FixedCode = """
                using System;
                using System.IO;
                using TrefGuard;

                class Log
                {
                    static void Write(TaskStruct task, TextWriter writer)
                    {
                        var r = Tref.GetByTask(task, PidType.Pid);
                        try
                        {
                            try
                            {
                                writer.WriteLine(r.Nr);
                            }
                            catch (IOException)
                            {
                                return;
                            }
                        }
                        finally
                        {
                            r.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task SeveralReferences_AreEachWrapped()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Show(TaskStruct leader)
                    {
                        var {|#0:session = Tref.GetByTask(leader, PidType.Sid)|};
                        Console.WriteLine(session.Nr);
                        var {|#1:group = Tref.GetByTask(leader, PidType.Pgid)|};
                        Console.WriteLine(group.Nr);
                        group.Put();
                        session.Put();
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("session", "call to 'WriteLine'", 9),
                Verify.Diagnostic("TG0010").WithLocation(1).WithArguments("group", "call to 'WriteLine'", 11),
            },
            FixedCode = """
                using System;
                using TrefGuard;

                class Tty
                {
                    static void Show(TaskStruct leader)
                    {
                        var session = Tref.GetByTask(leader, PidType.Sid);
                        try
                        {
                            Console.WriteLine(session.Nr);
                            var group = Tref.GetByTask(leader, PidType.Pgid);
                            try
                            {
                                Console.WriteLine(group.Nr);
                            }
                            finally
                            {
                                group.Put();
                            }
                        }
                        finally
                        {
                            session.Put();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task ReturnedOnOnePath_IsReported_ButNotWrapped()
    {
        // A finally would release the reference the caller now owns.
        const string source = """
            using TrefGuard;

            class Refs
            {
                static TaskRef? PinIfAlive(TaskStruct task)
                {
                    var {|#0:r = Tref.GetByTask(task, PidType.Pid)|};
                    if (Check(r))
                        return r;
                    r.Put();
                    return null;
                }

                static bool Check(TaskRef r) => r.IsAlive;
            }
            """;
        await new Verify.Test
        {
            TestCode = source,
            FixedCode = source,
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("r", "call to 'Check'", 8) },
            FixedExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("r", "call to 'Check'", 8) },
        }.RunAsync();
    }

    [Fact]
    public async Task TakingALockWhileOwned_NamesTheLocksEnter()
    {
        // `lock` is a try/finally around Monitor.Enter/Exit: what escapes Enter is blamed on Enter, not on the Exit
        // that the unwinding runs.
        await Verify.VerifyAnalyzerAsync(
            """
            using TrefGuard;

            sealed class FileOwner
            {
                private readonly object _lock = new();
                private TaskRef? _ref;

                public FileOwner() => Tref.Init(ref _ref);

                public void SetOwn(TaskTable table, int pid)
                {
                    var {|#0:owner = Tref.GetByPid(table, pid, PidType.Pid)|};
                    lock (_lock)
                    {
                        Tref.Set(ref _ref, owner);
                    }
                }

                public void Close() => Tref.Fini(ref _ref);
            }
            """,
            Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("owner", "call to 'Enter'", 13));
    }

    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["AlreadyInTryFinally"] = """
            using System;
            using TrefGuard;

            class Ps
            {
                static void Show(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    try
                    {
                        Console.WriteLine(r.Nr);
                    }
                    finally
                    {
                        r.Put();
                    }
                }
            }
            """,
        ["NullableLoweringCannotThrow"] = """
            using TrefGuard;

            class Proc
            {
                static bool Zombie(TaskRef r)
                {
                    var task = r.GetTask();
                    var zombie = task?.HasExited ?? false;
                    task?.Put();
                    return zombie;
                }
            }
            """,
        ["ExhaustiveSwitchExpression"] = """
            using TrefGuard;

            class Ps
            {
                static int Nr(TaskStruct task, int k)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    var n = k switch
                    {
                        0 => r.Nr,
                        _ => -1,
                    };
                    r.Put();
                    return n;
                }
            }
            """,
        ["NothingCanThrowWhileOwned"] = """
            using TrefGuard;

            class Ps
            {
                static int Nr(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    var nr = r.Nr;
                    var alive = r.IsAlive;
                    r.Put();
                    return alive ? nr : 0;
                }
            }
            """,
        ["CatchAllReleasesAndRethrows"] = """
            using System;
            using TrefGuard;

            class Ps
            {
                static void Show(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    try
                    {
                        Console.WriteLine(r.Nr);
                    }
                    catch
                    {
                        r.Put();
                        throw;
                    }

                    r.Put();
                }
            }
            """,
        ["TransferredImmediately"] = """
            using TrefGuard;

            sealed class Owner
            {
                private TaskRef? _ref;

                public Owner() => Tref.Init(ref _ref);

                public void Set(TaskStruct task) => Tref.Set(ref _ref, Tref.GetByTask(task, PidType.Pid));

                public void Close() => Tref.Fini(ref _ref);
            }
            """,
        ["ReleasedBeforeTheThrowingCall"] = """
            using System;
            using TrefGuard;

            class Ps
            {
                static void Show(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    var nr = r.Nr;
                    r.Put();
                    Console.WriteLine(nr);
                }
            }
            """,
        ["NullOnTheThrowingPath"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static string Name(TaskRef r)
                {
                    var task = r.GetTask();
                    if (task is null)
                        throw new InvalidOperationException("no such process");
                    var name = task.Name;
                    task.Put();
                    return name;
                }
            }
            """,
        ["OwnedByADisposableWrapper"] = """
            using System;
            using TrefGuard;

            sealed class Pin : IDisposable
            {
                private readonly TaskStruct _task;

                public Pin(TaskStruct task) => _task = task;

                public string Name => _task.Name;

                public void Dispose() => _task.Put();
            }

            class Proc
            {
                static void Show(TaskStruct task)
                {
                    using var pin = new Pin(task.Get());
                    Console.WriteLine(pin.Name);
                }
            }
            """,
        ["MissedPutIsReportedInsteadOfTheExceptionPath"] = """
            using System;
            using TrefGuard;

            class Ps
            {
                static void Show(TaskStruct task, bool quiet)
                {
                    var {|TG0001:r = Tref.GetByTask(task, PidType.Pid)|};
                    Console.WriteLine(r.Nr);
                    if (quiet)
                        return;
                    r.Put();
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
    public async Task ReleasedOnExceptionPathsToo_IsSilent(string name)
    {
        await Verify.VerifyAnalyzerAsync(s_silent[name]);
    }

    [Fact]
    public async Task DangerousAddRefReleasedOnlyOnTheNormalPath_IsReleasedInFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Print(SafeHandle handle)
                    {
                        bool ok = false;
                        {|#0:handle.DangerousAddRef(ref ok)|};
                        Console.WriteLine(handle.DangerousGetHandle());
                        handle.DangerousRelease();
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("handle", "call to 'DangerousGetHandle'", 10) },
            FixedCode = """
                using System;
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Print(SafeHandle handle)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        try
                        {
                            Console.WriteLine(handle.DangerousGetHandle());
                        }
                        finally
                        {
                            handle.DangerousRelease();
                        }
                    }
                }
                """,
        }.RunAsync();
    }
}
