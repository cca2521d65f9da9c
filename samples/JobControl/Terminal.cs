using System;
using TrefGuard;

namespace JobControl;

/// <summary>
/// A terminal device, the kernel's <c>tty_struct</c> with its <c>session</c> and <c>pgrp</c>: both are trefs held
/// in slots, so they follow the session and the foreground group while members come and go, go null when the
/// group is gone, and never name an unrelated process that was later given the same number.
/// </summary>
internal sealed class Terminal : IDisposable
{
    private readonly TaskTable _table;
    private TaskRef? _session;
    private TaskRef? _foreground;
    private bool _disposed;

    public Terminal(TaskTable table, string name)
    {
        _table = table;
        Name = name;

        // A slot is never null while its owner lives: Set and Fini release whatever it holds.
        Tref.Init(ref _session);
        Tref.Init(ref _foreground);
    }

    public string Name { get; }

    /// <summary>True while some process of the controlling session is left (a lock-free peek).</summary>
    public bool HasSession => Session.IsAlive;

    /// <summary>
    /// <c>tcgetpgrp</c>: the number of the foreground group, or null once that group has no member left. The
    /// number comes from the tref (it remembers what it was made for), the liveness from a peek.
    /// </summary>
    public int? ForegroundGroup => Foreground.IsAlive ? Foreground.Nr : null;

    private TaskRef Session => _session ?? throw new ObjectDisposedException(Name);

    private TaskRef Foreground => _foreground ?? throw new ObjectDisposedException(Name);

    /// <summary>
    /// <c>TIOCSCTTY</c>: a session leader makes this its controlling terminal, and its own group starts in the
    /// foreground.
    /// </summary>
    public void AttachSession(TaskStruct leader)
    {
        if (leader.Sid != leader.Pid)
        {
            throw new InvalidOperationException($"{leader.Name} (pid {leader.Pid}) does not lead a session (TIOCSCTTY: EPERM).");
        }

        if (Session.IsAlive)
        {
            throw new InvalidOperationException($"{Name} is already the controlling terminal of session {Session.Nr} (TIOCSCTTY: EPERM).");
        }

        Tref.Set(ref _session, Tref.GetByTask(leader, PidType.Sid));
        Tref.Set(ref _foreground, Tref.GetByTask(leader, PidType.Pgid));
    }

    /// <summary>
    /// <c>tcsetpgrp</c>: puts process group <paramref name="pgid"/> in the foreground. Like the kernel's
    /// <c>tiocspgrp</c>, only a group of the terminal's own session qualifies.
    /// </summary>
    public void SetForeground(int pgid)
    {
        bool sameSession;
        using (var guard = _table.ReadLock())
        {
            // Both tasks are read and compared under the lock: neither can exit or change session meanwhile.
            TaskStruct? first = _table.FindTask(pgid, PidType.Pgid);
            TaskStruct? leader = guard.TaskOf(Session);
            sameSession = first is not null && leader is not null && first.Sid == leader.Sid;
        }

        if (!sameSession)
        {
            throw new InvalidOperationException($"There is no process group {pgid} in the session of {Name} (tcsetpgrp: EPERM).");
        }

        Tref.Set(ref _foreground, Tref.GetByPid(_table, pgid, PidType.Pgid));
    }

    /// <summary>Describes the foreground group as the tref sees it now: its first member, or nothing.</summary>
    public string DescribeForeground()
    {
        using var guard = _table.ReadLock();
        TaskStruct? first = Foreground.Task;
        return first is null
            ? $"foreground tref (group {Foreground.Nr}) is null: the group is gone"
            : $"foreground group {first.Pgid}, first member '{first.Name}' (pid {first.Pid})";
    }

    /// <summary>Describes the session as the tref sees it now: its first member, or nothing.</summary>
    public string DescribeSession()
    {
        using var guard = _table.ReadLock();
        TaskStruct? first = guard.TaskOf(Session);
        return first is null
            ? $"session tref (session {Session.Nr}) is null: the session is gone"
            : $"session {first.Sid}, first member '{first.Name}' (pid {first.Pid})";
    }

    /// <summary>
    /// A key that the line discipline turns into a signal (^C: SIGINT, ^Z: SIGTSTP) for every process of the
    /// foreground group, as <c>isig</c> does with <c>kill_pgrp(tty->pgrp, sig)</c>.
    /// </summary>
    /// <returns>How many processes received it.</returns>
    public int SignalForeground(int signal) => Tref.Kill(Foreground, signal);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Tref.Fini(ref _foreground);
        }
        finally
        {
            Tref.Fini(ref _session);
        }
    }
}
