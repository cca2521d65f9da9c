using System;

namespace TrefGuard.Annotations;

/// <summary>
/// The marked field or property may only be read while the named lock is held
/// (the kernel's "the tasklist_lock must be held"). Checked by TG0002 and TG0009.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = true)]
public sealed class GuardedByAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public GuardedByAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// The marked member may only be called while the named lock is held; inside it the lock is assumed held.
/// Checked by TG0002.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor, Inherited = true, AllowMultiple = true)]
public sealed class RequiresLockAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public RequiresLockAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// The marked method takes the named lock and returns a guard whose <c>Dispose</c> releases it
/// (the kernel's <c>read_lock</c> / <c>write_lock_irq</c>). A method returning <c>void</c> takes the lock
/// until a matching <see cref="ReleasesLockAttribute"/> call.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class AcquiresLockAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public AcquiresLockAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// The marked method releases the named lock, for lock APIs without a guard object
/// (<c>Monitor.Exit</c>, <c>ReaderWriterLockSlim.ExitReadLock</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ReleasesLockAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public ReleasesLockAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// The marked member takes the named lock itself, so calling it while holding that lock deadlocks
/// (the kernel's <c>might_sleep</c>). Checked by TG0006.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor, Inherited = true, AllowMultiple = true)]
public sealed class ExcludesLockAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public ExcludesLockAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// The marked method is a runtime assertion that the named lock is held (the kernel's
/// <c>lockdep_assert_held</c>); after a call to it the analyzer counts the lock as held.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class AssertsLockAttribute : Attribute
{
    /// <summary>Creates the annotation.</summary>
    /// <param name="lockName">The lock's name, for example <c>"tasklist"</c>.</param>
    public AssertsLockAttribute(string lockName) => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}
