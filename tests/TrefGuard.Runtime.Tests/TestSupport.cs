using System;
using System.Collections.Generic;
using System.Text;
using Xunit;

namespace TrefGuard.Runtime.Tests;

/// <summary>Tests that read or set <see cref="TaskRef.None"/>'s process-wide count run alone, after the rest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NoneCountCollection
{
    public const string Name = "TaskRef.None count";
}

internal static class Support
{
    public static TaskTable NewTable(int pidMax = 64, bool trackLeaks = true, bool checkLocks = true, int? reservedPids = null, int stackSize = 8192)
    {
        var options = new TaskTableOptions { PidMax = pidMax, TrackLeaks = trackLeaks, CheckLocks = checkLocks, StackSize = stackSize };
        if (reservedPids is int reserved)
        {
            options.ReservedPids = reserved;
        }

        return new TaskTable(options);
    }

    /// <summary>The task a tref names, read under the lock; only for identity comparisons in asserts.</summary>
    public static TaskStruct? TaskOf(TaskRef r)
    {
        if (r.Table is null)
        {
            return null;
        }

        using TasklistReadGuard guard = r.Table.ReadLock();
        return guard.TaskOf(r);
    }

    public static TaskStruct? Find(TaskTable table, int nr, PidType type)
    {
        using TasklistReadGuard guard = table.ReadLock();
        return table.FindTask(nr, type);
    }

    public static void AssertSound(TaskTable table)
    {
        IReadOnlyList<string> problems = table.FindInvariantViolations();
        Assert.True(problems.Count == 0, "Table invariants broken:\n" + string.Join("\n", problems));
    }

    public static void AssertNothingOwned(TaskTable table)
    {
        IReadOnlyList<OutstandingReference> owned = table.OutstandingRefs;
        Assert.True(owned.Count == 0, "Still owned:\n" + string.Join("\n", owned));
    }

    /// <summary>Everything observable about who holds which number: equal before and after means "unchanged".</summary>
    public static string Fingerprint(TaskTable table)
    {
        var text = new StringBuilder();
        text.Append("live=").Append(table.LiveTasks).Append(" trefs=").Append(table.LiveRefCount).AppendLine();
        using TasklistReadGuard guard = table.ReadLock();
        foreach (PidType type in Enum.GetValues<PidType>())
        {
            for (int nr = 1; nr < table.PidMax; nr++)
            {
                TaskStruct? task = table.FindTask(nr, type);
                if (task is not null)
                {
                    text.Append(type).Append(' ').Append(nr).Append(" -> ").Append(task.ToString()).AppendLine();
                }
            }
        }

        return text.ToString();
    }

    public static TrefDisciplineException AssertViolation(TrefViolation violation, string ruleId, Action action)
    {
        TrefDisciplineException ex = Assert.Throws<TrefDisciplineException>(action);
        Assert.Equal(violation, ex.Violation);
        Assert.Equal(ruleId, ex.RuleId);
        Assert.StartsWith(ruleId + ":", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    /// <summary>Spawns until a task gets <paramref name="nr"/>, exiting every other task spawned on the way.</summary>
    public static TaskStruct SpawnUntilPid(TaskTable table, int nr, string name)
    {
        for (int i = 0; i < table.PidMax * 2; i++)
        {
            TaskStruct task = table.Spawn(name);
            if (task.Pid == nr)
            {
                return task;
            }

            table.Exit(task);
        }

        throw new InvalidOperationException($"pid {nr} was never handed out again");
    }
}
