using System;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>What may be true of one owned value on the paths that reach a point (a may-set of facts).</summary>
[Flags]
internal enum OwnershipFlags : byte
{
    None = 0,

    /// <summary>Not acquired yet on some path (or acquired by an earlier loop iteration and dealt with).</summary>
    Unacquired = 1,

    /// <summary>Owned and not yet released.</summary>
    Owned = 2,

    /// <summary>Released by a [ReleasesReference] call.</summary>
    Released = 4,

    /// <summary>Ownership moved elsewhere: returned, transferred, stored where the analysis cannot follow.</summary>
    Escaped = 8,

    /// <summary>The acquisition produced null (a dead task from GetTask): nothing to release.</summary>
    Null = 16,

    /// <summary>Owned on a path that an exception took into a catch handler.</summary>
    ExceptionOwned = 32,
}

/// <summary>Where what a variable holds may have come from, for TG0013 (a may-set of sources).</summary>
[Flags]
internal enum Provenance : byte
{
    None = 0,

    /// <summary>Read from somewhere that keeps its own reference: a field, a property, a parameter the method only borrows.</summary>
    Borrowed = 1,

    /// <summary>Anything else: an acquisition, a call, a new object, null, a value the analysis does not follow.</summary>
    Other = 2,
}

/// <summary>
/// The ownership analysis's state: which values (acquisition sites) each variable may hold, and what may be
/// true of each value. Values are at most 64 per graph, so a variable's points-to set is one bit mask.
/// </summary>
internal sealed class OwnershipState : FlowState<OwnershipState>
{
    private static readonly Provenance[] s_noProvenance = Array.Empty<Provenance>();

    /// <param name="trackProvenance">Whether to follow where variables' values come from (only for a method whose returns TG0013 checks).</param>
    public OwnershipState(int variableCount, int valueCount, bool trackProvenance)
    {
        PointsTo = new ulong[variableCount];
        Flags = new OwnershipFlags[valueCount];
        ReleaseNode = new SyntaxNode?[valueCount];
        Sources = trackProvenance ? new Provenance[variableCount] : s_noProvenance;
        for (var i = 0; i < Flags.Length; i++)
        {
            Flags[i] = OwnershipFlags.Unacquired;
        }
    }

    private OwnershipState(ulong[] pointsTo, OwnershipFlags[] flags, SyntaxNode?[] releaseNode, Provenance[] sources)
    {
        PointsTo = pointsTo;
        Flags = flags;
        ReleaseNode = releaseNode;
        Sources = sources;
    }

    public ulong[] PointsTo { get; }

    /// <summary>Per variable (like <see cref="PointsTo"/>): where its value may come from; empty unless provenance is tracked.</summary>
    public Provenance[] Sources { get; }

    public OwnershipFlags[] Flags { get; }

    /// <summary>
    /// A release that reached here, for messages and the fixers; null when none. Joined paths keep the earliest in the
    /// text. Its line is made only for a message.
    /// </summary>
    public SyntaxNode?[] ReleaseNode { get; }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    public override OwnershipState Clone()
        => new(Arrays.CopyOf(PointsTo), Arrays.CopyOf(Flags), Arrays.CopyOf(ReleaseNode), Arrays.CopyOf(Sources));

    [MethodImpl(JitOptions.AggressiveOptimization)]
    public override bool JoinWith(OwnershipState other)
    {
        var changed = false;
        for (var i = 0; i < PointsTo.Length; i++)
        {
            var joined = PointsTo[i] | other.PointsTo[i];
            changed |= joined != PointsTo[i];
            PointsTo[i] = joined;
        }

        for (var i = 0; i < Sources.Length; i++)
        {
            var joined = Sources[i] | other.Sources[i];
            changed |= joined != Sources[i];
            Sources[i] = joined;
        }

        for (var i = 0; i < Flags.Length; i++)
        {
            var joined = Flags[i] | other.Flags[i];
            changed |= joined != Flags[i];
            Flags[i] = joined;
            var otherRelease = other.ReleaseNode[i];
            if (otherRelease is not null && !ReferenceEquals(otherRelease, ReleaseNode[i])
                && (ReleaseNode[i] is not { } release || otherRelease.SpanStart < release.SpanStart))
            {
                changed = true;
                ReleaseNode[i] = otherRelease;
            }
        }

        return changed;
    }

    /// <summary>The values some variable may still hold.</summary>
    public ulong Referenced()
    {
        ulong referenced = 0;
        foreach (var set in PointsTo)
        {
            referenced |= set;
        }

        return referenced;
    }

    /// <summary>The values that may be owned (and so would leak if lost).</summary>
    public ulong Owned(OwnershipFlags which = OwnershipFlags.Owned)
    {
        ulong owned = 0;
        for (var i = 0; i < Flags.Length; i++)
        {
            if ((Flags[i] & which) != 0)
            {
                owned |= 1UL << i;
            }
        }

        return owned;
    }
}
