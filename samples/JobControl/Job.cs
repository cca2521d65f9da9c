using System;
using TrefGuard;

namespace JobControl;

/// <summary>
/// An entry of the shell's job table. It names its process group by a tref, not by number: the job is done
/// when the tref goes null, however the pid numbers are reused afterwards.
/// </summary>
internal sealed class Job : IDisposable
{
    private TaskRef? _group;

    public Job(int id, string command, TaskStruct leader)
    {
        Id = id;
        Command = command;
        Tref.Init(ref _group);
        Tref.Set(ref _group, Tref.GetByTask(leader, PidType.Pgid));
    }

    public int Id { get; }

    public string Command { get; }

    public TaskRef Group => _group ?? throw new ObjectDisposedException($"job {Id}");

    /// <summary>A line of the <c>jobs</c> builtin: the group's first member, pinned while it is described.</summary>
    public string Describe()
    {
        // The /proc shape: pin the task (or learn it is gone), use it, put it on every path.
        TaskStruct? first = Group.GetTask();
        if (first is null)
        {
            return $"[{Id}]  Done      {Command}";
        }

        try
        {
            return $"[{Id}]  Running   {Command}   (group {first.Pgid}, first member '{first.Name}' pid {first.Pid})";
        }
        finally
        {
            first.Put();
        }
    }

    public void Dispose()
    {
        if (_group is not null)
        {
            Tref.Fini(ref _group);
        }
    }
}
