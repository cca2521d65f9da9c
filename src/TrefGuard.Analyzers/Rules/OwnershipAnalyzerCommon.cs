namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// Names and values of the <c>Diagnostic.Properties</c> that <see cref="OwnershipAnalyzer"/> reports and the
/// ownership fixers read. A property that is absent means "no" (flags) or "unknown" (names).
/// </summary>
internal static class OwnershipAnalyzerCommon
{
    /// <summary>TG0001: how the first leaking path leaves (one of the <c>Exit*</c> values).</summary>
    public const string ExitKind = "ExitKind";

    /// <summary>TG0001, TG0010: the local or parameter that holds the value; absent for a temporary.</summary>
    public const string Variable = "Variable";

    /// <summary>TG0001: "true" when a leaking path may already have released the value on another path that joins it (a put there would be a double put on that path).</summary>
    public const string MayBeReleased = "MayBeReleased";

    /// <summary>TG0001: "true" when a leaking path may already have handed the value on (returned, transferred, stored).</summary>
    public const string MayBeEscaped = "MayBeEscaped";

    /// <summary>TG0001: "true" when a leaking path may hold null (a dead task from GetTask): release it with <c>?.</c>.</summary>
    public const string MayBeNull = "MayBeNull";

    /// <summary>TG0001: "true" when an exception can also leak the value (TG0010 would follow a plain put).</summary>
    public const string CanThrow = "CanThrow";

    /// <summary>TG0004: "true" when the value may still be owned on some path that reaches the second release (removing it would leak there).</summary>
    public const string MayBeOwned = "MayBeOwned";

    /// <summary>Value of flag properties.</summary>
    public const string True = "true";

    /// <summary>TG0001 exit: a <c>return</c> statement, or an expression body.</summary>
    public const string ExitReturn = "return";

    public const string ExitBreak = "break";

    public const string ExitContinue = "continue";

    public const string ExitGoto = "goto";

    public const string ExitYieldBreak = "yield break";

    /// <summary>TG0001 exit: the end of the method body (AdditionalLocations[i] is the body block).</summary>
    public const string ExitEndOfMethod = "end of the method";

    /// <summary>TG0001 exit: the end of a block (AdditionalLocations[i] is the block, or the last statement of an embedded scope).</summary>
    public const string ExitEndOfBlock = "end of the block";

    /// <summary>TG0001 exit: a temporary lost at the end of the statement that made it (AdditionalLocations[i] is the statement).</summary>
    public const string ExitEndOfStatement = "end of the statement";

    /// <summary>TG0001 exit: the variable is overwritten (AdditionalLocations[i] is the assignment).</summary>
    public const string ExitReassignment = "reassignment";
}
