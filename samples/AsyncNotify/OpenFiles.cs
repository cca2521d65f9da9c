using System;
using System.Collections.Generic;
using TrefGuard;

namespace AsyncNotify;

/// <summary>
/// A process-wide file table with <c>fcntl(F_SETOWN/F_GETOWN)</c> and SIGIO delivery: each open file has a
/// <see cref="FileOwner"/> that names its owner by tref.
/// </summary>
internal sealed class OpenFiles : IDisposable
{
    public const int SIGIO = 29;

    private readonly TaskTable _table;
    private readonly Dictionary<int, (string Path, FileOwner Owner)> _files = new();
    private int _nextFd = 3;

    public OpenFiles(TaskTable table) => _table = table;

    public int Open(string path)
    {
        int fd = _nextFd++;
        var owner = new FileOwner();
        _files.Add(fd, (path, owner));
        return fd;
    }

    public string PathOf(int fd) => _files[fd].Path;

    /// <summary><c>fcntl(fd, F_SETOWN, pid)</c>.</summary>
    public void SetOwn(int fd, int pid) => _files[fd].Owner.SetOwn(_table, pid);

    /// <summary><c>fcntl(fd, F_GETOWN)</c>.</summary>
    public int GetOwn(int fd) => _files[fd].Owner.GetOwn();

    /// <summary>Input is ready on the file: SIGIO goes to its owner.</summary>
    /// <returns>How many tasks were signalled.</returns>
    public int DataArrived(int fd) => _files[fd].Owner.SendSignal(SIGIO);

    /// <summary><c>close(fd)</c>: the owner's reference goes with the file.</summary>
    public void Close(int fd)
    {
        if (_files.Remove(fd, out var file))
        {
            file.Owner.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (int fd in new List<int>(_files.Keys))
        {
            Close(fd);
        }
    }
}

/// <summary>
/// The same registry done the way the RFC replaced: it keeps the signed pid number and looks it up when the
/// signal is due. Whoever holds the number by then gets the signal.
/// </summary>
internal sealed class PidNumberOwners
{
    private readonly TaskTable _table;
    private readonly Dictionary<int, int> _owners = new();

    public PidNumberOwners(TaskTable table) => _table = table;

    public void SetOwn(int fd, int pid) => _owners[fd] = pid;

    /// <summary>Always the number: nothing here can tell that its owner is gone.</summary>
    public int GetOwn(int fd) => _owners[fd];

    public int DataArrived(int fd)
    {
        int pid = _owners[fd];
        if (pid == 0)
        {
            return 0;
        }

        TaskRef current = Tref.GetByPid(_table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid);
        try
        {
            return Tref.Kill(current, OpenFiles.SIGIO);
        }
        finally
        {
            current.Put();
        }
    }
}
