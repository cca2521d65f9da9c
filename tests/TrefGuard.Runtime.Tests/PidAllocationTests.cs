using System;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 1: pids are allocated like the kernel's pidmap, and a tref never follows a reused number.</summary>
public sealed class PidAllocationTests
{
    [Fact]
    public void PidsStartAtOneAndFollowTheLastOne()
    {
        TaskTable table = NewTable();
        TaskStruct a = table.Spawn("a");
        Assert.Equal(1, a.Pid);
        TaskStruct b = table.Spawn("b");
        table.Exit(a);
        TaskStruct c = table.Spawn("c");

        Assert.Equal(2, b.Pid);
        Assert.Equal(3, c.Pid); // next after the last, not the lowest free
    }

    [Fact]
    public void AllocationWrapsToReservedPidsAndSkipsNumbersInUse()
    {
        TaskTable table = NewTable(pidMax: 10, reservedPids: 5);
        var tasks = new TaskStruct[10];
        for (int pid = 1; pid <= 9; pid++)
        {
            tasks[pid] = table.Spawn("t" + pid);
            Assert.Equal(pid, tasks[pid].Pid);
        }

        table.Exit(tasks[2]);
        table.Exit(tasks[6]);

        TaskStruct next = table.Spawn("wrapped");
        Assert.Equal(6, next.Pid); // 10 is pid_max (exclusive): wrap to 5, which is in use, then 6.

        // 2 is free but below ReservedPids, so after the wrap it is never handed out: the table is full.
        string before = Fingerprint(table);
        Assert.Throws<InvalidOperationException>(() => table.Spawn("no room"));
        Assert.Equal(before, Fingerprint(table));
        AssertSound(table);

        // The failed spawn did not move the allocator: freeing 8 makes it the next pid.
        table.Exit(tasks[8]);
        Assert.Equal(8, table.Spawn("after").Pid);
    }

    [Fact]
    public void ReservedPidsDefaultsTo300OrOneForSmallTables()
    {
        Assert.Equal(300, new TaskTable().ReservedPids);
        Assert.Equal(32768, new TaskTable().PidMax);
        Assert.Equal(1, NewTable(pidMax: 300).ReservedPids);
        Assert.Equal(300, NewTable(pidMax: 301).ReservedPids);
        Assert.Equal(1, new TaskTableOptions { PidMax = 100 }.ReservedPids);
    }

    [Fact]
    public void DefaultTableWrapsTo300()
    {
        TaskTable table = new(new TaskTableOptions { PidMax = 302 });
        for (int pid = 1; pid <= 301; pid++)
        {
            TaskStruct t = table.Spawn("t");
            Assert.Equal(pid, t.Pid);
            if (pid != 1)
            {
                table.Exit(t);
            }
        }

        Assert.Equal(300, table.Spawn("wrapped").Pid);
    }

    [Fact]
    public void ANumberStillUsedAsAGroupOrSessionIsNotReused()
    {
        TaskTable table = NewTable(pidMax: 3);
        TaskStruct leader = table.Spawn("leader");
        TaskStruct child = table.Spawn("child", leader);
        table.Exit(leader);

        // Pid 1 is free as a pid, but child still uses 1 as its pgid and sid.
        Assert.Equal(1, child.Pgid);
        Assert.Throws<InvalidOperationException>(() => table.Spawn("none left"));

        table.Exit(child);
        Assert.Equal(1, table.Spawn("reuse").Pid);
        AssertSound(table);
    }

    [Fact]
    public void AThreadGroupIdHeldByThreadsIsNotReused()
    {
        TaskTable table = NewTable(pidMax: 3);
        TaskStruct leader = table.Spawn("leader");
        TaskStruct thread = table.SpawnThread(leader, "thread");
        table.Exit(leader);

        Assert.Null(Find(table, 1, PidType.Pid));
        Assert.Same(thread, Find(table, 1, PidType.Tgid));
        Assert.Throws<InvalidOperationException>(() => table.Spawn("none left"));
    }

    [Fact]
    public void TrefForAPidStaysNullWhenTheNumberIsReused()
    {
        TaskTable table = NewTable(pidMax: 16);
        TaskStruct a = table.Spawn("a");
        TaskStruct filler = table.Spawn("filler");
        int n = a.Pid;
        TaskRef r = Tref.GetByTask(a, PidType.Pid);
        Assert.Same(a, TaskOf(r));
        Assert.True(r.IsAlive);

        table.Exit(a);
        Assert.False(r.IsAlive);
        Assert.Null(TaskOf(r));

        TaskStruct b = SpawnUntilPid(table, n, "b");
        Assert.Equal(n, b.Pid);
        Assert.Null(TaskOf(r)); // stays null: B is a new user of N
        Assert.False(r.IsAlive);
        Assert.Equal(n, r.Nr);
        Assert.Same(b, Find(table, n, PidType.Pid));

        TaskRef forB = Tref.GetByPid(table, n, PidType.Pid);
        Assert.NotSame(r, forB);
        Assert.Same(b, TaskOf(forB));

        Assert.Equal(0, Tref.Kill(r, 9));
        Assert.Empty(b.TakePendingSignals());

        forB.Put();
        r.Put();
        table.Exit(filler);
        AssertNothingOwned(table);
        AssertSound(table);
    }

    [Fact]
    public void TrefForAGroupStaysNullWhenANewGroupGetsTheNumber()
    {
        TaskTable table = NewTable(pidMax: 8);
        TaskStruct leader = table.Spawn("leader");
        TaskStruct member = table.Spawn("member", leader);
        int n = leader.Pid;
        TaskRef group = Tref.GetByTask(member, PidType.Pgid);
        table.Exit(leader);
        Assert.Same(member, TaskOf(group));
        table.Exit(member);
        Assert.Null(TaskOf(group));

        TaskStruct newLeader = SpawnUntilPid(table, n, "new leader");
        Assert.Equal(n, newLeader.Pgid);
        Assert.Same(newLeader, Find(table, n, PidType.Pgid));
        Assert.Null(TaskOf(group));
        Assert.Equal(0, Tref.Kill(group, 1));
        Assert.Empty(newLeader.TakePendingSignals());
        group.Put();
        AssertNothingOwned(table);
    }
}
