using System.Collections.Generic;
using System.Text;

namespace TrefGuard;

/// <summary>
/// One entry of <see cref="TaskTable.OutstandingRefs"/>: a task reference, or a pinned task, that somebody still
/// owns. Exactly one of <see cref="Ref"/> and <see cref="Task"/> is set.
/// </summary>
public sealed class OutstandingReference
{
    internal OutstandingReference(TaskRef? reference, TaskStruct? task, int count, IReadOnlyList<string> acquiredAt)
    {
        Ref = reference;
        Task = task;
        Count = count;
        AcquiredAt = acquiredAt;
    }

    /// <summary>The still-owned task reference (a <c>struct task_ref</c> with a nonzero count), or null.</summary>
    public TaskRef? Ref { get; }

    /// <summary>
    /// The pinned task (a <c>task_struct</c> with references from <c>get_task_struct</c> not yet put), or null.
    /// </summary>
    public TaskStruct? Task { get; }

    /// <summary>
    /// How many references are owned: the tref's count, or the task's usage minus the references the table
    /// itself holds while the task is live.
    /// </summary>
    public int Count { get; }

    /// <summary>
    /// With <see cref="TaskTableOptions.TrackLeaks"/>, the call site of each acquisition not yet released (one
    /// per owned reference, oldest first); empty otherwise.
    /// </summary>
    public IReadOnlyList<string> AcquiredAt { get; }

    /// <summary>Describes the reference, its count and where it was taken, for test failure messages.</summary>
    /// <returns>A multi-line description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Ref is not null)
        {
            text.Append(Ref.ToString());
        }
        else if (Task is not null)
        {
            text.Append("pinned ").Append(Task.ToString());
        }

        text.Append(" x").Append(Count);
        foreach (string site in AcquiredAt)
        {
            text.AppendLine().Append("  taken ").Append(site.Replace("\n", "\n    ", System.StringComparison.Ordinal));
        }

        return text.ToString();
    }
}
