using System;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>kill_tref: every task of the tref's group, once each, and never a later user of the number.</summary>
public sealed class SignalTests
{
    private const int SigHup = 1;
    private const int SigTerm = 15;
    private const int SigIo = 29;

    [Fact]
    public void KillOnAPidTrefSignalsTheOneTask()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskStruct thread = table.SpawnThread(task, "thread");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);

        Assert.Equal(1, Tref.Kill(r, SigTerm));
        Assert.Equal(new[] { SigTerm }, task.TakePendingSignals());
        Assert.Empty(task.TakePendingSignals()); // drained
        Assert.Empty(thread.TakePendingSignals());
        r.Put();
    }

    [Fact]
    public void KillOnAGroupTrefReachesEveryMemberAndEveryThreadOnce()
    {
        TaskTable table = NewTable();
        TaskStruct shell = table.Spawn("shell");
        TaskStruct job = table.Spawn("job", shell);
        table.SetPgid(job, 0);
        TaskStruct pipe = table.Spawn("pipe", job);
        TaskStruct worker = table.SpawnThread(pipe, "worker");
        TaskStruct bystander = table.Spawn("bystander", shell);

        TaskRef group = Tref.GetByTask(worker, PidType.Pgid);
        Assert.Equal(3, Tref.Kill(group, SigHup));
        foreach (TaskStruct member in new[] { job, pipe, worker })
        {
            Assert.Equal(new[] { SigHup }, member.TakePendingSignals());
        }

        Assert.Empty(shell.TakePendingSignals());
        Assert.Empty(bystander.TakePendingSignals());

        TaskRef process = Tref.GetByTask(pipe, PidType.Tgid);
        Assert.Equal(2, Tref.Kill(process, SigIo));
        Assert.Equal(new[] { SigIo }, pipe.TakePendingSignals());
        Assert.Equal(new[] { SigIo }, worker.TakePendingSignals());
        Assert.Empty(job.TakePendingSignals());

        TaskRef session = Tref.GetByTask(bystander, PidType.Sid);
        Assert.Equal(5, Tref.Kill(session, SigTerm));
        foreach (TaskStruct member in new[] { shell, job, pipe, worker, bystander })
        {
            Assert.Equal(new[] { SigTerm }, member.TakePendingSignals());
        }

        // The group keeps its members as the first one leaves.
        table.Exit(job);
        Assert.Equal(2, Tref.Kill(group, SigHup));
        Assert.Equal(new[] { SigHup }, pipe.TakePendingSignals());

        group.Put();
        process.Put();
        session.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void KillNeverReachesATaskThatReusedTheNumber()
    {
        TaskTable table = NewTable(pidMax: 8);
        TaskStruct leader = table.Spawn("leader");
        TaskStruct member = table.Spawn("member", leader);
        int n = leader.Pid;
        TaskRef group = Tref.GetByTask(member, PidType.Pgid);
        TaskRef pid = Tref.GetByTask(leader, PidType.Pid);
        table.Exit(leader);
        table.Exit(member);

        TaskStruct reuser = SpawnUntilPid(table, n, "reuser");
        TaskStruct reuserChild = table.Spawn("child", reuser);
        Assert.Equal(0, Tref.Kill(group, SigTerm));
        Assert.Equal(0, Tref.Kill(pid, SigTerm));
        Assert.Empty(reuser.TakePendingSignals());
        Assert.Empty(reuserChild.TakePendingSignals());

        // A fresh lookup of the number does reach the new group.
        TaskRef newGroup = Tref.GetByPid(table, n, PidType.Pgid);
        Assert.Equal(2, Tref.Kill(newGroup, SigTerm));
        Assert.Single(reuser.TakePendingSignals());
        newGroup.Put();
        group.Put();
        pid.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void SignalZeroCountsWithoutDelivering()
    {
        TaskTable table = NewTable();
        TaskStruct leader = table.Spawn("leader");
        TaskStruct child = table.Spawn("child", leader);
        TaskRef session = Tref.GetByTask(leader, PidType.Sid);

        Assert.Equal(2, Tref.Kill(session, 0));
        Assert.Empty(leader.TakePendingSignals());
        Assert.Empty(child.TakePendingSignals());
        using (table.ReadLock())
        {
            Assert.Equal(2, Tref.KillLocked(session, 0));
        }

        session.Put();
    }

    [Fact]
    public void SignalsAccumulateInOrder()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        Tref.Kill(r, 2);
        Tref.Kill(r, 3);
        using (table.ReadLock())
        {
            Tref.KillLocked(r, 4);
        }

        Assert.Equal(new[] { 2, 3, 4 }, task.TakePendingSignals());
        r.Put();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65)]
    public void BadSignalNumbersAreRejected(int signal)
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        Assert.Equal("signal", Assert.Throws<ArgumentOutOfRangeException>(() => Tref.Kill(r, signal)).ParamName);
        using (table.ReadLock())
        {
            Assert.Equal("signal", Assert.Throws<ArgumentOutOfRangeException>(() => Tref.KillLocked(r, signal)).ParamName);
        }

        Assert.Empty(task.TakePendingSignals());
        r.Put();
    }
}
