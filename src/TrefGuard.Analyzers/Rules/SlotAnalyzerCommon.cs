namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// The <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that <see cref="SlotAnalyzer"/> gives its
/// diagnostics (TG0003, TG0007, TG0011) and that the slot fixers read.
/// </summary>
internal static class SlotAnalyzerCommon
{
    /// <summary>
    /// The documentation id (<c>T:TrefGuard.Tref</c>) of the type whose annotated methods manage the slot: the type
    /// of the failing call for TG0003, of the slot calls made on the variable for TG0007 and TG0011. The fixers look
    /// there for the [InitializesSlot], [RequiresInitializedSlot]+[TransfersOwnership] or [FinalizesSlot] method.
    /// </summary>
    public const string SlotApi = "SlotApi";

    /// <summary>TG0003: the index, in the failing call's argument list, of the slot argument.</summary>
    public const string SlotArgument = "SlotArgument";

    /// <summary>TG0003: where the fix puts the initialization; one of the <c>Fix…</c> values.</summary>
    public const string Fix = "SlotFix";

    /// <summary>
    /// A local declared with an initializer and never initialized on some path: initialize it right after its
    /// declaration, which comes before every use.
    /// </summary>
    public const string FixAfterDeclaration = "AfterDeclaration";

    /// <summary>
    /// The slot was finalized or found null on some path (or is a local declared without initializer, or a
    /// parameter): initialize it right before the failing statement.
    /// </summary>
    public const string FixBeforeStatement = "BeforeStatement";

    /// <summary>
    /// A field that some constructor leaves uninitialized: initialize it at the start of the constructors named by
    /// <see cref="Constructors"/>.
    /// </summary>
    public const string FixConstructors = "Constructors";

    /// <summary>
    /// TG0003 with <see cref="FixConstructors"/>: the constructors to fix, as documentation ids separated by
    /// <see cref="ConstructorSeparator"/>, or <see cref="NewConstructor"/> when the type declares none (the fix
    /// creates one), or <see cref="PrimaryConstructor"/> when a primary constructor stands in the way.
    /// </summary>
    public const string Constructors = "Constructors";

    public const char ConstructorSeparator = '|';

    /// <summary>The type declares no constructor of the needed kind (instance or static): the fix creates one.</summary>
    public const string NewConstructor = "new";

    /// <summary>
    /// Every constructor of the type runs its primary constructor, whose body cannot call Init (a ref call), so no
    /// field of the type can be initialized by construction: no automatic fix.
    /// </summary>
    public const string PrimaryConstructor = "primary";
}
