namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// What the lock analyzer tells its fixers through <c>Diagnostic.Properties</c> (TG0002, TG0006, TG0009): the
/// fixers must not re-derive which lock a diagnostic is about from its message.
/// </summary>
internal static class LockAnalyzerCommon
{
    /// <summary>The name of the lock the diagnostic is about (the first one, when several are).</summary>
    public const string LockNameProperty = "LockName";

    /// <summary>TG0009: the name of the variable whose value outlived its lock.</summary>
    public const string VariableProperty = "Variable";
}
