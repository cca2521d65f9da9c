namespace TrefGuard;

/// <summary>
/// The kinds of process identifier a task holds, the kernel's <c>enum pid_type</c>. A <see cref="TaskRef"/>
/// is made for one type and one number.
/// </summary>
public enum PidType
{
    /// <summary>The task's own id (<c>PIDTYPE_PID</c>): exactly one task holds it.</summary>
    Pid = 0,

    /// <summary>The thread group id (<c>PIDTYPE_TGID</c>): the process id shared by all its threads.</summary>
    Tgid = 1,

    /// <summary>The process group id (<c>PIDTYPE_PGID</c>): shared by every task of the group.</summary>
    Pgid = 2,

    /// <summary>The session id (<c>PIDTYPE_SID</c>): shared by every task of the session.</summary>
    Sid = 3,
}
