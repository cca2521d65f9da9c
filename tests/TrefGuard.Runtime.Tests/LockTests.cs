using System;
using System.Threading;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 6 and the lock rules: many readers, guarded reads (TG0002), no self-deadlock (TG0006).</summary>
public sealed class LockTests
{
    [Fact]
    public void ReadGuardAdmitsManyReaders()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        using var bothInside = new Barrier(2);
        bool[] sawTask = new bool[2];
        Thread[] readers = new Thread[2];
        for (int i = 0; i < 2; i++)
        {
            int me = i;
            readers[i] = new Thread(() =>
            {
                using TasklistReadGuard guard = table.ReadLock();
                // Both threads must be inside at once for the barrier to open.
                bool together = bothInside.SignalAndWait(TimeSpan.FromSeconds(30));
                sawTask[me] = together && ReferenceEquals(guard.TaskOf(r), task);
            });
            readers[i].Start();
        }

        foreach (Thread reader in readers)
        {
            reader.Join();
        }

        Assert.Equal(new[] { true, true }, sawTask);
        r.Put();
    }

    [Fact]
    public void WriteGuardExcludesReaders()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskStruct? pinned = null;
        var reader = new Thread(() => pinned = r.GetTask());
        using (TasklistWriteGuard guard = table.WriteLock())
        {
            Assert.True(table.IsWriteLockHeld);
            reader.Start();
            Assert.False(reader.Join(TimeSpan.FromMilliseconds(200))); // blocked, not skipped
            Assert.Null(pinned);
        }

        reader.Join();
        Assert.Same(task, pinned);
        pinned!.Put();
        r.Put();
    }

    [Fact]
    public void GuardsReleaseOnDisposeIdempotentlyAndDefaultGuardsAreHarmless()
    {
        TaskTable table = NewTable();
        TasklistReadGuard read = table.ReadLock();
        Assert.True(table.IsLockHeld);
        Assert.True(read.IsHeld);
        Assert.Same(table, read.Table);
        read.Dispose();
        read.Dispose();
        Assert.False(table.IsLockHeld);
        Assert.False(read.IsHeld);

        TasklistWriteGuard write = table.WriteLock();
        TasklistWriteGuard copy = write;
        write.Dispose();
        copy.Dispose(); // a copy of a released guard must not release someone else's lock
        using (table.ReadLock())
        {
            copy.Dispose();
            Assert.True(table.IsLockHeld);
        }

        Assert.False(table.IsLockHeld);

        default(TasklistReadGuard).Dispose();
        default(TasklistWriteGuard).Dispose();
        Assert.False(default(TasklistReadGuard).IsHeld);
        Assert.Null(default(TasklistReadGuard).TaskOf(TaskRef.None));
        Assert.Null(default(TasklistWriteGuard).TaskOf(TaskRef.None));
        Assert.Null(default(TasklistWriteGuard).Table);
    }

    [Fact]
    public void TaskOfThroughADefaultGuardStillNeedsTheLock()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => default(TasklistReadGuard).TaskOf(r));
        r.Put();
    }

    [Fact]
    public void RawTaskReadWithoutTheLockThrows()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);

        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => _ = r.Task);
        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => table.FindTask(task.Pid, PidType.Pid));
        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => Tref.KillLocked(r, 1));
        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => table.AssertLockHeld());
        Assert.Empty(task.TakePendingSignals());

        using (TasklistReadGuard guard = table.ReadLock())
        {
            table.AssertLockHeld();
            Assert.Same(task, r.Task);
            Assert.Same(task, table.FindTask(task.Pid, PidType.Pid));
            Assert.Equal(1, Tref.KillLocked(r, 1));
        }

        using (TasklistWriteGuard guard = table.WriteLock())
        {
            table.AssertLockHeld();
            Assert.Same(task, guard.TaskOf(r));
        }

        Assert.Equal(new[] { 1 }, task.TakePendingSignals());
        Assert.True(r.IsAlive); // the peek needs no lock
        r.Put();
    }

    [Fact]
    public void TheLockHeldByAnotherThreadDoesNotCount()
    {
        TaskTable table = NewTable();
        TaskRef r = Tref.GetByTask(table.Spawn("task"), PidType.Pid);
        Exception? seen = null;
        using (table.ReadLock())
        {
            var other = new Thread(() =>
            {
                try
                {
                    _ = r.Task;
                }
                catch (TrefDisciplineException ex)
                {
                    seen = ex;
                }
            });
            other.Start();
            other.Join();
        }

        Assert.Equal(TrefViolation.LockNotHeld, Assert.IsType<TrefDisciplineException>(seen).Violation);
        r.Put();
    }

    [Fact]
    public void WithoutCheckLocksRawReadsAreAllowedButAssertLockHeldStillChecks()
    {
        TaskTable table = NewTable(checkLocks: false);
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);

        Assert.False(table.CheckLocks);
        Assert.Same(task, r.Task);
        Assert.Same(task, table.FindTask(task.Pid, PidType.Pid));
        Assert.Equal(1, Tref.KillLocked(r, 3));
        AssertViolation(TrefViolation.LockNotHeld, "TG0002", () => table.AssertLockHeld());
        r.Put();
    }

    [Fact]
    public void EveryLockTakingCallUnderTheLockThrowsInsteadOfDeadlocking()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskStruct other = table.Spawn("other", task);
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskRef none = TaskRef.None.Get();
        TaskRef? slot = null;
        Tref.Init(ref slot);
        TaskRef fresh = Tref.GetByTask(task, PidType.Sid);
        string before = Fingerprint(table);

        foreach (bool write in new[] { false, true })
        {
            TasklistReadGuard read = write ? default : table.ReadLock();
            TasklistWriteGuard writeGuard = write ? table.WriteLock() : default;
            try
            {
                Action[] calls =
                {
                    () => r.Put(),
                    () => none.Put(),
                    () => r.GetTask(),
                    () => TaskRef.None.GetTask(),
                    () => Tref.GetByTask(task, PidType.Pid),
                    () => Tref.GetByPid(table, task.Pid, PidType.Pid),
                    () => Tref.Set(ref slot, fresh),
                    () => Tref.Reset(ref slot),
                    () => Tref.Fini(ref slot),
                    () => Tref.Kill(r, 1),
                    () => Tref.Kill(TaskRef.None, 1),
                    () => table.Spawn("x"),
                    () => table.SpawnThread(task, "x"),
                    () => table.SetPgid(other, 0),
                    () => table.SetSid(other),
                    () => table.Exit(other),
                    () => table.ReadLock().Dispose(),
                    () => table.WriteLock().Dispose(),
                };
                foreach (Action call in calls)
                {
                    AssertViolation(TrefViolation.LockAlreadyHeld, "TG0006", call);
                }
            }
            finally
            {
                read.Dispose();
                writeGuard.Dispose();
            }
        }

        // Nothing changed: every count is where it was, and the calls work once the lock is gone.
        Assert.Equal(before, Fingerprint(table));
        Assert.Equal(1, r.RefCount);
        Assert.Same(TaskRef.None, slot);
        Assert.Empty(task.TakePendingSignals());
        Tref.Set(ref slot, fresh);
        Tref.Fini(ref slot);
        r.Put();
        none.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void PinningAndUnpinningATaskUnderTheLockIsAllowed()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);
        TaskStruct pinned;
        using (TasklistReadGuard guard = table.ReadLock())
        {
            pinned = guard.TaskOf(r)!.Get(); // get_task_struct under the lock is the documented way out
        }

        table.Exit(task);
        Assert.Equal("task", pinned.Name);
        using (table.ReadLock())
        {
            pinned.Put(); // put_task_struct takes no lock, so it may free under the lock
        }

        Assert.True(task.IsFreed);
        r.Put();
    }

    [Fact]
    public void TaskOfRefusesATrefOfAnotherTable()
    {
        TaskTable one = NewTable();
        TaskTable two = NewTable();
        TaskRef r = Tref.GetByTask(two.Spawn("task"), PidType.Pid);
        using (TasklistReadGuard guard = one.ReadLock())
        {
            try
            {
                guard.TaskOf(r);
                Assert.Fail("TaskOf accepted a tref of another table");
            }
            catch (ArgumentException ex)
            {
                Assert.Equal("r", ex.ParamName);
            }
        }

        r.Put();
    }
}
