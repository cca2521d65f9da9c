using System;
using TrefGuard.Annotations;

namespace TrefGuard;

/// <summary>
/// Holds a table's lock for reading (the kernel's <c>read_lock(&amp;tasklist_lock)</c> ...
/// <c>read_unlock</c>) until disposed. Returned by <see cref="TaskTable.ReadLock"/>; use it with
/// <c>using var guard = table.ReadLock();</c>. Being a <c>ref struct</c>, it cannot outlive the frame that took
/// the lock, nor be captured by a lambda, an iterator or an async method, so tasks read through it are used
/// only while the lock is held. <c>default(TasklistReadGuard)</c> holds nothing and its Dispose does nothing.
/// </summary>
public readonly ref struct TasklistReadGuard
{
    private readonly TaskTable? _table;
    private readonly long _sequence;

    internal TasklistReadGuard(TaskTable table, long sequence)
    {
        _table = table;
        _sequence = sequence;
    }

    /// <summary>The table whose lock this guard holds; null for a default guard.</summary>
    public TaskTable? Table => _table;

    /// <summary>True while this guard's acquisition is still held by the calling thread.</summary>
    public bool IsHeld => _table is not null && LockTracker.IsCurrent(_table, _sequence);

    /// <summary>
    /// The task <paramref name="r"/> names (<c>r-&gt;task</c> under the lock), or null; valid while the guard is
    /// held. To use it afterwards, pin it with <see cref="TaskStruct.Get"/> before disposing the guard.
    /// </summary>
    /// <param name="r">A tref of this guard's table, or <see cref="TaskRef.None"/>.</param>
    /// <returns>The first task holding the tref's pid, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="r"/> belongs to another table.</exception>
    /// <exception cref="TrefDisciplineException">Lock checks are on and the lock is not held (TG0002).</exception>
    [RequiresLock("tasklist")]
    public TaskStruct? TaskOf(TaskRef r) => Guards.TaskOf(_table, r);

    /// <summary>Releases the lock (<c>read_unlock</c>). Idempotent: later calls do nothing.</summary>
    public void Dispose() => _table?.Release(_sequence);
}

/// <summary>
/// Holds a table's lock for writing (the kernel's <c>write_lock_irq(&amp;tasklist_lock)</c> ...
/// <c>write_unlock_irq</c>) until disposed. Returned by <see cref="TaskTable.WriteLock"/>; use it with
/// <c>using var guard = table.WriteLock();</c>. <c>default(TasklistWriteGuard)</c> holds nothing and its Dispose
/// does nothing.
/// </summary>
public readonly ref struct TasklistWriteGuard
{
    private readonly TaskTable? _table;
    private readonly long _sequence;

    internal TasklistWriteGuard(TaskTable table, long sequence)
    {
        _table = table;
        _sequence = sequence;
    }

    /// <summary>The table whose lock this guard holds; null for a default guard.</summary>
    public TaskTable? Table => _table;

    /// <summary>True while this guard's acquisition is still held by the calling thread.</summary>
    public bool IsHeld => _table is not null && LockTracker.IsCurrent(_table, _sequence);

    /// <summary>
    /// The task <paramref name="r"/> names (<c>r-&gt;task</c> under the lock), or null; valid while the guard is
    /// held.
    /// </summary>
    /// <param name="r">A tref of this guard's table, or <see cref="TaskRef.None"/>.</param>
    /// <returns>The first task holding the tref's pid, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="r"/> belongs to another table.</exception>
    /// <exception cref="TrefDisciplineException">Lock checks are on and the lock is not held (TG0002).</exception>
    [RequiresLock("tasklist")]
    public TaskStruct? TaskOf(TaskRef r) => Guards.TaskOf(_table, r);

    /// <summary>Releases the lock (<c>write_unlock_irq</c>). Idempotent: later calls do nothing.</summary>
    public void Dispose() => _table?.Release(_sequence);
}

/// <summary>What both guards share.</summary>
internal static class Guards
{
    internal static TaskStruct? TaskOf(TaskTable? table, TaskRef r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (table is not null && r.Table is not null && !ReferenceEquals(table, r.Table))
        {
            throw Errors.OtherTable(nameof(r));
        }

        return r.Task;
    }
}
