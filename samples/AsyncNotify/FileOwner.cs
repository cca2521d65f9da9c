using System;
using System.Threading;
using TrefGuard;

namespace AsyncNotify;

/// <summary>
/// The owner of an open file for asynchronous I/O signals (the RFC's <c>struct fown_struct</c>): a tref to the
/// owning process or process group, plus the signed pid it was set from (negative = a process group), so that
/// <c>F_GETOWN</c> answers with what <c>F_SETOWN</c> was given, and 0 once the owner is gone.
/// </summary>
internal sealed class FileOwner : IDisposable
{
    private readonly Lock _lock = new();
    private TaskRef? _owner;
    private int _pid;

    public FileOwner()
    {
        Tref.Init(ref _owner);
    }

    /// <summary>
    /// <c>F_SETOWN</c>: a positive <paramref name="pid"/> names a process, a negative one a process group, 0
    /// nobody. Like the RFC, it takes the owner's lock and stores a fresh <c>tref_get_by_pid</c> result.
    /// </summary>
    public void SetOwn(TaskTable table, int pid)
    {
        if (pid == int.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "No process group has that number.");
        }

        PidType type = pid < 0 ? PidType.Pgid : PidType.Pid;
        int nr = Math.Abs(pid);
        lock (_lock)
        {
            // Set consumes the fresh reference and puts the old owner's.
            Tref.Set(ref _owner, nr == 0 ? TaskRef.None.Get() : Tref.GetByPid(table, nr, type));
            _pid = pid;
        }
    }

    /// <summary><c>F_GETOWN</c>: what <see cref="SetOwn"/> was given, or 0 once no task holds the owner's pid.</summary>
    public int GetOwn()
    {
        lock (_lock)
        {
            // A peek suffices: F_GETOWN reports whether the owner exists, it touches no task.
            return Owner.IsAlive ? _pid : 0;
        }
    }

    /// <summary>
    /// <c>send_sigio</c>: signals every task the owner's tref names (the process, or each member of the group),
    /// under the owner's lock; <see cref="Tref.Kill"/> takes the tasklist lock itself.
    /// </summary>
    /// <returns>How many tasks received the signal.</returns>
    public int SendSignal(int signal)
    {
        lock (_lock)
        {
            return Tref.Kill(Owner, signal);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // The RFC's version forgot this and leaked the owner's reference every time a file was closed.
            if (_owner is not null)
            {
                Tref.Fini(ref _owner);
            }
        }
    }

    private TaskRef Owner => _owner ?? throw new ObjectDisposedException(nameof(FileOwner));
}
