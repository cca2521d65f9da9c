using System;

namespace TrefGuard;

/// <summary>Builds the exceptions of the discipline so every message names its rule the same way.</summary>
internal static class Errors
{
    internal const string LockRequired = "TG0002";
    internal const string Uninitialized = "TG0003";
    internal const string DoublePut = "TG0004";
    internal const string UseAfterRelease = "TG0005";
    internal const string PutUnderLock = "TG0006";

    internal static TrefDisciplineException PutBelowZero(string operation, long count) =>
        new(TrefViolation.PutBelowZero, DoublePut,
            $"{operation} released a reference the caller did not own (count {count}): a double put, which the kernel's tref_put/put_task_struct would underflow.");

    internal static TrefDisciplineException TableReferencePut(string operation) =>
        new(TrefViolation.PutBelowZero, DoublePut,
            $"{operation} would release one of the two references the table holds on a live task (its own and release_task's); only references taken with TaskStruct.Get() or TaskRef.GetTask() may be put.");

    internal static TrefDisciplineException NoneToZero() =>
        new(TrefViolation.NoneDroppedToZero, DoublePut,
            "TaskRef.Put would drop TaskRef.None (init_tref) to zero: it was put more often than it was taken (the kernel's BUG_ON(ref == &init_tref)).");

    internal static TrefDisciplineException UninitializedSlot(string operation) =>
        new(TrefViolation.UninitializedSlot, Uninitialized,
            $"{operation} on a slot that Tref.Init never initialized (it is null); nothing was changed. Call Tref.Init(ref slot) first (the kernel's tref_init).");

    internal static TrefDisciplineException LockNotHeld(string what) =>
        new(TrefViolation.LockNotHeld, LockRequired,
            $"{what} requires the tasklist lock, which the calling thread does not hold (\"the tasklist_lock must be held\"): take table.ReadLock() around it, or pin the task with TaskRef.GetTask().");

    internal static TrefDisciplineException LockAlreadyHeld(string operation) =>
        new(TrefViolation.LockAlreadyHeld, PutUnderLock,
            $"{operation} takes the tasklist lock, which the calling thread already holds: the lock does not recurse, so this would self-deadlock (the kernel's might_sleep). Move the call after the lock's scope.");

    internal static TrefDisciplineException UseAfterFree(string what) =>
        new(TrefViolation.UseAfterFree, UseAfterRelease, what);

    internal static ObjectDisposedException FreedArgument(string paramName) =>
        new(paramName,
            $"{UseAfterRelease}: argument '{paramName}' is a task whose last reference was released (it was freed and its stack returned); pin a task with Get() before its exit to keep using it.");

    internal static ArgumentException OtherTable(string paramName) =>
        new($"Argument '{paramName}' belongs to another TaskTable.", paramName);

    internal static ArgumentOutOfRangeException BadType(PidType type, string paramName) =>
        new(paramName, type, "Not a defined PidType (Pid, Tgid, Pgid or Sid).");
}
