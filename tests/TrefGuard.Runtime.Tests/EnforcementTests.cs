using System;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>The dynamic half of the discipline: each violation throws, names its rule, and changes nothing.</summary>
public sealed class EnforcementTests
{
    [Fact]
    public void DoublePutThrowsTG0004()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        r.Put();
        TrefDisciplineException ex = AssertViolation(TrefViolation.PutBelowZero, "TG0004", () => r.Put());
        Assert.IsAssignableFrom<InvalidOperationException>(ex);
        Assert.Equal(0, r.RefCount);
        AssertSound(table);
    }

    [Fact]
    public void UseOfAReleasedTrefThrowsTG0005()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        r.Put();

        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => r.Get());
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => r.GetTask());
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => Tref.Kill(r, 1));
        using (table.ReadLock())
        {
            AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = r.Task);
            AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => Tref.KillLocked(r, 1));
        }

        TaskRef? slot = null;
        Tref.Init(ref slot);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => Tref.Set(ref slot, r));
        Assert.Same(TaskRef.None, slot);
        Tref.Fini(ref slot);
        Assert.Equal(0, r.RefCount);
    }

    [Fact]
    public void SetResetFiniOnAnUninitializedSlotThrowTG0003AndChangeNothing()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        TaskRef? slot = null;

        AssertViolation(TrefViolation.UninitializedSlot, "TG0003", () => Tref.Set(ref slot, r));
        Assert.Null(slot);
        Assert.Equal(1, r.RefCount); // not consumed: the caller still owns it
        AssertViolation(TrefViolation.UninitializedSlot, "TG0003", () => Tref.Reset(ref slot));
        Assert.Null(slot);
        AssertViolation(TrefViolation.UninitializedSlot, "TG0003", () => Tref.Fini(ref slot));
        Assert.Null(slot);

        Tref.Init(ref slot);
        Tref.Set(ref slot, r);
        Tref.Fini(ref slot);
        Assert.Null(slot);
        AssertViolation(TrefViolation.UninitializedSlot, "TG0003", () => Tref.Fini(ref slot)); // a second fini
        Assert.Equal(0, r.RefCount);
        AssertNothingOwned(table);
    }

    [Fact]
    public void TrefCountSaturatesInsteadOfWrapping()
    {
        TaskTable table = NewTable(trackLeaks: false);
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        r.SetCountForTesting(int.MaxValue - 1);

        r.Get();
        Assert.Equal(int.MaxValue, r.RefCount);
        r.Get();
        Assert.Equal(int.MaxValue, r.RefCount);
        Assert.Same(r, Tref.GetByTask(task, PidType.Pid));
        Assert.Equal(int.MaxValue, r.RefCount);

        // Once saturated the count is pinned: puts never bring it to zero, so it can never be freed early.
        r.Put();
        r.Put();
        Assert.Equal(int.MaxValue, r.RefCount);
        Assert.Same(task, TaskOf(r));
        table.Exit(task);
        Assert.Null(TaskOf(r));
        Assert.Single(table.OutstandingRefs);
    }

    [Fact]
    public void MessagesNameTheRuleAndTheKernelFunction()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        TrefDisciplineException underLock;
        using (table.ReadLock())
        {
            underLock = Assert.Throws<TrefDisciplineException>(() => r.Put());
        }

        Assert.Contains("might_sleep", underLock.Message, StringComparison.Ordinal);
        Assert.Equal(TrefViolation.LockAlreadyHeld, underLock.Violation);
        TrefDisciplineException noLock = Assert.Throws<TrefDisciplineException>(() => _ = r.Task);
        Assert.Contains("tasklist_lock must be held", noLock.Message, StringComparison.Ordinal);
        r.Put();
    }
}
