using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 3: one tref per (type, number, generation); no user gives TaskRef.None.</summary>
public sealed class RefIdentityTests
{
    [Fact]
    public void LookupsShareTheExistingTrefAndRaiseItsCount()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");

        TaskRef first = Tref.GetByTask(task, PidType.Pid);
        TaskRef second = Tref.GetByTask(task, PidType.Pid);
        TaskRef byPid = Tref.GetByPid(table, task.Pid, PidType.Pid);
        TaskRef copy = first.Get();

        Assert.Same(first, second);
        Assert.Same(first, byPid);
        Assert.Same(first, copy);
        Assert.Equal(4, first.RefCount);
        Assert.Equal(1, table.LiveRefCount);

        first.Put();
        second.Put();
        byPid.Put();
        copy.Put();
        Assert.Equal(0, first.RefCount);
        AssertNothingOwned(table);
    }

    [Fact]
    public void EachTypeHasItsOwnTrefEvenForTheSameNumber()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef[] refs = new TaskRef[4];
        for (int i = 0; i < 4; i++)
        {
            refs[i] = Tref.GetByTask(task, (PidType)i);
            Assert.Equal((PidType)i, refs[i].Type);
            Assert.Equal(task.Pid, refs[i].Nr);
            Assert.Same(task, TaskOf(refs[i]));
        }

        Assert.Equal(4, new System.Collections.Generic.HashSet<TaskRef>(refs).Count);
        foreach (TaskRef r in refs)
        {
            r.Put();
        }

        AssertNothingOwned(table);
    }

    [Fact]
    public void AfterTheLastPutALookupMakesANewTref()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef old = Tref.GetByTask(task, PidType.Pgid);
        old.Put();

        TaskRef fresh = Tref.GetByTask(task, PidType.Pgid);
        Assert.NotSame(old, fresh);
        Assert.Equal(1, fresh.RefCount);
        Assert.Equal(0, old.RefCount);
        Assert.Same(task, TaskOf(fresh));
        fresh.Put();
        AssertSound(table);
    }

    [Fact]
    public void ANumberWithNoUserGivesNone()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");

        TaskRef unused = Tref.GetByPid(table, 40, PidType.Pid);
        TaskRef zero = Tref.GetByPid(table, 0, PidType.Sid);
        TaskRef threadGroupOfNobody = Tref.GetByPid(table, task.Pid + 1, PidType.Tgid);

        Assert.Same(TaskRef.None, unused);
        Assert.Same(TaskRef.None, zero);
        Assert.Same(TaskRef.None, threadGroupOfNobody);
        Assert.Null(TaskOf(unused));
        Assert.False(unused.IsAlive);
        Assert.Null(TaskRef.None.Table);
        Assert.Equal(0, TaskRef.None.Nr);
        Assert.Equal(0, table.LiveRefCount);
        unused.Put();
        zero.Put();
        threadGroupOfNobody.Put();
    }

    [Fact]
    public void AnExitedTaskGivesNoneEvenWhilePinned()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task").Get();
        table.Exit(task);

        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        Assert.Same(TaskRef.None, r);
        Assert.Same(TaskRef.None, Tref.GetByTask(task, PidType.Sid));
        TaskRef.None.Put();
        r.Put();
        task.Put();
        Assert.True(task.IsFreed);
    }

    [Fact]
    public void AllocationFailureGivesNoneAndLeavesNothingBehind()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        table.AllocationFailureHook = () => true;

        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskRef byPid = Tref.GetByPid(table, task.Pid, PidType.Pid);

        Assert.Same(TaskRef.None, r);
        Assert.Same(TaskRef.None, byPid);
        Assert.Equal(0, table.LiveRefCount);
        AssertNothingOwned(table);
        r.Put();
        byPid.Put();

        // An existing tref needs no allocation, so lookups still find it while allocation fails.
        table.AllocationFailureHook = null;
        TaskRef existing = Tref.GetByTask(task, PidType.Pid);
        table.AllocationFailureHook = () => true;
        TaskRef shared = Tref.GetByTask(task, PidType.Pid);
        Assert.Same(existing, shared);
        shared.Put();
        existing.Put();
        AssertNothingOwned(table);
        AssertSound(table);
    }
}
