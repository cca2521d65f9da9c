namespace TrefGuard.Analyzers;

/// <summary>Every rule id in one place; docs, fixers and tests refer to these constants.</summary>
internal static class RuleIdentifiers
{
    public const string MissedPut = "TG0001";
    public const string UnlockedGuardedAccess = "TG0002";
    public const string UninitializedSlot = "TG0003";
    public const string DoublePut = "TG0004";
    public const string UseAfterPut = "TG0005";
    public const string ExcludedLockHeld = "TG0006";
    public const string SlotOverwritten = "TG0007";
    public const string DiscardedAcquisition = "TG0008";
    public const string TaskUsedAfterUnlock = "TG0009";
    public const string LeakOnException = "TG0010";
    public const string SlotNeverFinalized = "TG0011";
    public const string MalformedAnnotationFile = "TG0012";
    public const string ReturnsUnownedReference = "TG0013";

    private const string DocumentationRoot = "https://github.com/trefguard/trefguard/blob/main/docs/rules/";

    /// <summary>The rule's documentation page, <c>docs/rules/{id}.md</c>.</summary>
    public static string GetHelpUri(string id) => DocumentationRoot + id + ".md";
}
