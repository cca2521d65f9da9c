using System;

namespace TrefGuard.Annotations;

/// <summary>
/// The value returned by the marked member is owned by the caller, who must release it
/// (the kernel's <c>tref_get</c> / <c>get_task_struct</c> contract). On a method, a property getter or
/// a constructor. Checked by TG0001, TG0004, TG0005, TG0008 and TG0010.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor | AttributeTargets.ReturnValue, Inherited = true)]
public sealed class AcquiresReferenceAttribute : Attribute
{
}

/// <summary>
/// The marked member releases a reference: on a method, the reference is <c>this</c>; on a parameter,
/// it is the argument (the kernel's <c>tref_put</c> / <c>put_task_struct</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Parameter, Inherited = true)]
public sealed class ReleasesReferenceAttribute : Attribute
{
}

/// <summary>
/// The marked parameter takes over the caller's reference: after the call the caller no longer owns it
/// and the callee must release or store it (the kernel's <c>tref_set</c> consuming its argument).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true)]
public sealed class TransfersOwnershipAttribute : Attribute
{
}
