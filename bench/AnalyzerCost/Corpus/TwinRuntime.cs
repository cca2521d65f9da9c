namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// The twin corpus's handle library, over <see cref="System.IDisposable"/>: the same operations as TrefGuard's
/// runtime (a table with a read lock, counted handles to a pid's first task, pinned tasks, slots), with Dispose
/// where the runtime has Put. Compiled into its own assembly so that, as for TrefGuard.Runtime, the corpus sees it as
/// metadata.
/// </summary>
public static class TwinRuntime
{
    public const string AssemblyName = "Handles";

    public const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading;

        namespace Handles;

        public enum HandleKind { Pid, Tgid, Pgid, Sid }

        public sealed class TaskInfo
        {
            internal TaskInfo(int pid, string name, TaskInfo? parent)
            {
                Pid = pid;
                Tgid = pid;
                Pgid = parent?.Pgid ?? pid;
                Sid = parent?.Sid ?? pid;
                Name = name;
            }

            public int Pid { get; }
            public int Tgid { get; }
            public int Pgid { get; }
            public int Sid { get; }
            public string Name { get; }
            public bool HasExited { get; internal set; }
        }

        public sealed class HandleTable
        {
            private readonly object _gate = new();
            private readonly Dictionary<int, TaskInfo> _tasks = new();
            private int _next = 300;

            public ReadGuard ReadLock()
            {
                Monitor.Enter(_gate);
                return new ReadGuard(this);
            }

            internal void Unlock() => Monitor.Exit(_gate);

            public void AssertLockHeld()
            {
                if (!Monitor.IsEntered(_gate))
                {
                    throw new InvalidOperationException("The table's lock is not held.");
                }
            }

            public TaskInfo? FindTask(int nr, HandleKind kind)
            {
                AssertLockHeld();
                foreach (var task in _tasks.Values)
                {
                    var number = kind switch { HandleKind.Pid => task.Pid, HandleKind.Tgid => task.Tgid, HandleKind.Pgid => task.Pgid, _ => task.Sid };
                    if (number == nr && !task.HasExited)
                    {
                        return task;
                    }
                }

                return null;
            }

            public TaskInfo Spawn(string name, TaskInfo? parent = null)
            {
                lock (_gate)
                {
                    var task = new TaskInfo(_next++, name, parent);
                    _tasks.Add(task.Pid, task);
                    return task;
                }
            }

            public void Exit(TaskInfo task)
            {
                lock (_gate)
                {
                    task.HasExited = true;
                    _tasks.Remove(task.Pid);
                }
            }

            internal TaskInfo? Lookup(int nr, HandleKind kind)
            {
                lock (_gate)
                {
                    return FindTask(nr, kind);
                }
            }
        }

        public readonly struct ReadGuard : IDisposable
        {
            private readonly HandleTable? _table;

            internal ReadGuard(HandleTable table) => _table = table;

            public TaskInfo? TaskOf(Handle handle) => handle.Task;

            public void Dispose() => _table?.Unlock();
        }

        public sealed class Handle : IDisposable
        {
            private int _count = 1;

            public Handle(HandleTable table, int nr, HandleKind kind)
            {
                Nr = nr;
                Kind = kind;
                Task = table.Lookup(nr, kind);
            }

            public Handle(TaskInfo task, HandleKind kind)
            {
                Kind = kind;
                Nr = kind switch { HandleKind.Pid => task.Pid, HandleKind.Tgid => task.Tgid, HandleKind.Pgid => task.Pgid, _ => task.Sid };
                Task = task.HasExited ? null : task;
            }

            public Handle(Handle other)
            {
                Nr = other.Nr;
                Kind = other.Kind;
                Task = other.Task;
            }

            public int Nr { get; }
            public HandleKind Kind { get; }
            public TaskInfo? Task { get; }
            public bool IsAlive => Task is { HasExited: false };

            public static int Kill(Handle handle, int signal) => handle.IsAlive && signal >= 0 ? 1 : 0;

            public static int KillLocked(Handle handle, int signal) => handle.IsAlive && signal >= 0 ? 1 : 0;

            public void Dispose()
            {
                if (Interlocked.Decrement(ref _count) < 0)
                {
                    throw new ObjectDisposedException(nameof(Handle));
                }
            }
        }

        public sealed class TaskPin : IDisposable
        {
            private readonly TaskInfo? _task;

            public TaskPin(Handle handle) => _task = handle.Task;

            public TaskPin(TaskInfo task) => _task = task;

            public bool IsValid => _task is not null;
            public int Pid => _task?.Pid ?? 0;
            public int Pgid => _task?.Pgid ?? 0;
            public int Sid => _task?.Sid ?? 0;
            public string Name => _task?.Name ?? string.Empty;

            public void Dispose()
            {
            }
        }

        public static class Slots
        {
            public static void Init(ref Handle? slot) => slot = null;

            public static void Set(ref Handle? slot, Handle value)
            {
                slot?.Dispose();
                slot = value;
            }

            public static void Fini(ref Handle? slot)
            {
                slot?.Dispose();
                slot = null;
            }
        }
        """;
}
