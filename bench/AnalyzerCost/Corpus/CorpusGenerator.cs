using System;
using System.IO;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// Writes a corpus of N methods over one <see cref="Dialect"/>: files of <see cref="ClassesPerFile"/> classes of
/// <see cref="MethodsPerClass"/> methods, plus static registry classes in files of their own (the user's annotated
/// acquire and release methods, called across files). Every tenth method carries a planted mistake, rotating
/// through <see cref="Mistakes.Planted"/>; the others are drawn from <see cref="Shapes.All"/> with a fixed seed.
/// </summary>
public static class CorpusGenerator
{
    public const int MethodsPerClass = 20;
    public const int ClassesPerFile = 2;
    public const int FilesPerRegistry = 10;
    public const int DefaultSeed = 2006;

    /// <summary>By default one method in this many is planted with a mistake.</summary>
    public const int MistakeEvery = 10;

    /// <param name="mistakeEvery">One method in this many carries a mistake; 0 writes only correct methods.</param>
    /// <param name="methodsPerClass">Methods per class (two classes per file).</param>
    public static CorpusManifest Write(Dialect dialect, int methods, string directory, int seed = DefaultSeed, int mistakeEvery = MistakeEvery, int methodsPerClass = MethodsPerClass)
    {
        Directory.CreateDirectory(directory);
        var manifest = new CorpusManifest(dialect.Name, methods, seed);
        var random = new Random(seed);
        var files = CeilingDivide(methods, methodsPerClass * ClassesPerFile);
        var registries = Math.Max(1, CeilingDivide(files, FilesPerRegistry));
        var index = 0;
        for (var file = 0; file < files; file++)
        {
            var fileName = $"Workers{file:D4}.cs";
            var w = new CodeWriter();
            WriteHeader(w, dialect);
            for (var k = 0; k < ClassesPerFile && index < methods; k++)
            {
                var className = $"Worker{file * ClassesPerFile + k:D5}";
                WriteClassStart(w, dialect, className, fileName, manifest);
                for (var m = 0; m < methodsPerClass && index < methods; m++, index++)
                {
                    var mistake = MistakeAt(index, mistakeEvery);
                    var shape = mistake == Mistake.None
                        ? Shapes.All[random.Next(Shapes.All.Count)]
                        : VariantFor(mistake, index, mistakeEvery);
                    // The registry is always in another file: registries have files of their own.
                    var registry = $"Registry{(file + index) % registries:D3}";
                    var context = new ShapeContext(w, dialect, index, mistake, registry);
                    var first = w.NextLine;
                    shape.Emit(context);
                    var last = w.NextLine - 1;
                    w.Line();
                    manifest.Entries.Add(new MethodEntry(
                        fileName,
                        className + "." + shape.Name + index,
                        first,
                        last,
                        shape.Name,
                        mistake,
                        mistake == Mistake.None ? null : Mistakes.RuleOf(mistake),
                        context.ExpectedLine));
                }

                w.Close();
                manifest.Classes++;
            }

            File.WriteAllText(Path.Combine(directory, fileName), w.ToString());
            manifest.Files++;
        }

        for (var r = 0; r < registries; r++)
        {
            WriteRegistry(dialect, $"Registry{r:D3}", directory, manifest);
            manifest.Files++;
        }

        return manifest;
    }

    /// <summary>The mistake planted in the method at <paramref name="index"/>, if any.</summary>
    public static Mistake MistakeAt(int index, int mistakeEvery = MistakeEvery)
        => mistakeEvery > 0 && index % mistakeEvery == mistakeEvery - 1
            ? Mistakes.Planted[index / mistakeEvery % Mistakes.Planted.Length]
            : Mistake.None;

    private static Shape VariantFor(Mistake mistake, int index, int mistakeEvery)
    {
        var carriers = Shapes.Carrying(mistake);
        return carriers[index / (mistakeEvery * Mistakes.Planted.Length) % carriers.Count];
    }

    internal static void WriteHeader(CodeWriter w, Dialect dialect)
    {
        foreach (var import in dialect.Usings)
        {
            w.Line($"using {import};");
        }

        w.Line();
        w.Line("namespace Corpus;");
        w.Line();
    }

    private static void WriteClassStart(CodeWriter w, Dialect d, string className, string fileName, CorpusManifest manifest)
    {
        w.Open($"internal sealed class {className} : IDisposable");
        w.Line($"private readonly {d.TableType} _table;");
        w.Line($"private {d.RefType}? _watched;");
        w.Line();
        var first = w.NextLine;
        w.Open($"public {className}({d.TableType} table)");
        w.Line("_table = table;");
        w.Line($"{d.SlotInit("_watched")};");
        w.Close();
        w.Line();
        w.Open("public void Dispose()");
        w.Line($"{d.SlotFini("_watched")};");
        w.Close();
        w.Line();
        if (d.RequiresLockAttribute is { } requiresLock)
        {
            w.Line(requiresLock);
        }

        w.Open($"private static int PidLocked({d.RefType} r)");
        w.Line("var t = r.Task;");
        w.Line("return t is null ? 0 : t.Pid;");
        w.Close();
        manifest.Entries.Add(new MethodEntry(fileName, className + ".(constructor, Dispose, PidLocked)", first, w.NextLine - 1, MethodEntry.SupportShape, Mistake.None, null, 0));
        w.Line();
    }

    private static void WriteRegistry(Dialect d, string name, string directory, CorpusManifest manifest)
    {
        var fileName = name + ".cs";
        var w = new CodeWriter();
        WriteHeader(w, d);
        var first = w.NextLine;
        w.Open($"internal static class {name}");
        if (d.AcquiresReferenceAttribute is { } acquires)
        {
            w.Line(acquires);
        }

        w.Open($"public static {d.RefType} Lookup({d.TableType} table, int nr)");
        w.Line($"return {d.ByPid("table", "nr", "Tgid")};");
        w.Close();
        w.Line();
        w.Open($"public static void Drop({d.ReleasesParameter}{d.RefType} r)");
        w.Line($"{d.Release("r")};");
        w.Close();
        w.Close();
        manifest.Entries.Add(new MethodEntry(fileName, name + ".(Lookup, Drop)", first, w.NextLine - 1, MethodEntry.SupportShape, Mistake.None, null, 0));
        File.WriteAllText(Path.Combine(directory, fileName), w.ToString());
    }

    internal static int CeilingDivide(int value, int divisor) => (value + divisor - 1) / divisor;
}
