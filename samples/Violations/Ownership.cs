using TrefGuard;

namespace Violations;

/// <summary>The ownership family: what an [AcquiresReference] member returns must be released once on every path.</summary>
internal static class Ownership
{
    private const int ESRCH = 3;

    // TG0001: a converted /proc function that returns success without put_task_struct on an early return.
    public static int ProcPidTgid(TaskRef process, out int tgid)
    {
        tgid = 0;
        TaskStruct? task = process.GetTask();
        if (task is null)
        {
            return -ESRCH;
        }

        tgid = task.Tgid;
        if (tgid == task.Pid)
        {
            return 0;
        }

        task.Put();
        return 0;
    }

    // TG0004: a double put through two views of one reference.
    public static void ForgetSession(TaskTable table, int sid)
    {
        TaskRef session = Tref.GetByPid(table, sid, PidType.Sid);
        TaskRef view = session;
        session.Put();
        view.Put();
    }

    // TG0005: the task is used after it was put (the RFC kept reading it after put_task_struct).
    public static string NameOf(TaskRef process)
    {
        TaskStruct? task = process.GetTask();
        if (task is null)
        {
            return "(gone)";
        }

        task.Put();
        return task.Name;
    }

    // TG0008: the count taken by the lookup is thrown away and can never be put.
    public static bool Exists(TaskTable table, int pid)
    {
        Tref.GetByPid(table, pid, PidType.Pid);
        return true;
    }

    // TG0010: released on every normal path, but Console.WriteLine can throw between GetTask and Put.
    public static void PrintProcess(TaskRef process)
    {
        TaskStruct? task = process.GetTask();
        if (task is null)
        {
            return;
        }

        System.Console.WriteLine($"{task.Pid} {task.Name}");
        task.Put();
    }

    // TG0013: marked as an acquisition, but a miss hands out TaskRef.None without the count its callers will put.
    [TrefGuard.Annotations.AcquiresReference]
    public static TaskRef SessionOf(TaskTable table, int sid)
    {
        if (sid <= 0)
        {
            return TaskRef.None;
        }

        return Tref.GetByPid(table, sid, PidType.Sid);
    }
}
