using System.Collections.Generic;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// How a shape is spelled over one handle API: TrefGuard's <c>TaskRef</c> (checked by TrefGuard) or its twin over
/// <see cref="System.IDisposable"/> (checked by CA2000 and IDisposableAnalyzers). The shapes are written once, against this,
/// so the two corpora have the same methods with the same control flow.
/// </summary>
public abstract class Dialect
{
    public static Dialect Tref { get; } = new TrefDialect();

    public static Dialect Twin { get; } = new TwinDialect();

    public abstract string Name { get; }

    public abstract IReadOnlyList<string> Usings { get; }

    public abstract string TableType { get; }

    public abstract string RefType { get; }

    public abstract string TaskType { get; }

    /// <summary>The type a pinned task has (what <see cref="PinTask"/> returns).</summary>
    public abstract string PinnedType { get; }

    public abstract string Kind(string kind);

    /// <summary>An acquisition by number: owned by the caller.</summary>
    public abstract string ByPid(string table, string nr, string kind);

    /// <summary>An acquisition from a task: owned by the caller.</summary>
    public abstract string ByTask(string task, string kind);

    /// <summary>One more reference to what <paramref name="r"/> refers to: owned by the caller.</summary>
    public abstract string Duplicate(string r);

    public abstract string Release(string r);

    public abstract string Kill(string r, string signal);

    public abstract string KillLocked(string r, string signal);

    public abstract string SlotInit(string slot);

    public abstract string SlotSet(string slot, string value);

    public abstract string SlotFini(string slot);

    /// <summary>Pins a task (TaskStruct.Get): owned by the caller.</summary>
    public abstract string PinTask(string task);

    public abstract string ReleasePinned(string pinned);

    /// <summary>Writes <c>var {variable} = pin of {r}</c> and a branch that returns <paramref name="returned"/> when there is no task.</summary>
    public abstract void PinRefOrReturn(CodeWriter w, string variable, string r, string returned);

    /// <summary>The attribute that marks a method as called with the table's lock held; null where the API has none.</summary>
    public abstract string? RequiresLockAttribute { get; }

    /// <summary>The attribute that marks a method's result as owned by its caller; null where the API has none.</summary>
    public abstract string? AcquiresReferenceAttribute { get; }

    /// <summary>The attribute (with a trailing space) that marks a parameter as released by the method; empty where the API has none.</summary>
    public abstract string ReleasesParameter { get; }

    private sealed class TrefDialect : Dialect
    {
        public override string Name => "tref";

        public override IReadOnlyList<string> Usings { get; } = new[] { "System", "System.Collections.Generic", "System.Globalization", "TrefGuard", "TrefGuard.Annotations" };

        public override string TableType => "TaskTable";

        public override string RefType => "TaskRef";

        public override string TaskType => "TaskStruct";

        public override string PinnedType => "TaskStruct";

        public override string Kind(string kind) => "PidType." + kind;

        public override string ByPid(string table, string nr, string kind) => $"Tref.GetByPid({table}, {nr}, PidType.{kind})";

        public override string ByTask(string task, string kind) => $"Tref.GetByTask({task}, PidType.{kind})";

        public override string Duplicate(string r) => $"{r}.Get()";

        public override string Release(string r) => $"{r}.Put()";

        public override string Kill(string r, string signal) => $"Tref.Kill({r}, {signal})";

        public override string KillLocked(string r, string signal) => $"Tref.KillLocked({r}, {signal})";

        public override string SlotInit(string slot) => $"Tref.Init(ref {slot})";

        public override string SlotSet(string slot, string value) => $"Tref.Set(ref {slot}, {value})";

        public override string SlotFini(string slot) => $"Tref.Fini(ref {slot})";

        public override string PinTask(string task) => $"{task}.Get()";

        public override string ReleasePinned(string pinned) => $"{pinned}.Put()";

        public override void PinRefOrReturn(CodeWriter w, string variable, string r, string returned)
        {
            w.Line($"var {variable} = {r}.GetTask();");
            w.Open($"if ({variable} is null)");
            w.Line($"return {returned};");
            w.Close();
        }

        public override string? RequiresLockAttribute => "[RequiresLock(\"tasklist\")]";

        public override string? AcquiresReferenceAttribute => "[AcquiresReference]";

        public override string ReleasesParameter => "[ReleasesReference] ";
    }

    private sealed class TwinDialect : Dialect
    {
        public override string Name => "twin";

        public override IReadOnlyList<string> Usings { get; } = new[] { "System", "System.Collections.Generic", "System.Globalization", "Handles" };

        public override string TableType => "HandleTable";

        public override string RefType => "Handle";

        public override string TaskType => "TaskInfo";

        public override string PinnedType => "TaskPin";

        public override string Kind(string kind) => "HandleKind." + kind;

        // Constructors rather than factories: CA2000 tracks `new` of a disposable type, not a factory's result
        // (dotnet/roslyn-analyzers#5138), and the twin must give the peers the same work TrefGuard gets.
        public override string ByPid(string table, string nr, string kind) => $"new Handle({table}, {nr}, HandleKind.{kind})";

        public override string ByTask(string task, string kind) => $"new Handle({task}, HandleKind.{kind})";

        public override string Duplicate(string r) => $"new Handle({r})";

        public override string Release(string r) => $"{r}.Dispose()";

        public override string Kill(string r, string signal) => $"Handle.Kill({r}, {signal})";

        public override string KillLocked(string r, string signal) => $"Handle.KillLocked({r}, {signal})";

        public override string SlotInit(string slot) => $"Slots.Init(ref {slot})";

        public override string SlotSet(string slot, string value) => $"Slots.Set(ref {slot}, {value})";

        public override string SlotFini(string slot) => $"Slots.Fini(ref {slot})";

        public override string PinTask(string task) => $"new TaskPin({task})";

        public override string ReleasePinned(string pinned) => $"{pinned}.Dispose()";

        public override void PinRefOrReturn(CodeWriter w, string variable, string r, string returned)
        {
            // A constructor cannot return null: the twin's "no task" is an invalid pin that still has to be disposed.
            w.Line($"var {variable} = new TaskPin({r});");
            w.Open($"if (!{variable}.IsValid)");
            w.Line($"{variable}.Dispose();");
            w.Line($"return {returned};");
            w.Close();
        }

        public override string? RequiresLockAttribute => null;

        public override string? AcquiresReferenceAttribute => null;

        public override string ReleasesParameter => string.Empty;
    }
}
