using System;
using System.Collections.Generic;
using System.Linq;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>What a shape writes into and where it records the line a planted mistake must be reported on.</summary>
public sealed class ShapeContext
{
    public ShapeContext(CodeWriter writer, Dialect dialect, int index, Mistake mistake, string registry)
    {
        W = writer;
        D = dialect;
        Index = index;
        Mistake = mistake;
        Registry = registry;
    }

    public CodeWriter W { get; }

    public Dialect D { get; }

    public int Index { get; }

    public Mistake Mistake { get; }

    public bool Planted => Mistake != Mistake.None;

    /// <summary>The static class in another file that holds the user's own [AcquiresReference] methods.</summary>
    public string Registry { get; }

    /// <summary>The line the planted mistake's diagnostic starts on; 0 for a correct method.</summary>
    public int ExpectedLine { get; private set; }

    public void Expect(int line)
    {
        if (Planted)
        {
            ExpectedLine = line;
        }
    }
}

/// <summary>One realistic way of using the runtime, correct, or with one of the mistakes it can carry.</summary>
public sealed class Shape
{
    public Shape(string name, Action<ShapeContext> emit, params Mistake[] plants)
    {
        Name = name;
        Emit = emit;
        Plants = plants;
    }

    public string Name { get; }

    public Action<ShapeContext> Emit { get; }

    /// <summary>The mistakes this shape can be written with.</summary>
    public IReadOnlyList<Mistake> Plants { get; }

    /// <summary>True for a shape that touches no annotated member.</summary>
    public bool IsPlain => Name == "Score";
}

/// <summary>
/// The shapes of the corpus. Correct ones are correct for every TrefGuard rule, exception paths included: where
/// a call can throw while a reference is owned, the put is in a finally (so TG0010 has nothing to say).
/// </summary>
public static class Shapes
{
    public static IReadOnlyList<Shape> All { get; } = new[]
    {
        new Shape("Probe", Probe, Mistake.MissedPutOnEarlyExit),
        new Shape("CountAlive", CountAlive, Mistake.MissedPutOnEarlyExit),
        new Shape("AliveAmong", AliveAmong, Mistake.MissedPutOnEarlyExit),
        new Shape("Signal", Signal, Mistake.DoublePut),
        new Shape("SidOf", SidOf, Mistake.PutUnderLock),
        new Shape("KillGroup", KillGroup, Mistake.PutUnderLock),
        new Shape("ReadName", ReadName, Mistake.UnlockedRead),
        new Shape("PidOf", PidOf, Mistake.UnlockedRead),
        new Shape("Track", Track, Mistake.UninitializedSlot),
        new Shape("Watch", Watch, Mistake.DiscardedAcquisition),
        new Shape("Describe", Describe),
        new Shape("PgidOf", PgidOf),
        new Shape("Same", Same),
        new Shape("Exists", Exists),
        new Shape("WaitAlive", WaitAlive),
        new Shape("Fork", Fork),
        new Shape("Keep", Keep),
        new Shape("Score", Score),
    };

    /// <summary>The shapes that can carry <paramref name="mistake"/>.</summary>
    public static IReadOnlyList<Shape> Carrying(Mistake mistake) => All.Where(s => s.Plants.Contains(mistake)).ToArray();

    /// <summary>Acquire, test, put on both paths; the mistake forgets the put on the early return.</summary>
    private static void Probe(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int Probe{i}(int nr)");
        c.Expect(w.Line($"var r = {d.ByPid("_table", $"nr + {i % 7}", "Pid")};"));
        w.Open("if (!r.IsAlive)");
        if (!c.Planted)
        {
            w.Line($"{d.Release("r")};");
        }

        w.Line("return -1;");
        w.Close();
        w.Line();
        w.Line($"var n = r.Nr + {i};");
        w.Line($"{d.Release("r")};");
        w.Line("return n;");
        w.Close();
    }

    /// <summary>A loop that acquires each pid; the mistake forgets the put on <c>continue</c>.</summary>
    private static void CountAlive(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int CountAlive{i}(int first, int count)");
        w.Line($"var alive = {i % 2};");
        w.Open("for (var nr = first; nr < first + count; nr++)");
        c.Expect(w.Line($"var r = {d.ByPid("_table", "nr", "Pid")};"));
        w.Open("if (!r.IsAlive)");
        if (!c.Planted)
        {
            w.Line($"{d.Release("r")};");
        }

        w.Line("continue;");
        w.Close();
        w.Line();
        w.Line("alive++;");
        w.Line($"{d.Release("r")};");
        w.Close();
        w.Line();
        w.Line("return alive;");
        w.Close();
    }

    /// <summary>The acquisition inside a lambda, which has a graph of its own.</summary>
    private static void AliveAmong(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int AliveAmong{i}(int a, int b)");
        w.Line("Func<int, int> probe = nr =>");
        w.Open();
        c.Expect(w.Line($"var r = {d.ByPid("_table", "nr", "Pid")};"));
        w.Open("if (!r.IsAlive)");
        if (!c.Planted)
        {
            w.Line($"{d.Release("r")};");
        }

        w.Line("return 0;");
        w.Close();
        w.Line();
        w.Line($"{d.Release("r")};");
        w.Line("return 1;");
        w.Close("};");
        w.Line($"return probe(a) + probe(b) + {i % 3};");
        w.Close();
    }

    /// <summary>try/finally around a call that can throw; the mistake puts in the try as well.</summary>
    private static void Signal(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int Signal{i}({d.TaskType} task, int signal)");
        w.Line($"var r = {d.ByTask("task", "Pgid")};");
        w.Open("try");
        w.Open("if (!r.IsAlive)");
        w.Line($"return {i % 2};");
        w.Close();
        w.Line();
        if (c.Planted)
        {
            w.Line($"var sent = {d.Kill("r", "signal")};");
            w.Line($"{d.Release("r")};");
            w.Line("return sent;");
        }
        else
        {
            w.Line($"return {d.Kill("r", "signal")};");
        }

        w.Close();
        w.Open("finally");
        c.Expect(w.Line($"{d.Release("r")};"));
        w.Close();
        w.Close();
    }

    /// <summary>Read a task through the guard and put after the lock's scope; the mistake puts under the lock.</summary>
    private static void SidOf(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int SidOf{i}(int nr)");
        w.Line($"var r = {d.ByPid("_table", "nr", "Sid")};");
        if (c.Planted)
        {
            w.Line("using var g = _table.ReadLock();");
            w.Line("var t = g.TaskOf(r);");
            w.Line($"var sid = t is null ? {i % 4} : t.Sid;");
            c.Expect(w.Line($"{d.Release("r")};"));
            w.Line("return sid;");
        }
        else
        {
            w.Open("try");
            w.Line("using var g = _table.ReadLock();");
            w.Line("var t = g.TaskOf(r);");
            w.Line($"return t is null ? {i % 4} : t.Sid;");
            w.Close();
            w.Open("finally");
            w.Line($"{d.Release("r")};");
            w.Close();
        }

        w.Close();
    }

    /// <summary>A [RequiresLock] call under the lock; the mistake puts inside the using block.</summary>
    private static void KillGroup(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int KillGroup{i}(int nr, int signal)");
        w.Line($"var r = {d.ByPid("_table", $"nr + {i % 5}", "Pgid")};");
        if (c.Planted)
        {
            w.Open("using (var g = _table.ReadLock())");
            w.Line($"var sent = {d.KillLocked("r", "signal")};");
            c.Expect(w.Line($"{d.Release("r")};"));
            w.Line("return sent;");
            w.Close();
        }
        else
        {
            w.Open("try");
            w.Line("using var g = _table.ReadLock();");
            w.Line($"return {d.KillLocked("r", "signal")};");
            w.Close();
            w.Open("finally");
            w.Line($"{d.Release("r")};");
            w.Close();
        }

        w.Close();
    }

    /// <summary>A raw [GuardedBy] read under the read lock; the mistake forgets the lock.</summary>
    private static void ReadName(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public string ReadName{i}({d.RefType} r)");
        if (!c.Planted)
        {
            w.Line("using var g = _table.ReadLock();");
        }

        c.Expect(w.Line("var t = r.Task;"));
        w.Line($"return t is null ? \"none{i % 10}\" : t.Name;");
        w.Close();
    }

    /// <summary>A call to the class's [RequiresLock] helper under the lock; the mistake forgets the lock.</summary>
    private static void PidOf(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int PidOf{i}({d.RefType} r)");
        if (!c.Planted)
        {
            w.Line("using var g = _table.ReadLock();");
        }

        c.Expect(w.Line($"return PidLocked(r) + {i % 5};"));
        w.Close();
    }

    /// <summary>A local slot: Init, Set in a try, Fini in the finally; the mistake never initializes it.</summary>
    private static void Track(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int Track{i}({d.TaskType} task)");
        w.Line($"{d.RefType}? slot = null;");
        if (!c.Planted)
        {
            w.Line($"{d.SlotInit("slot")};");
        }

        w.Open("try");
        c.Expect(w.Line($"{d.SlotSet("slot", d.ByTask("task", i % 2 == 0 ? "Pid" : "Tgid"))};"));
        w.Line("return slot is null ? 0 : slot.Nr;");
        w.Close();
        w.Open("finally");
        w.Line($"{d.SlotFini("slot")};");
        w.Close();
        w.Close();
    }

    /// <summary>An acquisition stored in the object's slot; the mistake calls it and drops the result.</summary>
    private static void Watch(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public void Watch{i}({d.TaskType} task)");
        w.Open("if (task.HasExited)");
        w.Line("return;");
        w.Close();
        w.Line();
        var kind = i % 3 == 0 ? "Pgid" : "Tgid";
        if (c.Planted)
        {
            c.Expect(w.Line($"{d.ByTask("task", kind)};"));
        }
        else
        {
            w.Line($"{d.SlotSet("_watched", d.ByTask("task", kind))};");
        }

        w.Close();
    }

    /// <summary>A task pinned across a call that can throw.</summary>
    private static void Describe(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public string Describe{i}({d.TaskType} task)");
        w.Line($"var pinned = {d.PinTask("task")};");
        w.Open("try");
        w.Line($"return pinned.Name + \"#{i % 10}:\" + pinned.Pid.ToString(CultureInfo.InvariantCulture);");
        w.Close();
        w.Open("finally");
        w.Line($"{d.ReleasePinned("pinned")};");
        w.Close();
        w.Close();
    }

    /// <summary>A pinned task from a ref, with nothing to release when there is no task.</summary>
    private static void PgidOf(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int PgidOf{i}({d.RefType} r)");
        d.PinRefOrReturn(w, "t", "r", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.Line();
        w.Line("var pgid = t.Pgid;");
        w.Line($"{d.ReleasePinned("t")};");
        w.Line("return pgid;");
        w.Close();
    }

    /// <summary>The user's own acquire and release methods, declared in another file.</summary>
    private static void Same(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public bool Same{i}(int nr, {d.RefType} other)");
        w.Line($"var mine = {c.Registry}.Lookup(_table, nr + {i % 9});");
        w.Line("var same = mine == other;");
        w.Line($"{c.Registry}.Drop(mine);");
        w.Line("return same;");
        w.Close();
    }

    /// <summary>A [RequiresLock] lookup under the read lock.</summary>
    private static void Exists(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public bool Exists{i}(int nr)");
        w.Line("using var g = _table.ReadLock();");
        w.Line($"var t = _table.FindTask(nr + {i % 11}, {d.Kind("Pid")});");
        w.Line("return t is not null && !t.HasExited;");
        w.Close();
    }

    /// <summary>An async method holding a reference across an await.</summary>
    private static void WaitAlive(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public async System.Threading.Tasks.Task<int> WaitAlive{i}(int nr)");
        w.Line($"var r = {d.ByPid("_table", "nr", "Pid")};");
        w.Open("try");
        w.Line("await System.Threading.Tasks.Task.Yield();");
        w.Line($"return r.IsAlive ? {1 + (i % 4)} : 0;");
        w.Close();
        w.Open("finally");
        w.Line($"{d.Release("r")};");
        w.Close();
        w.Close();
    }

    /// <summary>Spawn, take a reference, let the task exit: the reference outlives it.</summary>
    private static void Fork(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public int Fork{i}({d.TaskType} parent)");
        w.Line($"var child = _table.Spawn(\"worker{i}\", parent);");
        w.Line($"var r = {d.ByTask("child", "Pid")};");
        w.Open("try");
        w.Line("_table.Exit(child);");
        w.Line("return r.IsAlive ? 1 : 0;");
        w.Close();
        w.Open("finally");
        w.Line($"{d.Release("r")};");
        w.Close();
        w.Close();
    }

    /// <summary>A new reference returned to the caller on one path and put on the other.</summary>
    private static void Keep(ShapeContext c)
    {
        var (w, d, i) = (c.W, c.D, c.Index);
        w.Open($"public {d.RefType}? Keep{i}({d.RefType} r, bool keep)");
        w.Line($"var copy = {d.Duplicate("r")};");
        w.Open(i % 2 == 0 ? "if (keep)" : "if (keep && copy.IsAlive)");
        w.Line("return copy;");
        w.Close();
        w.Line();
        w.Line($"{d.Release("copy")};");
        w.Line("return null;");
        w.Close();
    }

    /// <summary>Arithmetic that touches no annotated member: the gate must make it nearly free.</summary>
    private static void Score(ShapeContext c)
    {
        var (w, i) = (c.W, c.Index);
        w.Open($"public static int Score{i}(int a, int b)");
        w.Line($"var s = {i % 13};");
        w.Open("for (var k = 0; k < a; k++)");
        w.Open("if ((k & 1) == 0)");
        w.Line("s += k * b;");
        w.Close();
        w.Open("else");
        w.Line("s -= b;");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return s switch { < 0 => -s, 0 => 1, _ => s };");
        w.Close();
    }
}
