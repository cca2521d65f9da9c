using System;
using TrefGuard;

namespace Supervisor;

/// <summary>What a supervisor keeps about each child it started, for as long as it keeps the record.</summary>
internal interface ITrackedChild : IDisposable
{
    /// <summary>The pid the child was started with.</summary>
    int Pid { get; }

    /// <summary>Whether this very child (not a later process with its number) is still running.</summary>
    bool IsRunning { get; }
}

/// <summary>
/// A child named by a tref: a few dozen bytes, whatever became of the process. The tref sits in a slot: set in
/// the constructor, finalized in <see cref="Dispose"/>.
/// </summary>
internal sealed class TrefChild : ITrackedChild
{
    private TaskRef? _process;

    public TrefChild(TaskStruct child)
    {
        Pid = child.Pid;
        Tref.Init(ref _process);
        Tref.Set(ref _process, Tref.GetByTask(child, PidType.Pid));
    }

    public int Pid { get; }

    public bool IsRunning => _process is { IsAlive: true };

    public void Dispose()
    {
        if (_process is not null)
        {
            Tref.Fini(ref _process);
        }
    }
}

/// <summary>
/// A child named by a pinned <see cref="TaskStruct"/>: equally correct about which process it means, but the
/// pin keeps the exited task, and its whole stack, in memory until the record is dropped.
/// </summary>
internal sealed class PinnedChild : ITrackedChild
{
    private readonly TaskStruct _task;
    private bool _disposed;

    public PinnedChild(TaskStruct child)
    {
        _task = child.Get();
        Pid = child.Pid;
    }

    public int Pid { get; }

    public bool IsRunning => !_task.HasExited;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _task.Put();
        }
    }
}
