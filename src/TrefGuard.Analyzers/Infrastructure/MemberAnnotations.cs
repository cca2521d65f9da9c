using System;
using System.Collections.Immutable;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>What an annotation says about one parameter.</summary>
[Flags]
internal enum ParameterAnnotation : byte
{
    None = 0,
    ReleasesReference = 1,
    TransfersOwnership = 2,
    InitializesSlot = 4,
    RequiresInitializedSlot = 8,
    FinalizesSlot = 16,
}

/// <summary>
/// The annotations of one member, from its attributes, the members it overrides, and the external
/// annotations file. Lock names are interned to small ids by <see cref="AnnotationModel"/> so that
/// lock sets are bit masks.
/// </summary>
internal sealed class MemberAnnotations
{
    public static readonly MemberAnnotations Empty = new();

    public bool AcquiresReference { get; set; }

    /// <summary>The member releases its receiver (<c>this</c>).</summary>
    public bool ReleasesThis { get; set; }

    /// <summary>Per parameter ordinal; empty when no parameter is annotated.</summary>
    public ImmutableArray<ParameterAnnotation> Parameters { get; set; } = ImmutableArray<ParameterAnnotation>.Empty;

    public ulong RequiresLocks { get; set; }

    public ulong ExcludesLocks { get; set; }

    public ulong AcquiresLocks { get; set; }

    public ulong ReleasesLocks { get; set; }

    public ulong AssertsLocks { get; set; }

    public ulong GuardedBy { get; set; }

    public ParameterAnnotation GetParameter(int ordinal)
        => ordinal >= 0 && ordinal < Parameters.Length ? Parameters[ordinal] : ParameterAnnotation.None;

    public bool HasParameterAnnotation(ParameterAnnotation which)
    {
        foreach (var parameter in Parameters)
        {
            if ((parameter & which) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public bool AffectsOwnership
        => AcquiresReference || ReleasesThis || HasParameterAnnotation(ParameterAnnotation.ReleasesReference | ParameterAnnotation.TransfersOwnership);

    public bool AffectsLocks
        => (RequiresLocks | ExcludesLocks | AcquiresLocks | ReleasesLocks | AssertsLocks | GuardedBy) != 0;

    public bool AffectsSlots
        => HasParameterAnnotation(ParameterAnnotation.InitializesSlot | ParameterAnnotation.RequiresInitializedSlot | ParameterAnnotation.FinalizesSlot);

    public bool IsEmpty => !AffectsOwnership && !AffectsLocks && !AffectsSlots;
}
