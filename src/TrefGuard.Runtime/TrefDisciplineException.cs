using System;

namespace TrefGuard;

/// <summary>
/// The rule of the task-reference discipline that a <see cref="TrefDisciplineException"/> reports. Each value
/// matches the analyzer diagnostic that finds the same mistake at build time.
/// </summary>
public enum TrefViolation
{
    /// <summary>
    /// A reference was released that was not owned: the count would go below zero, or below the references the
    /// table itself holds on a live task (TG0004; the kernel's <c>tref_put</c>/<c>put_task_struct</c> underflow).
    /// </summary>
    PutBelowZero = 1,

    /// <summary>
    /// <see cref="TaskRef.None"/> was put more often than it was taken and would drop to zero
    /// (TG0004; the kernel's <c>BUG_ON(ref == &amp;init_tref)</c>).
    /// </summary>
    NoneDroppedToZero = 2,

    /// <summary>
    /// <see cref="Tref.Set"/>, <see cref="Tref.Reset"/> or <see cref="Tref.Fini"/> on a slot that
    /// <see cref="Tref.Init"/> never initialized (TG0003).
    /// </summary>
    UninitializedSlot = 3,

    /// <summary>
    /// A <c>[GuardedBy("tasklist")]</c> read or a <c>[RequiresLock("tasklist")]</c> call without the table's lock
    /// (TG0002; "the tasklist_lock must be held"), or a failed <see cref="TaskTable.AssertLockHeld"/>.
    /// </summary>
    LockNotHeld = 4,

    /// <summary>
    /// A call that takes the tasklist lock made by a thread that already holds it (TG0006; the kernel's
    /// <c>might_sleep</c>): the lock does not recurse, so the call would deadlock.
    /// </summary>
    LockAlreadyHeld = 5,

    /// <summary>A task or task reference used after its last reference was released (TG0005).</summary>
    UseAfterFree = 6,
}

/// <summary>
/// Thrown when code breaks the task-reference discipline at run time: the dynamic counterpart of the TrefGuard
/// analyzers. The message starts with the rule id (for example <c>TG0004</c>) of the diagnostic that reports the
/// same mistake at build time. Nothing is changed by the call that throws it.
/// </summary>
public sealed class TrefDisciplineException : InvalidOperationException
{
    internal TrefDisciplineException(TrefViolation violation, string ruleId, string message)
        : base(ruleId + ": " + message)
    {
        Violation = violation;
        RuleId = ruleId;
    }

    /// <summary>Which rule was broken.</summary>
    public TrefViolation Violation { get; }

    /// <summary>The id of the analyzer rule that finds the same mistake statically, for example <c>"TG0006"</c>.</summary>
    public string RuleId { get; }
}
