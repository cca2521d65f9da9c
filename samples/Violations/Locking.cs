using System.Collections.Generic;
using TrefGuard;

namespace Violations;

/// <summary>The lock family: guarded members only under the lock, lock-taking calls only outside it.</summary>
internal static class Locking
{
    // TG0002: "is the task gone?" read through the guarded Task without the tasklist lock (IsAlive is the peek).
    public static bool IsGone(TaskRef process) => process.Task is null;

    // TG0002: a [RequiresLock] lookup called without the lock.
    public static string? NameByPid(TaskTable table, int pid) => table.FindTask(pid, PidType.Pid)?.Name;

    // TG0006: a lookup that allocates a tref under the lock (the kernel's "allocation under a spinlock").
    public static TaskRef GroupOf(TaskTable table, int pgid)
    {
        using var guard = table.ReadLock();
        TaskStruct? first = table.FindTask(pgid, PidType.Pgid);
        if (first is null)
        {
            return TaskRef.None.Get();
        }

        return Tref.GetByTask(first, PidType.Pgid);
    }

    // TG0009: the task was read under the lock, which no longer protects it when its name is read.
    public static string? OwnerName(TaskTable table, TaskRef owner)
    {
        TaskStruct? task;
        using (var guard = table.ReadLock())
        {
            task = guard.TaskOf(owner);
        }

        return task?.Name;
    }
}

/// <summary>Keeps a tref for each child it started, and drops those of children that exited.</summary>
internal sealed class ChildReaper
{
    private readonly List<TaskRef> _children = new();

    public void Add(TaskStruct child) => _children.Add(Tref.GetByTask(child, PidType.Pid));

    public void ReapExited(TaskTable table)
    {
        using var guard = table.ReadLock();
        for (int i = _children.Count - 1; i >= 0; i--)
        {
            if (guard.TaskOf(_children[i]) is null)
            {
                // TG0006: a put under the lock: dropping the last count takes the write lock and deadlocks.
                _children[i].Put();
                _children.RemoveAt(i);
            }
        }
    }
}
