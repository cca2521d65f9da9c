using System.Collections.Generic;
using System.Threading.Tasks;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.MissedPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0001 negatives: code that releases or hands on its references, which must stay silent (no rule of the family fires).</summary>
public sealed partial class TG0001MissedPutTests
{
    private static readonly Dictionary<string, string> s_silent = new()
    {
        ["PutOnEveryPathOfASwitch"] = """
            using TrefGuard;

            class Signals
            {
                static int Send(TaskTable table, int pid, int mode)
                {
                    var r = Tref.GetByPid(table, pid, PidType.Pid);
                    switch (mode)
                    {
                        case 0:
                            r.Put();
                            return 0;
                        default:
                            r.Put();
                            return 1;
                    }
                }
            }
            """,
        ["TryFinally"] = """
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
                    finally
                    {
                        task.Put();
                    }
                }
            }
            """,
        ["Returned"] = """
            using TrefGuard;

            class Refs
            {
                static TaskRef Pin(TaskStruct task, bool group)
                {
                    var r = Tref.GetByTask(task, group ? PidType.Pgid : PidType.Pid);
                    return r;
                }

                static TaskRef PinSession(TaskStruct task) => Tref.GetByTask(task, PidType.Sid);
            }
            """,
        ["ReturnedThroughAFluentCall"] = """
            using TrefGuard;

            static class RefExtensions
            {
                public static TaskRef Traced(this TaskRef r)
                {
                    System.Diagnostics.Debug.WriteLine(r.Nr);
                    return r;
                }
            }

            class Refs
            {
                static TaskRef Pin(TaskStruct task) => Tref.GetByTask(task, PidType.Pid).Traced();
            }
            """,
        ["StoredIntoAFieldACollectionAndAnArray"] = """
            using System.Collections.Generic;
            using TrefGuard;

            class Registry
            {
                private TaskRef? _last;
                private readonly List<TaskRef> _all = new();
                private readonly TaskRef[] _slots = new TaskRef[4];

                void Remember(TaskStruct task)
                {
                    _last = Tref.GetByTask(task, PidType.Pid);
                    _all.Add(Tref.GetByTask(task, PidType.Tgid));
                    var r = Tref.GetByTask(task, PidType.Pgid);
                    _slots[0] = r;
                }
            }
            """,
        ["HandedToAConstructor"] = """
            using System;
            using TrefGuard;

            sealed class Watch : IDisposable
            {
                private readonly TaskRef _ref;

                public Watch(TaskRef r) => _ref = r;

                public void Dispose() => _ref.Put();
            }

            class Watches
            {
                static Watch Start(TaskStruct task) => new Watch(Tref.GetByTask(task, PidType.Pid));
            }
            """,
        ["StoredWithTrefSet"] = """
            using TrefGuard;

            sealed class ProcInode
            {
                private TaskRef? _task;

                public ProcInode() => Tref.Init(ref _task);

                public bool Bind(TaskStruct task)
                {
                    Tref.Set(ref _task, Tref.GetByTask(task, PidType.Pid));
                    return _task is not null && _task.IsAlive;
                }

                public void Destroy() => Tref.Fini(ref _task);
            }
            """,
        ["TransferredToAnAnnotatedParameter"] = """
            using TrefGuard;
            using TrefGuard.Annotations;

            sealed class Mailbox
            {
                private TaskRef? _owner;

                public void Adopt([TransfersOwnership] TaskRef owner)
                {
                    var previous = _owner;
                    _owner = owner;
                    previous?.Put();
                }

                public void Claim(TaskStruct task) => Adopt(Tref.GetByTask(task, PidType.Pid));
            }
            """,
        ["CapturedByALambda"] = """
            using System;
            using TrefGuard;

            class Deferred
            {
                static Action Later(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    return () => r.Put();
                }
            }
            """,
        ["ReleasedByALocalFunction"] = """
            using TrefGuard;

            class Deferred
            {
                static int Nr(TaskStruct task)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    var nr = r.Nr;
                    Release();
                    return nr;

                    void Release() => r.Put();
                }
            }
            """,
        ["NullTestedAndReleasedWithConditionalAccess"] = """
            using System;
            using TrefGuard;

            class Proc
            {
                static string Describe(TaskRef r)
                {
                    var task = r.GetTask();
                    var text = task switch
                    {
                        null => "(gone)",
                        { HasExited: true } => "(zombie)",
                        _ => task.Name,
                    };
                    task?.Put();
                    return text;
                }
            }
            """,
        ["YieldedByAnIterator"] = """
            using System.Collections.Generic;
            using TrefGuard;

            class Walk
            {
                static IEnumerable<TaskRef> Groups(IEnumerable<TaskStruct> tasks)
                {
                    foreach (var task in tasks)
                    {
                        yield return Tref.GetByTask(task, PidType.Pgid);
                    }
                }
            }
            """,
        ["RecordWithPrimaryConstructorOwnsItsReference"] = """
            using System;
            using TrefGuard;

            sealed record Owner(TaskRef Ref, int Signal) : IDisposable
            {
                public void Dispose() => Ref.Put();
            }

            sealed class SpawnConsole(TaskTable table)
            {
                public Owner Arm(int pid, int signal) => new Owner(Tref.GetByPid(table, pid, PidType.Pid), signal);
            }
            """,
        ["VtSpawnConsoleSignal"] = """
            using TrefGuard;

            static class SpawnConsole
            {
                private static TaskRef? s_target;
                private static int s_signal;

                static SpawnConsole() => Tref.Init(ref s_target);

                public static void Ioctl(TaskStruct current, int signal)
                {
                    Tref.Set(ref s_target, Tref.GetByTask(current, PidType.Pid));
                    s_signal = signal;
                }

                public static void Keyboard()
                {
                    if (s_target is not null && Tref.Kill(s_target, s_signal) == 0)
                        Tref.Reset(ref s_target);
                }
            }
            """,
        ["FileOwnerSetOwn"] = """
            using TrefGuard;

            sealed class FileOwner
            {
                private readonly object _lock = new();
                private TaskRef? _ref;
                private int _pid;

                public FileOwner() => Tref.Init(ref _ref);

                public void SetOwn(TaskTable table, int pid)
                {
                    var type = pid < 0 ? PidType.Pgid : PidType.Pid;
                    lock (_lock)
                    {
                        Tref.Set(ref _ref, Tref.GetByPid(table, pid < 0 ? -pid : pid, type));
                        _pid = pid;
                    }
                }

                public int GetOwn() => _ref is { IsAlive: true } ? _pid : 0;

                public void Close() => Tref.Fini(ref _ref);
            }
            """,
        ["ProcReaderThatPutsOnEveryPath"] = """
            using System.Text;
            using TrefGuard;

            class ProcFile
            {
                const int ESRCH = -3;

                static int ReadCmdline(TaskRef r, StringBuilder output, int limit)
                {
                    var task = r.GetTask();
                    if (task is null)
                        return ESRCH;
                    try
                    {
                        if (limit <= 0)
                            return 0;
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
        ["UserHandlesReleasedOnEveryPath"] = """
            using Handles;

            class Io
            {
                static int Copy(LeasePool pool, NativeHandle handle, int id)
                {
                    var lease = pool.Rent(64);
                    try
                    {
                        var raw = handle.DangerousAddRef();
                        try
                        {
                            var entity = Entities.Open(id);
                            try
                            {
                                return lease.Length + (int)raw.DangerousGetHandle() + entity.Generation;
                            }
                            finally
                            {
                                Entities.Close(entity);
                            }
                        }
                        finally
                        {
                            raw.DangerousRelease();
                        }
                    }
                    finally
                    {
                        pool.Return(lease);
                    }
                }
            }
            """ + OwnershipHandles.Source,
        ["StoredWithInterlockedExchange"] = """
            using System.Threading;
            using TrefGuard;

            sealed class Watch
            {
                private TaskRef? _target;

                public void Retarget(TaskStruct task)
                {
                    var previous = Interlocked.Exchange(ref _target, Tref.GetByTask(task, PidType.Pid));
                    previous?.Put();
                }
            }
            """,
        ["StoredWithCoalesceAssignment"] = """
            using TrefGuard;

            sealed class Lazy
            {
                private TaskRef? _init;

                public TaskRef Init(TaskTable table) => _init ??= Tref.GetByPid(table, 1, PidType.Pid);
            }
            """,
        ["StoredIntoARecordCopy"] = """
            using TrefGuard;

            sealed record Owner(TaskRef? Ref, int Signal);

            class Owners
            {
                static Owner Retarget(Owner owner, TaskStruct task) => owner with { Ref = Tref.GetByTask(task, PidType.Pid) };
            }
            """,
        ["PinnedUnderTheReadLockAndPutAfterIt"] = """
            using TrefGuard;

            class Proc
            {
                static int Pid(TaskTable table, TaskRef r)
                {
                    TaskStruct? pinned;
                    using (var guard = table.ReadLock())
                    {
                        pinned = guard.TaskOf(r)?.Get();
                    }

                    if (pinned is null)
                        return 0;
                    var pid = pinned.Pid;
                    pinned.Put();
                    return pid;
                }
            }
            """,
        ["AsyncTryFinallyWithAwait"] = """
            using System.Threading.Tasks;
            using TrefGuard;

            class Watcher
            {
                static async Task<int> PidLaterAsync(TaskRef r)
                {
                    var task = r.GetTask();
                    try
                    {
                        await Task.Delay(1);
                        return task?.Pid ?? 0;
                    }
                    finally
                    {
                        task?.Put();
                    }
                }
            }
            """,
        ["SwitchCaseWithGuardAndPatterns"] = """
            using TrefGuard;

            class Proc
            {
                static bool Alive(object o)
                {
                    switch (o)
                    {
                        case TaskRef r when r.IsAlive:
                            var task = r.GetTask();
                            if (task is { HasExited: false } running)
                            {
                                running.Put();
                                return true;
                            }

                            task?.Put();
                            return false;
                        default:
                            return false;
                    }
                }
            }
            """,
        ["LinqLambdasOwnTheirReferences"] = """
            using System.Collections.Generic;
            using System.Linq;
            using TrefGuard;

            class Scan
            {
                static int Alive(IEnumerable<TaskStruct> tasks)
                    => tasks.Select(t => Tref.GetByTask(t, PidType.Pid)).Count(r =>
                    {
                        var alive = r.IsAlive;
                        r.Put();
                        return alive;
                    });
            }
            """,
        ["IdentityCompareIsAPeek"] = """
            using TrefGuard;

            class Proc
            {
                static bool IsCurrent(TaskRef r, TaskStruct current)
                {
                    var task = r.GetTask();
                    var same = task == current;
                    task?.Put();
                    return same;
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
    public async Task OwnershipHandedOnOrReleased_IsSilent(string name)
    {
        await Verify.VerifyAnalyzerAsync(s_silent[name]);
    }
}
