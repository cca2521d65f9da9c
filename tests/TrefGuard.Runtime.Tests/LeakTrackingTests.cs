using System;
using System.Runtime.CompilerServices;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>TrackLeaks and OutstandingRefs: what is still owned, and where it was taken.</summary>
public sealed class LeakTrackingTests
{
    [Fact]
    public void OutstandingRefsNamesTheSiteOfEachUnreleasedAcquisition()
    {
        TaskTable table = NewTable(trackLeaks: true);
        TaskStruct task = table.Spawn("task");
        TaskRef r = TakeTref(task);
        TaskRef copy = CopyTref(r);

        OutstandingReference owned = Assert.Single(table.OutstandingRefs);
        Assert.Same(r, owned.Ref);
        Assert.Null(owned.Task);
        Assert.Equal(2, owned.Count);
        Assert.Equal(2, owned.AcquiredAt.Count);
        Assert.Contains(nameof(TakeTref), owned.AcquiredAt[0], StringComparison.Ordinal);
        Assert.Contains(nameof(CopyTref), owned.AcquiredAt[1], StringComparison.Ordinal);
        Assert.Contains(nameof(LeakTrackingTests), owned.ToString(), StringComparison.Ordinal);

        copy.Put();
        owned = Assert.Single(table.OutstandingRefs);
        Assert.Equal(1, owned.Count);
        Assert.Single(owned.AcquiredAt);
        r.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void PinnedTasksAreListedLiveOrExitedUntilPut()
    {
        TaskTable table = NewTable(trackLeaks: true);
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskStruct pinned = PinThroughTref(r);
        r.Put();

        OutstandingReference owned = Assert.Single(table.OutstandingRefs);
        Assert.Same(task, owned.Task);
        Assert.Equal(1, owned.Count);
        Assert.Contains(nameof(PinThroughTref), Assert.Single(owned.AcquiredAt), StringComparison.Ordinal);

        table.Exit(task);
        owned = Assert.Single(table.OutstandingRefs);
        Assert.Same(task, owned.Task);
        Assert.True(owned.Task!.HasExited);

        pinned.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void TrefsOutlivingTheirTaskStayListed()
    {
        TaskTable table = NewTable(trackLeaks: true);
        TaskStruct leader = table.Spawn("leader");
        TaskRef group = Tref.GetByTask(leader, PidType.Pgid);
        table.Exit(leader);

        OutstandingReference owned = Assert.Single(table.OutstandingRefs);
        Assert.Same(group, owned.Ref);
        Assert.False(owned.Ref!.IsAlive);
        group.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void WithoutTrackLeaksOwnedReferencesAreStillListedButWithoutSites()
    {
        TaskTable table = NewTable(trackLeaks: false);
        TaskStruct task = table.Spawn("task").Get();
        TaskRef r = Tref.GetByTask(task, PidType.Sid);

        var owned = table.OutstandingRefs;
        Assert.Equal(2, owned.Count);
        Assert.Contains(owned, o => ReferenceEquals(o.Ref, r) && o.Count == 1);
        Assert.Contains(owned, o => ReferenceEquals(o.Task, task) && o.Count == 1);
        Assert.All(owned, o => Assert.Empty(o.AcquiredAt));
        Assert.False(table.TrackLeaks);

        r.Put();
        task.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void OutstandingRefsCanBeReadUnderTheLock()
    {
        TaskTable table = NewTable(trackLeaks: true);
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        using (table.ReadLock())
        {
            Assert.Same(r, Assert.Single(table.OutstandingRefs).Ref);
        }

        r.Put();
    }

    [Fact]
    public void HotPathsAllocateNothingWithoutTrackLeaks()
    {
        TaskTable table = NewTable(trackLeaks: false);
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);

        // Warm up: the JIT, ReaderWriterLockSlim's per-thread record and the lock tracker allocate once.
        long allocated = RunHotPaths(table, task, r, 1_000);
        Assert.True(allocated >= 0);
        allocated = RunHotPaths(table, task, r, 10_000);

        Assert.Equal(0, allocated);
        Assert.Equal(1, r.RefCount);
        Assert.Equal(2, task.Usage);
        r.Put();
    }

    private static long RunHotPaths(TaskTable table, TaskStruct task, TaskRef r, int iterations)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++)
        {
            r.Get().Put();
            Tref.GetByTask(task, PidType.Pid).Put();
            TaskStruct? pinned = r.GetTask();
            pinned?.Put();
            using (TasklistReadGuard guard = table.ReadLock())
            {
                _ = guard.TaskOf(r);
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TaskRef TakeTref(TaskStruct task) => Tref.GetByTask(task, PidType.Pid);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TaskRef CopyTref(TaskRef r) => r.Get();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TaskStruct PinThroughTref(TaskRef r) => r.GetTask()!;
}
