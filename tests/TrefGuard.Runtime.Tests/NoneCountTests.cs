using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>TaskRef.None is one counted object for the whole process; these tests run alone to read its count.</summary>
[Collection(NoneCountCollection.Name)]
public sealed class NoneCountTests
{
    [Fact]
    public void InitSetResetFiniLeaveNonesCountBalanced()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        int before = TaskRef.None.RefCount;

        TaskRef? slot = null;
        Tref.Init(ref slot);
        Assert.Same(TaskRef.None, slot);
        Assert.Equal(before + 1, TaskRef.None.RefCount);

        Tref.Set(ref slot, Tref.GetByTask(task, PidType.Pid));
        Assert.Equal(before, TaskRef.None.RefCount);
        Assert.Same(task, TaskOf(slot!));

        Tref.Reset(ref slot);
        Assert.Same(TaskRef.None, slot);
        Assert.Equal(before + 1, TaskRef.None.RefCount);
        Assert.Equal(0, table.LiveRefCount); // the reset put the tref's last reference

        Tref.Set(ref slot, Tref.GetByPid(table, 63, PidType.Pid)); // nobody: None replaces None
        Assert.Equal(before + 1, TaskRef.None.RefCount);

        Tref.Fini(ref slot);
        Assert.Null(slot);
        Assert.Equal(before, TaskRef.None.RefCount);
        AssertNothingOwned(table);
    }

    [Fact]
    public void LookupsWithNoTaskRaiseNonesCount()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task").Get();
        table.Exit(task);
        int before = TaskRef.None.RefCount;

        TaskRef byPid = Tref.GetByPid(table, 5, PidType.Pgid);
        TaskRef byTask = Tref.GetByTask(task, PidType.Pid);
        table.AllocationFailureHook = () => true;
        TaskRef failed = Tref.GetByTask(table.Spawn("other"), PidType.Pid);
        Assert.Equal(before + 3, TaskRef.None.RefCount);

        byPid.Put();
        byTask.Put();
        failed.Put();
        task.Put();
        Assert.Equal(before, TaskRef.None.RefCount);
    }

    [Fact]
    public void PuttingNoneToZeroThrowsTG0004AndChangesNothing()
    {
        int before = TaskRef.None.RefCount;
        TaskRef.None.SetCountForTesting(1);
        try
        {
            AssertViolation(TrefViolation.NoneDroppedToZero, "TG0004", () => TaskRef.None.Put());
            Assert.Equal(1, TaskRef.None.RefCount);
        }
        finally
        {
            TaskRef.None.SetCountForTesting(before);
        }
    }

    [Fact]
    public void NoneIsNeverFreedAndNamesNothing()
    {
        int before = TaskRef.None.RefCount;
        TaskRef copy = TaskRef.None.Get();
        Assert.Same(TaskRef.None, copy);
        Assert.Equal(before + 1, TaskRef.None.RefCount);
        Assert.False(copy.IsAlive);
        Assert.Null(copy.Task);
        Assert.Null(copy.GetTask());
        Assert.Equal(0, Tref.Kill(copy, 9));
        Assert.Equal(0, Tref.KillLocked(copy, 9));
        copy.Put();
        Assert.Equal(before, TaskRef.None.RefCount);
        Assert.True(before >= 1);
    }
}
