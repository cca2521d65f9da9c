using Microsoft.CodeAnalysis;

namespace TrefGuard.Analyzers;

/// <summary>
/// The rule catalog: every descriptor TrefGuard reports, built through one factory so that ids, help links
/// and categories stay consistent. Message arguments are part of the contract with the tests and fixers.
/// </summary>
internal static class Descriptors
{
    private const string Ownership = "Ownership";
    private const string Locking = "Locking";
    private const string Slots = "Slots";
    private const string Configuration = "Configuration";

    /// <summary>{0} the variable or expression, {1} the exit that leaks it ("return", "end of the method", …), {2} its line.</summary>
    public static readonly DiagnosticDescriptor TG0001_MissedPut = Create(
        RuleIdentifiers.MissedPut,
        "Owned reference is not released on every path",
        "The {1} on line {2} leaves '{0}' unreleased",
        Ownership,
        DiagnosticSeverity.Warning,
        "A value returned by an [AcquiresReference] member (Tref.GetByTask, TaskRef.GetTask, TaskStruct.Get, …) is owned by the caller, who must release it with its [ReleasesReference] member (Put) on every path, or hand it on: return it, pass it to a [TransfersOwnership] parameter, or store it with Tref.Set.");

    /// <summary>{0} the member, {1} the lock's name.</summary>
    public static readonly DiagnosticDescriptor TG0002_UnlockedGuardedAccess = Create(
        RuleIdentifiers.UnlockedGuardedAccess,
        "Guarded member used without its lock",
        "'{0}' requires the '{1}' lock, which is not held here",
        Locking,
        DiagnosticSeverity.Warning,
        "A [GuardedBy] member may only be read, and a [RequiresLock] member only called, while the named lock is held: take it with a guard (using var g = table.ReadLock()), pin the task with GetTask(), or, for a null test, use TaskRef.IsAlive.");

    /// <summary>{0} the slot, {1} the method it is passed to.</summary>
    public static readonly DiagnosticDescriptor TG0003_UninitializedSlot = Create(
        RuleIdentifiers.UninitializedSlot,
        "Slot used before it is initialized",
        "Slot '{0}' is passed to '{1}' before it is definitely initialized by Tref.Init",
        Slots,
        DiagnosticSeverity.Warning,
        "Tref.Set, Tref.Reset and Tref.Fini release the reference a slot holds, so the slot must first be initialized by Tref.Init (or another [InitializesSlot] call): locals on every path, fields in every constructor.");

    /// <summary>{0} the variable, {1} the line of the earlier release.</summary>
    public static readonly DiagnosticDescriptor TG0004_DoublePut = Create(
        RuleIdentifiers.DoublePut,
        "Reference released twice",
        "'{0}' is released again here; it was already released on line {1}",
        Ownership,
        DiagnosticSeverity.Warning,
        "Each owned reference is released exactly once. A second release drops a count that belongs to someone else and can free the object under them.");

    /// <summary>{0} the variable, {1} the line of the release.</summary>
    public static readonly DiagnosticDescriptor TG0005_UseAfterPut = Create(
        RuleIdentifiers.UseAfterPut,
        "Reference used after it was released",
        "'{0}' is used after it was released on line {1}",
        Ownership,
        DiagnosticSeverity.Warning,
        "After Put the caller no longer owns the reference: the object may already be freed or reused. Use it before the release.");

    /// <summary>{0} the member, {1} the lock's name, {2} the line where the lock was taken.</summary>
    public static readonly DiagnosticDescriptor TG0006_ExcludedLockHeld = Create(
        RuleIdentifiers.ExcludedLockHeld,
        "Lock-taking call while holding the lock",
        "'{0}' takes the '{1}' lock, which is already held here (taken on line {2}): this deadlocks",
        Locking,
        DiagnosticSeverity.Error,
        "An [ExcludesLock] member (Put, GetByTask, Spawn, Exit, …) takes the lock itself, and the lock does not recurse: calling it while holding the lock deadlocks (the kernel's might_sleep). Call it after the lock's scope.");

    /// <summary>{0} the slot.</summary>
    public static readonly DiagnosticDescriptor TG0007_SlotOverwritten = Create(
        RuleIdentifiers.SlotOverwritten,
        "Initialized slot overwritten by assignment",
        "Assigning to slot '{0}' overwrites the reference it holds without releasing it; use Tref.Set",
        Slots,
        DiagnosticSeverity.Warning,
        "An initialized slot always holds a reference. Plain assignment leaks it; Tref.Set releases the old reference and stores the new one.");

    /// <summary>{0} the acquiring member.</summary>
    public static readonly DiagnosticDescriptor TG0008_DiscardedAcquisition = Create(
        RuleIdentifiers.DiscardedAcquisition,
        "Acquired reference discarded",
        "The reference returned by '{0}' is discarded and can never be released",
        Ownership,
        DiagnosticSeverity.Warning,
        "The result of an [AcquiresReference] member carries a count. Discarding it leaks that count for good.");

    /// <summary>{0} the variable, {1} the lock's name, {2} the line where the lock's scope ends.</summary>
    public static readonly DiagnosticDescriptor TG0009_TaskUsedAfterUnlock = Create(
        RuleIdentifiers.TaskUsedAfterUnlock,
        "Task read under the lock used after the lock is released",
        "'{0}' was read under the '{1}' lock and is used after the lock is released on line {2}; pin it with Get() first",
        Locking,
        DiagnosticSeverity.Warning,
        "A task read through a guarded member is only valid while the lock is held: once it is released the task may exit and be freed. Pin it with Get() inside the lock and Put() it after use.");

    /// <summary>{0} the variable, {1} the throwing operation, {2} its line.</summary>
    public static readonly DiagnosticDescriptor TG0010_LeakOnException = Create(
        RuleIdentifiers.LeakOnException,
        "Reference leaks when an exception is thrown",
        "'{0}' leaks when an exception is thrown by the {1} on line {2}; release it in a finally block",
        Ownership,
        DiagnosticSeverity.Info,
        "The reference is released on every normal path, but an exception thrown while it is owned skips the release. Release it in a finally block.");

    /// <summary>{0} the field, {1} the containing type.</summary>
    public static readonly DiagnosticDescriptor TG0011_SlotNeverFinalized = Create(
        RuleIdentifiers.SlotNeverFinalized,
        "Slot field never finalized",
        "Slot field '{0}' is initialized but '{1}' never finalizes it in Dispose",
        Slots,
        DiagnosticSeverity.Info,
        "A slot initialized by its owner holds a reference for the owner's lifetime: the owner's Dispose must release it with Tref.Fini.");

    /// <summary>{0} the file, {1} the line, {2} what is wrong.</summary>
    public static readonly DiagnosticDescriptor TG0012_MalformedAnnotationFile = Create(
        RuleIdentifiers.MalformedAnnotationFile,
        "Malformed external annotation",
        "{0}({1}): {2}",
        Configuration,
        DiagnosticSeverity.Warning,
        "Each line of TrefGuard.annotations.txt names a member by its documentation id and one annotation. A line that cannot be read is ignored; the others still apply.");

    /// <summary>{0} the method, {1} the line of the return.</summary>
    public static readonly DiagnosticDescriptor TG0013_ReturnsUnownedReference = Create(
        RuleIdentifiers.ReturnsUnownedReference,
        "An [AcquiresReference] method returns a reference it does not own",
        "'{0}' is marked [AcquiresReference], but the return on line {1} returns a reference it does not own",
        Ownership,
        DiagnosticSeverity.Warning,
        "Callers own what an [AcquiresReference] member returns and will release it, so every return must hand out a reference the method owns: the result of an acquisition (r.Get(), Tref.GetByTask, …) or a [TransfersOwnership] parameter. Returning a field, TaskRef.None, a borrowed parameter or another borrowed value gives the caller a count nobody took.");

    private static DiagnosticDescriptor Create(string id, string title, string messageFormat, string category, DiagnosticSeverity severity, string description)
        => new(id, title, messageFormat, category, severity, isEnabledByDefault: true, description, RuleIdentifiers.GetHelpUri(id));
}
