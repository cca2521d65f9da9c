using System;
using System.Runtime.CompilerServices;
using Xunit;
using static TrefGuard.Runtime.Tests.Support;

namespace TrefGuard.Runtime.Tests;

/// <summary>Semantic 5: pinned tasks, the table's references, and freeing with the stack released.</summary>
public sealed class PinnedTaskTests
{
    [Fact]
    public void SpawnedTaskHasTheTablesTwoReferencesAndARealStack()
    {
        TaskTable table = NewTable(stackSize: 4096);
        TaskStruct task = table.Spawn("task");

        Assert.Equal(2, task.Usage);
        Assert.False(task.HasExited);
        Assert.False(task.IsFreed);
        Assert.Same(table, task.Table);
        Assert.Equal("task", task.Name);
        Assert.NotNull(task.Stack);
        Assert.Equal(4096, task.Stack!.Length);
    }

    [Fact]
    public void ExitOfAnUnpinnedTaskFreesItAndReleasesItsStack()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        table.Exit(task);

        Assert.True(task.HasExited);
        Assert.True(task.IsFreed);
        Assert.Equal(0, task.Usage);
        Assert.Null(task.Stack);
        Assert.Equal(0, table.LiveTasks);
    }

    [Fact]
    public void APinnedTaskSurvivesExitUntilItsLastPut()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task").Get();
        Assert.Equal(3, task.Usage);

        table.Exit(task);
        Assert.True(task.HasExited);
        Assert.False(task.IsFreed);
        Assert.Equal(1, task.Usage);
        Assert.NotNull(task.Stack);
        Assert.Equal("task", task.Name); // still usable: pinned
        Assert.Equal(1, task.Pid);

        task.Put();
        Assert.True(task.IsFreed);
        Assert.Null(task.Stack);
    }

    [Fact]
    public void AFreedTasksStackIsCollectable()
    {
        TaskTable table = NewTable(stackSize: 64 * 1024);
        TaskStruct task = table.Spawn("task").Get();
        WeakReference<byte[]> stack = WeakStack(task);
        table.Exit(task);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(IsAlive(stack)); // pinned: still there

        task.Put();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(IsAlive(stack));
        GC.KeepAlive(task);
    }

    [Fact]
    public void GetTaskPinsTheTaskOrReturnsNull()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        TaskRef r = Tref.GetByTask(task, PidType.Pid);

        TaskStruct? pinned = r.GetTask();
        Assert.Same(task, pinned);
        Assert.Equal(3, task.Usage);

        table.Exit(task);
        Assert.Null(r.GetTask());
        Assert.Equal("task", pinned!.Name);
        Assert.Equal(1, pinned.Usage);
        pinned.Put();
        Assert.True(task.IsFreed);

        Assert.Null(TaskRef.None.GetTask());
        r.Put();
        AssertNothingOwned(table);
    }

    [Fact]
    public void UsingAFreedTaskThrows()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        table.Exit(task);

        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => task.Get());
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => task.Put());
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = task.Pid);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = task.Pgid);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = task.Sid);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = task.Tgid);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => _ = task.Name);
        AssertViolation(TrefViolation.UseAfterFree, "TG0005", () => task.TakePendingSignals());
        Assert.Equal(0, task.Usage);
        Assert.Contains("freed", task.ToString(), StringComparison.Ordinal);

        Assert.Equal("task", Assert.Throws<ObjectDisposedException>(() => table.Exit(task)).ObjectName);
        Assert.Equal("task", Assert.Throws<ObjectDisposedException>(() => Tref.GetByTask(task, PidType.Pid)).ObjectName);
        Assert.Equal("parent", Assert.Throws<ObjectDisposedException>(() => table.Spawn("child", task)).ObjectName);
        Assert.Equal("leader", Assert.Throws<ObjectDisposedException>(() => table.SpawnThread(task, "t")).ObjectName);
        Assert.Equal("task", Assert.Throws<ObjectDisposedException>(() => table.SetPgid(task, 0)).ObjectName);
        Assert.Equal("task", Assert.Throws<ObjectDisposedException>(() => table.SetSid(task)).ObjectName);
        Assert.Contains("TG0005", Assert.Throws<ObjectDisposedException>(() => table.SetSid(task)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PuttingOneOfTheTablesReferencesThrowsAndChangesNothing()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");

        AssertViolation(TrefViolation.PutBelowZero, "TG0004", () => task.Put());
        Assert.Equal(2, task.Usage);
        Assert.False(task.IsFreed);

        task.Get();
        task.Put();
        AssertViolation(TrefViolation.PutBelowZero, "TG0004", () => task.Put());
        Assert.Equal(2, task.Usage);
    }

    [Fact]
    public void TaskUsageSaturatesInsteadOfWrapping()
    {
        TaskTable table = NewTable();
        TaskStruct task = table.Spawn("task");
        task.SetCountForTesting(int.MaxValue);

        task.Get();
        Assert.Equal(int.MaxValue, task.Usage);
        task.Put();
        Assert.Equal(int.MaxValue, task.Usage);

        table.Exit(task); // a saturated count is never freed: it leaks rather than risk a use after free
        Assert.False(task.IsFreed);
        Assert.NotNull(task.Stack);
    }

    /// <summary>In its own frame so a Debug build's hidden local does not keep the array alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsAlive(WeakReference<byte[]> reference) => reference.TryGetTarget(out _);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<byte[]> WeakStack(TaskStruct task) => new(task.Stack!);
}
