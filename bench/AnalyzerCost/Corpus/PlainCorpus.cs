using System;
using System.IO;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// A corpus of methods that touch no annotated member, in a project that references the runtime: what every
/// method of a real code base that does not use task references costs TrefGuard (its cheap gate).
/// </summary>
public static class PlainCorpus
{
    private static readonly Action<CodeWriter, int>[] s_shapes = { Loop, Text, Switch, List, Parse, LocalFunction, Lambda, Lookup };

    public static CorpusManifest Write(int methods, string directory)
    {
        Directory.CreateDirectory(directory);
        var manifest = new CorpusManifest("plain", methods, seed: 0);
        var perFile = CorpusGenerator.MethodsPerClass * CorpusGenerator.ClassesPerFile;
        var files = CorpusGenerator.CeilingDivide(methods, perFile);
        var index = 0;
        for (var file = 0; file < files; file++)
        {
            var fileName = $"Plain{file:D4}.cs";
            var w = new CodeWriter();
            foreach (var import in new[] { "System", "System.Collections.Generic", "System.Globalization", "System.Text" })
            {
                w.Line($"using {import};");
            }

            w.Line();
            w.Line("namespace Corpus;");
            w.Line();
            for (var k = 0; k < CorpusGenerator.ClassesPerFile && index < methods; k++)
            {
                var className = $"Plain{file * CorpusGenerator.ClassesPerFile + k:D5}";
                w.Open($"internal sealed class {className}");
                w.Line("private readonly Dictionary<int, string> _names = new();");
                w.Line();
                for (var m = 0; m < CorpusGenerator.MethodsPerClass && index < methods; m++, index++)
                {
                    var shape = s_shapes[index % s_shapes.Length];
                    var first = w.NextLine;
                    shape(w, index);
                    manifest.Entries.Add(new MethodEntry(fileName, className + "." + shape.Method.Name + index, first, w.NextLine - 1, shape.Method.Name, Mistake.None, null, 0));
                    w.Line();
                }

                w.Close();
                manifest.Classes++;
            }

            File.WriteAllText(Path.Combine(directory, fileName), w.ToString());
            manifest.Files++;
        }

        return manifest;
    }

    private static void Loop(CodeWriter w, int i)
    {
        w.Open($"public static int Loop{i}(int a, int b)");
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
        w.Line("return s;");
        w.Close();
    }

    private static void Text(CodeWriter w, int i)
    {
        w.Open($"public static string Text{i}(IReadOnlyList<int> values)");
        w.Line("var builder = new StringBuilder();");
        w.Open("foreach (var value in values)");
        w.Line($"builder.Append(value.ToString(CultureInfo.InvariantCulture)).Append('{(char)('a' + (i % 26))}');");
        w.Close();
        w.Line();
        w.Line("return builder.ToString();");
        w.Close();
    }

    private static void Switch(CodeWriter w, int i)
    {
        w.Open($"public static string Switch{i}(int code)");
        w.Open("switch (code % 4)");
        w.Line("case 0:");
        w.Line($"    return \"zero{i % 10}\";");
        w.Line("case 1:");
        w.Line("    return \"one\";");
        w.Line("case 2 when code > 100:");
        w.Line("    return \"big two\";");
        w.Line("default:");
        w.Line("    return code < 0 ? \"negative\" : \"other\";");
        w.Close();
        w.Close();
    }

    private static void List(CodeWriter w, int i)
    {
        w.Open($"public static int List{i}(int count)");
        w.Line("var items = new List<int>(count);");
        w.Open("for (var k = 0; k < count; k++)");
        w.Line($"items.Add(k * {1 + (i % 5)});");
        w.Close();
        w.Line();
        w.Line("var total = 0;");
        w.Open("foreach (var item in items)");
        w.Line("total += item;");
        w.Close();
        w.Line();
        w.Line("return total;");
        w.Close();
    }

    private static void Parse(CodeWriter w, int i)
    {
        w.Open($"public static int Parse{i}(string text)");
        w.Open("try");
        w.Line("return int.Parse(text, CultureInfo.InvariantCulture);");
        w.Close();
        w.Open("catch (FormatException)");
        w.Line($"return -{1 + (i % 3)};");
        w.Close();
        w.Open("finally");
        w.Line("Console.Out.Flush();");
        w.Close();
        w.Close();
    }

    private static void LocalFunction(CodeWriter w, int i)
    {
        w.Open($"public static int LocalFunction{i}(int n)");
        w.Line("return Fib(n);");
        w.Line();
        w.Open("static int Fib(int k)");
        w.Line($"return k < 2 ? k + {i % 2} : Fib(k - 1) + Fib(k - 2);");
        w.Close();
        w.Close();
    }

    private static void Lambda(CodeWriter w, int i)
    {
        w.Open($"public static int Lambda{i}(int[] values)");
        w.Line($"Func<int, bool> keep = v => v % {2 + (i % 5)} == 0;");
        w.Line("var kept = 0;");
        w.Open("foreach (var value in values)");
        w.Open("if (keep(value))");
        w.Line("kept++;");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return kept;");
        w.Close();
    }

    private static void Lookup(CodeWriter w, int i)
    {
        w.Open($"public string Lookup{i}(int key)");
        w.Open("if (_names.TryGetValue(key, out var name))");
        w.Line("return name;");
        w.Close();
        w.Line();
        w.Line($"name = \"n\" + key.ToString(CultureInfo.InvariantCulture) + \"{i % 10}\";");
        w.Line("_names[key] = name;");
        w.Line("return name;");
        w.Close();
    }
}
