using System;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Bad arguments throw the ArgumentException family (or ObjectDisposedException), name the argument, and change nothing.</summary>
public sealed class BadInputTests
{
    private readonly TaskTable _table = NewTable(pidMax: 32);
    private readonly TaskTable _other = NewTable(pidMax: 32);
    private readonly TaskStruct _task;
    private readonly TaskStruct _foreign;
    private readonly TaskStruct _exited;

    public BadInputTests()
    {
        _task = _table.Spawn("task");
        _table.Spawn("child", _task);
        _exited = _table.Spawn("exited").Get();
        _table.Exit(_exited);
        _foreign = _other.Spawn("foreign");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(32)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void PidNumbersOutOfRange(int nr)
    {
        AssertRejected<ArgumentOutOfRangeException>("nr", () => Tref.GetByPid(_table, nr, PidType.Pid));
        AssertRejected<ArgumentOutOfRangeException>("nr", () =>
        {
            using (_table.ReadLock())
            {
                _table.FindTask(nr, PidType.Pid);
            }
        });
        AssertRejected<ArgumentOutOfRangeException>("pgid", () => _table.SetPgid(_task, nr));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(42)]
    [InlineData(-1)]
    public void UndefinedPidTypes(int type)
    {
        AssertRejected<ArgumentOutOfRangeException>("type", () => Tref.GetByTask(_task, (PidType)type));
        AssertRejected<ArgumentOutOfRangeException>("type", () => Tref.GetByPid(_table, 1, (PidType)type));
        AssertRejected<ArgumentOutOfRangeException>("type", () =>
        {
            using (_table.ReadLock())
            {
                _table.FindTask(1, (PidType)type);
            }
        });
    }

    [Fact]
    public void NullArguments()
    {
        TaskRef? slot = null;
        Tref.Init(ref slot);
        AssertRejected<ArgumentNullException>("task", () => Tref.GetByTask(null!, PidType.Pid));
        AssertRejected<ArgumentNullException>("table", () => Tref.GetByPid(null!, 1, PidType.Pid));
        AssertRejected<ArgumentNullException>("name", () => _table.Spawn(null!));
        AssertRejected<ArgumentNullException>("name", () => _table.SpawnThread(_task, null!));
        AssertRejected<ArgumentNullException>("leader", () => _table.SpawnThread(null!, "t"));
        AssertRejected<ArgumentNullException>("task", () => _table.SetPgid(null!, 0));
        AssertRejected<ArgumentNullException>("task", () => _table.SetSid(null!));
        AssertRejected<ArgumentNullException>("task", () => _table.Exit(null!));
        AssertRejected<ArgumentNullException>("r", () => Tref.Set(ref slot, null!));
        AssertRejected<ArgumentNullException>("r", () => Tref.Kill(null!, 1));
        AssertRejected<ArgumentNullException>("r", () =>
        {
            using (_table.ReadLock())
            {
                Tref.KillLocked(null!, 1);
            }
        });
        AssertRejected<ArgumentNullException>("options", () => new TaskTable(null!));
        Assert.Same(TaskRef.None, slot);
        Tref.Fini(ref slot);
    }

    [Fact]
    public void TasksOfAnotherTable()
    {
        AssertRejected<ArgumentException>("parent", () => _table.Spawn("x", _foreign));
        AssertRejected<ArgumentException>("leader", () => _table.SpawnThread(_foreign, "x"));
        AssertRejected<ArgumentException>("task", () => _table.SetPgid(_foreign, 0));
        AssertRejected<ArgumentException>("task", () => _table.SetSid(_foreign));
        AssertRejected<ArgumentException>("task", () => _table.Exit(_foreign));
        Assert.False(_foreign.HasExited);
    }

    [Fact]
    public void ExitedTasks()
    {
        AssertRejected<ArgumentException>("task", () => _table.Exit(_exited));
        AssertRejected<ArgumentException>("parent", () => _table.Spawn("x", _exited));
        AssertRejected<ArgumentException>("leader", () => _table.SpawnThread(_exited, "x"));
        AssertRejected<ArgumentException>("task", () => _table.SetPgid(_exited, 0));
        AssertRejected<ArgumentException>("task", () => _table.SetSid(_exited));
    }

    [Fact]
    public void FreedTasks()
    {
        _exited.Put();
        Assert.True(_exited.IsFreed);
        AssertRejected<ObjectDisposedException>("task", () => _table.Exit(_exited));
        AssertRejected<ObjectDisposedException>("parent", () => _table.Spawn("x", _exited));
        AssertRejected<ObjectDisposedException>("task", () => Tref.GetByTask(_exited, PidType.Pgid));
    }

    [Theory]
    [InlineData(1, null, null, "PidMax")]
    [InlineData(0, null, null, "PidMax")]
    [InlineData(TaskTableOptions.PidMaxLimit + 1, null, null, "PidMax")]
    [InlineData(100, 0, null, "ReservedPids")]
    [InlineData(100, 100, null, "ReservedPids")]
    [InlineData(100, null, 0, "StackSize")]
    [InlineData(100, null, TaskTableOptions.MaxStackSize + 1, "StackSize")]
    public void OptionsOutOfRange(int pidMax, int? reserved, int? stackSize, string property)
    {
        var options = new TaskTableOptions { PidMax = pidMax };
        if (reserved is int r)
        {
            options.ReservedPids = r;
        }

        if (stackSize is int s)
        {
            options.StackSize = s;
        }

        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(() => new TaskTable(options)).ParamName);
    }

    [Fact]
    public void SmallestAndLargestOptionsAreAccepted()
    {
        var tiny = new TaskTable(new TaskTableOptions { PidMax = 2, StackSize = 1 });
        Assert.Equal(1, tiny.Spawn("only").Pid);
        Assert.Throws<InvalidOperationException>(() => tiny.Spawn("no room"));
        var huge = new TaskTable(new TaskTableOptions { PidMax = TaskTableOptions.PidMaxLimit, ReservedPids = TaskTableOptions.PidMaxLimit - 1 });
        Assert.Equal(TaskTableOptions.PidMaxLimit - 1, huge.ReservedPids);
    }

    private void AssertRejected<TException>(string paramName, Action action)
        where TException : Exception
    {
        string before = Fingerprint(_table);
        int none = _task.Usage;
        TException ex = Assert.ThrowsAny<TException>(action);
        string? named = ex switch
        {
            ArgumentException a => a.ParamName,
            ObjectDisposedException d => d.ObjectName,
            _ => null,
        };
        Assert.Equal(paramName, named);
        Assert.Equal(before, Fingerprint(_table));
        Assert.Equal(none, _task.Usage);
        AssertSound(_table);
        Assert.All(_table.OutstandingRefs, owned => Assert.Same(_exited, owned.Task)); // only the fixture's own pin
    }
}
