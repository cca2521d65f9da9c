using System;
using System.Collections.Generic;
using TrefGuard;

namespace Supervisor;

/// <summary>
/// Starts children under one parent process and keeps a record of every child it ever started (for restart
/// accounting), until it is disposed.
/// </summary>
internal sealed class ChildSupervisor : IDisposable
{
    private readonly TaskTable _table;
    private readonly TaskStruct _self;
    private readonly Func<TaskStruct, ITrackedChild> _track;
    private readonly List<ITrackedChild> _children = new();

    public ChildSupervisor(TaskTable table, TaskStruct self, Func<TaskStruct, ITrackedChild> track)
    {
        _table = table;
        _self = self;
        _track = track;
    }

    public int Started => _children.Count;

    /// <summary>Forks a child and records it. The child itself stays the table's: it runs until it exits.</summary>
    public TaskStruct Start(string name)
    {
        TaskStruct child = _table.Spawn(name, _self);
        _children.Add(_track(child));
        return child;
    }

    /// <summary>How many recorded children are still running, asked of each record.</summary>
    public int CountRunning()
    {
        int running = 0;
        foreach (ITrackedChild child in _children)
        {
            if (child.IsRunning)
            {
                running++;
            }
        }

        return running;
    }

    /// <summary>
    /// The same question answered with pid numbers only: a record counts as running when some process holds its
    /// number now, which after a wrap is often a younger sibling.
    /// </summary>
    public int CountRunningByNumber()
    {
        int running = 0;
        using var guard = _table.ReadLock();
        foreach (ITrackedChild child in _children)
        {
            if (_table.FindTask(child.Pid, PidType.Pid) is not null)
            {
                running++;
            }
        }

        return running;
    }

    public void Dispose()
    {
        foreach (ITrackedChild child in _children)
        {
            child.Dispose();
        }

        _children.Clear();
    }
}
