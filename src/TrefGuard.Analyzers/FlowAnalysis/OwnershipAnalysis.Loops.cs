namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// Acquisitions that run again while what they returned before is still held. A value is an acquisition site, so in a
/// loop one value would stand for two references at once: the one a variable kept from the last iteration
/// (<c>prev = cur;</c>, or <c>keep = r;</c>) and the one just taken. Releasing either would release both. Each
/// acquisition in a graph with loops gets an older twin, which the earlier references move to when the site runs
/// again (the recency abstraction of allocation-site analyses): the newest reference stays exact, the older ones are
/// followed together.
/// </summary>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>Gives each acquisition value an older twin, while there is room for one.</summary>
    private void AddOlderTwins()
    {
        var count = _values.Count;
        for (var value = 0; value < count && _values.Count < MaxValues; value++)
        {
            var info = _values[value];
            if (info.Acquisition is null || (_receiverValues & (1UL << value)) != 0)
            {
                continue;
            }

            _olderTwins ??= CreateNoTwins(count);
            _olderTwins[value] = _values.Count;

            // The twin is the same acquisition: one name and place for both in messages.
            _values.Add(info);
        }
    }

    private static int[] CreateNoTwins(int count)
    {
        var twins = new int[count];
        for (var i = 0; i < twins.Length; i++)
        {
            twins[i] = -1;
        }

        return twins;
    }

    /// <summary>
    /// Before an acquisition makes its new reference: what its value's earlier reference is held by now holds the
    /// older twin instead, with the earlier reference's state (joined with what the twin already stood for).
    /// </summary>
    private void MoveEarlierReference(int value, OwnershipState state)
    {
        if (_olderTwins is null || value >= _olderTwins.Length || _olderTwins[value] is not (>= 0 and var older))
        {
            return;
        }

        var bit = 1UL << value;
        var referenced = state.Referenced();
        if ((referenced & bit) == 0)
        {
            return;
        }

        var olderBit = 1UL << older;
        var olderHeld = (referenced & olderBit) != 0;
        for (var i = 0; i < state.PointsTo.Length; i++)
        {
            if ((state.PointsTo[i] & bit) != 0)
            {
                state.PointsTo[i] = (state.PointsTo[i] & ~bit) | olderBit;
            }
        }

        state.Flags[older] = olderHeld ? state.Flags[older] | state.Flags[value] : state.Flags[value];
        if (!olderHeld || state.ReleaseNode[older] is null)
        {
            state.ReleaseNode[older] = state.ReleaseNode[value];
        }

        _movedToOlder |= bit;
    }

    /// <summary><paramref name="values"/> with each value whose earlier reference moved replaced by its older twin.</summary>
    private ulong WithMovedToOlder(ulong values, ulong moved)
    {
        if ((values & moved) == 0)
        {
            return values;
        }

        foreach (var value in BitMask.Bits(values & moved))
        {
            values = (values & ~(1UL << value)) | (1UL << _olderTwins![value]);
        }

        return values;
    }

    /// <summary>The value a leak is recorded under: an older twin's is its acquisition's, so that one mistake is one report.</summary>
    private int LeakKey(int value)
    {
        if (_olderTwins is not null)
        {
            for (var i = 0; i < _olderTwins.Length; i++)
            {
                if (_olderTwins[i] == value)
                {
                    return i;
                }
            }
        }

        return value;
    }
}
