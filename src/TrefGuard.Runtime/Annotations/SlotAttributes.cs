using System;

namespace TrefGuard.Annotations;

/// <summary>
/// The marked <c>ref</c> parameter is a slot that the call initializes (the kernel's <c>tref_init</c>):
/// afterwards it holds a reference that must eventually be finalized. Checked by TG0003, TG0007, TG0011.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true)]
public sealed class InitializesSlotAttribute : Attribute
{
}

/// <summary>
/// The marked <c>ref</c> parameter must be a slot already initialized by an <see cref="InitializesSlotAttribute"/>
/// call (the kernel's <c>tref_set</c> and <c>tref_reset</c> put the slot's old reference).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true)]
public sealed class RequiresInitializedSlotAttribute : Attribute
{
}

/// <summary>
/// The marked <c>ref</c> parameter is a slot that the call finalizes (the kernel's <c>tref_fini</c>):
/// it must have been initialized, and it holds no reference afterwards.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true)]
public sealed class FinalizesSlotAttribute : Attribute
{
}
