using System;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 2: group trefs follow the group's first member in join order and go null with the last.</summary>
public sealed class GroupTests
{
    [Fact]
    public void SpawnWithoutParentLeadsANewSessionAndGroup()
    {
        TaskTable table = NewTable();
        TaskStruct init = table.Spawn("init");
        TaskStruct other = table.Spawn("other");

        Assert.Equal((init.Pid, init.Pid, init.Pid), (init.Tgid, init.Pgid, init.Sid));
        Assert.Equal((other.Pid, other.Pid, other.Pid), (other.Tgid, other.Pgid, other.Sid));
    }

    [Fact]
    public void SpawnWithParentInheritsGroupAndSessionAndThreadsShareEverythingButThePid()
    {
        TaskTable table = NewTable();
        TaskStruct parent = table.Spawn("parent");
        TaskStruct child = table.Spawn("child", parent);
        TaskStruct thread = table.SpawnThread(child, "thread");

        Assert.Equal(child.Pid, child.Tgid);
        Assert.Equal(parent.Pid, child.Pgid);
        Assert.Equal(parent.Pid, child.Sid);
        Assert.NotEqual(child.Pid, thread.Pid);
        Assert.Equal(child.Tgid, thread.Tgid);
        Assert.Equal(child.Pgid, thread.Pgid);
        Assert.Equal(child.Sid, thread.Sid);
        Assert.Same(child, Find(table, child.Pid, PidType.Tgid));
        Assert.Same(thread, Find(table, thread.Pid, PidType.Pid));
        Assert.Equal(3, table.LiveTasks);
        AssertSound(table);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void GroupTrefNamesTheFirstMemberWhicheverMemberItWasTakenThrough(int through)
    {
        TaskTable table = NewTable();
        TaskStruct a = table.Spawn("a");
        TaskStruct b = table.Spawn("b", a);
        TaskStruct c = table.Spawn("c", a);
        TaskStruct[] members = { a, b, c };

        TaskRef r = Tref.GetByTask(members[through], PidType.Pgid);
        Assert.Same(a, TaskOf(r));
        Assert.Equal(a.Pid, r.Nr);
        Assert.Equal(PidType.Pgid, r.Type);

        // One tref per group, whichever member asked.
        TaskRef again = Tref.GetByTask(members[(through + 1) % 3], PidType.Pgid);
        Assert.Same(r, again);
        Assert.Equal(2, r.RefCount);
        again.Put();

        // The member it was taken through leaving first does not strand the tref (the seed's bug).
        table.Exit(members[through]);
        TaskStruct expectedFirst = through == 0 ? b : a;
        Assert.Same(expectedFirst, TaskOf(r));

        // Exit the remaining members in reverse join order: it names the first remaining each time.
        for (int i = 2; i >= 0; i--)
        {
            if (i == through)
            {
                continue;
            }

            table.Exit(members[i]);
        }

        Assert.Null(TaskOf(r));
        Assert.False(r.IsAlive);
        r.Put();
        AssertNothingOwned(table);
        AssertSound(table);
    }

    [Fact]
    public void GroupTrefMovesOnExitSetSidAndSetPgidThenGoesNull()
    {
        TaskTable table = NewTable();
        TaskStruct a = table.Spawn("a");
        TaskStruct b = table.Spawn("b", a);
        TaskStruct c = table.Spawn("c", a);
        TaskStruct d = table.Spawn("d", a);
        table.SetPgid(d, 0); // d leads its own group in a's session

        TaskRef r = Tref.GetByTask(c, PidType.Pgid);
        Assert.Same(a, TaskOf(r));

        table.Exit(a); // leaves by exit
        Assert.Same(b, TaskOf(r));

        table.SetSid(b); // leaves by setsid
        Assert.Equal(b.Pid, b.Sid);
        Assert.Same(c, TaskOf(r));

        table.SetPgid(c, d.Pid); // leaves by setpgid: the last member
        Assert.Null(TaskOf(r));
        Assert.Null(Find(table, r.Nr, PidType.Pgid));

        r.Put();
        AssertNothingOwned(table);
        AssertSound(table);
    }

    [Fact]
    public void SessionTrefFollowsTheFirstMemberOfTheSession()
    {
        TaskTable table = NewTable();
        TaskStruct a = table.Spawn("a");
        TaskStruct b = table.Spawn("b", a);
        TaskStruct c = table.Spawn("c", b);

        TaskRef r = Tref.GetByTask(c, PidType.Sid);
        Assert.Same(a, TaskOf(r));
        table.Exit(a);
        Assert.Same(b, TaskOf(r));
        table.SetSid(c);
        Assert.Same(b, TaskOf(r));
        table.Exit(b);
        Assert.Null(TaskOf(r));
        r.Put();
        AssertSound(table);
    }

    [Fact]
    public void TgidTrefMovesToTheFirstRemainingThreadWhenTheLeaderExitsFirst()
    {
        TaskTable table = NewTable();
        TaskStruct leader = table.Spawn("leader");
        TaskStruct t1 = table.SpawnThread(leader, "t1");
        TaskStruct t2 = table.SpawnThread(leader, "t2");

        TaskRef r = Tref.GetByTask(t2, PidType.Tgid);
        Assert.Same(leader, TaskOf(r));
        Assert.Equal(leader.Pid, r.Nr);

        int tgid = leader.Pid;
        table.Exit(leader);
        Assert.Same(t1, TaskOf(r));
        Assert.Null(Find(table, tgid, PidType.Pid));
        Assert.Same(t1, Find(table, tgid, PidType.Tgid));

        table.Exit(t1);
        Assert.Same(t2, TaskOf(r));
        table.Exit(t2);
        Assert.Null(TaskOf(r));
        r.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void SetPgidMovesTheWholeThreadGroupInJoinOrder()
    {
        TaskTable table = NewTable();
        TaskStruct shell = table.Spawn("shell");
        TaskStruct job = table.Spawn("job", shell);
        TaskStruct worker = table.SpawnThread(job, "worker");

        table.SetPgid(worker, 0); // 0 means the process's own id, even when asked through a thread
        Assert.Equal(job.Pid, job.Pgid);
        Assert.Equal(job.Pid, worker.Pgid);
        Assert.Same(job, Find(table, job.Pid, PidType.Pgid));

        table.SetPgid(job, shell.Pid); // back into the shell's group
        Assert.Equal(shell.Pid, worker.Pgid);
        Assert.Null(Find(table, job.Pid, PidType.Pgid));
        AssertSound(table);
    }

    [Fact]
    public void SetPgidRefusesSessionLeadersAndOtherSessionsAndChangesNothing()
    {
        TaskTable table = NewTable();
        TaskStruct s1 = table.Spawn("s1");
        TaskStruct s2 = table.Spawn("s2");
        TaskStruct child = table.Spawn("child", s1);
        string before = Fingerprint(table);

        Assert.Throws<InvalidOperationException>(() => table.SetPgid(s1, child.Pid)); // session leader
        Assert.Throws<InvalidOperationException>(() => table.SetPgid(s1, s1.Pid)); // even a no-op: EPERM
        Assert.Throws<InvalidOperationException>(() => table.SetPgid(child, s2.Pid)); // another session's group
        ArgumentException noGroup = Assert.Throws<ArgumentException>(() => table.SetPgid(child, s2.Pid + 10));
        Assert.Equal("pgid", noGroup.ParamName);

        Assert.Equal(before, Fingerprint(table));
        AssertSound(table);
    }

    [Fact]
    public void SetSidRefusesAGroupLeaderAndChangesNothing()
    {
        TaskTable table = NewTable();
        TaskStruct leader = table.Spawn("leader");
        TaskStruct child = table.Spawn("child", leader);
        table.SetPgid(child, 0);
        TaskStruct grandchild = table.Spawn("grandchild", child);
        string before = Fingerprint(table);

        Assert.Throws<InvalidOperationException>(() => table.SetSid(leader));
        Assert.Throws<InvalidOperationException>(() => table.SetSid(child)); // leads its group
        Assert.Equal(before, Fingerprint(table));

        table.SetSid(grandchild);
        Assert.Equal(grandchild.Pid, grandchild.Sid);
        Assert.Equal(grandchild.Pid, grandchild.Pgid);
        AssertSound(table);
    }

    [Fact]
    public void SetSidRefusesAProcessWhoseIdStillNamesAGroupItLeft()
    {
        TaskTable table = NewTable();
        TaskStruct session = table.Spawn("session");
        TaskStruct leader = table.Spawn("leader", session);
        table.SetPgid(leader, 0);
        TaskStruct member = table.Spawn("member", leader);
        table.SetPgid(leader, session.Pid); // leader leaves; member keeps group leader.Pid alive

        Assert.Throws<InvalidOperationException>(() => table.SetSid(leader));
        Assert.Equal(leader.Pid, member.Pgid);
        AssertSound(table);
    }
}
