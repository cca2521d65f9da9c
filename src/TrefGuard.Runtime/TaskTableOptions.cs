namespace TrefGuard;

/// <summary>
/// Settings of a <see cref="TaskTable"/>: the kernel's <c>pid_max</c>, <c>RESERVED_PIDS</c> and
/// <c>THREAD_SIZE</c>, plus the run-time checks of the discipline. Values are validated and copied when the
/// table is constructed; changing the options afterwards does not affect it.
/// </summary>
public sealed class TaskTableOptions
{
    /// <summary>The kernel's <c>PID_MAX_LIMIT</c> on 64-bit: the largest <see cref="PidMax"/> accepted.</summary>
    public const int PidMaxLimit = 4 * 1024 * 1024;

    /// <summary>The largest <see cref="StackSize"/> accepted (16 MiB).</summary>
    public const int MaxStackSize = 16 * 1024 * 1024;

    private int? _reservedPids;

    /// <summary>
    /// One more than the largest pid handed out (the kernel's <c>pid_max</c>, exclusive): pids are allocated in
    /// <c>1 .. PidMax-1</c>. Default 32768; accepted range 2 .. <see cref="PidMaxLimit"/>.
    /// </summary>
    public int PidMax { get; set; } = 32768;

    /// <summary>
    /// Where pid allocation restarts after it reaches <see cref="PidMax"/> (the kernel's <c>RESERVED_PIDS</c>):
    /// pids below it are only handed out before the first wrap. Default 300, or 1 when <see cref="PidMax"/> is
    /// 300 or less; accepted range 1 .. <c>PidMax-1</c>.
    /// </summary>
    public int ReservedPids
    {
        get => _reservedPids ?? (PidMax <= 300 ? 1 : 300);
        set => _reservedPids = value;
    }

    /// <summary>
    /// Bytes of the stack each task owns until it is freed (the kernel's <c>THREAD_SIZE</c>): what a strong
    /// reference to an exited task keeps alive. Default 8192; accepted range 1 .. <see cref="MaxStackSize"/>.
    /// </summary>
    public int StackSize { get; set; } = 8192;

    /// <summary>
    /// When true (the default), <see cref="TaskRef.Task"/>, <see cref="TaskTable.FindTask"/>,
    /// <see cref="Tref.KillLocked"/> and the guards' <c>TaskOf</c> throw <see cref="TrefDisciplineException"/>
    /// (TG0002) unless the calling thread holds the table's lock.
    /// </summary>
    public bool CheckLocks { get; set; } = true;

    /// <summary>
    /// When true, every acquisition records its call site and <see cref="TaskTable.OutstandingRefs"/> reports
    /// where each still-owned reference was taken. Off by default: capturing a stack trace is slow.
    /// </summary>
    public bool TrackLeaks { get; set; }
}
