namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>The mistakes the generator plants, each with the rule that must report it.</summary>
public enum Mistake
{
    None,

    /// <summary>An early return or continue that skips the put (TG0001).</summary>
    MissedPutOnEarlyExit,

    /// <summary>A put in the try and again in the finally (TG0004).</summary>
    DoublePut,

    /// <summary>A put while the tasklist lock is held (TG0006).</summary>
    PutUnderLock,

    /// <summary>A raw <c>r.Task</c> read, or a [RequiresLock] call, without the lock (TG0002).</summary>
    UnlockedRead,

    /// <summary>A <c>Tref.Set</c> on a slot that was never initialized (TG0003).</summary>
    UninitializedSlot,

    /// <summary>An acquisition whose result is thrown away (TG0008).</summary>
    DiscardedAcquisition,
}

public static class Mistakes
{
    /// <summary>Every kind that is planted, in the order the generator rotates through them.</summary>
    public static readonly Mistake[] Planted =
    {
        Mistake.MissedPutOnEarlyExit,
        Mistake.DoublePut,
        Mistake.PutUnderLock,
        Mistake.UnlockedRead,
        Mistake.UninitializedSlot,
        Mistake.DiscardedAcquisition,
    };

    public static string RuleOf(Mistake mistake) => mistake switch
    {
        Mistake.MissedPutOnEarlyExit => "TG0001",
        Mistake.DoublePut => "TG0004",
        Mistake.PutUnderLock => "TG0006",
        Mistake.UnlockedRead => "TG0002",
        Mistake.UninitializedSlot => "TG0003",
        Mistake.DiscardedAcquisition => "TG0008",
        _ => throw new System.ArgumentOutOfRangeException(nameof(mistake), mistake, "No rule for a correct method."),
    };
}
