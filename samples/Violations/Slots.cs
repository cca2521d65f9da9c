using System;
using TrefGuard;

namespace Violations;

/// <summary>The slot family: Init before Set/Reset/Fini, Set instead of assignment, Fini in Dispose.</summary>
internal static class Slots
{
    // TG0003: the slot starts as a borrowed TaskRef.None rather than Tref.Init's counted one, so Set would put a
    // count this code never took.
    public static int SignalConsoleOnce(TaskStruct current, int signal)
    {
        TaskRef? spawnConsole = TaskRef.None;
        Tref.Set(ref spawnConsole, Tref.GetByTask(current, PidType.Pid));
        int delivered = Tref.Kill(spawnConsole!, signal);
        Tref.Fini(ref spawnConsole);
        return delivered;
    }
}

/// <summary>The vt "spawn console" registration: a tref to the process to signal when the key is pressed.</summary>
internal sealed class SpawnConsole : IDisposable
{
    private TaskRef? _process;

    public SpawnConsole()
    {
        Tref.Init(ref _process);
    }

    // TG0007: plain assignment overwrites the slot's reference without putting it; Tref.Set would.
    public void Register(TaskStruct current) => _process = Tref.GetByTask(current, PidType.Pid);

    public int Press(int signal) => _process is null ? 0 : Tref.Kill(_process, signal);

    public void Dispose() => Tref.Fini(ref _process);
}

/// <summary>The RFC's file owner for F_SETOWN, as first posted.</summary>
internal sealed class FileOwner : IDisposable
{
    // TG0011: initialized by the constructor, never finalized: every close leaked the owner's reference.
    private TaskRef? _owner;
    private int _pid;

    public FileOwner()
    {
        Tref.Init(ref _owner);
    }

    public void SetOwn(TaskTable table, int pid)
    {
        Tref.Set(ref _owner, Tref.GetByPid(table, Math.Abs(pid), pid < 0 ? PidType.Pgid : PidType.Pid));
        _pid = pid;
    }

    public int GetOwn() => _owner is { IsAlive: true } ? _pid : 0;

    public void Dispose() => _pid = 0;
}
