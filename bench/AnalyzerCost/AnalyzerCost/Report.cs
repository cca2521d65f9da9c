using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace TrefGuard.AnalyzerCost;

/// <summary>A target of the issue, what was measured against it, and whether it was met.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool Met);

/// <summary>The run's report, in Markdown, for BENCHMARKS.md.</summary>
internal sealed class Report
{
    private readonly StringBuilder _text = new();

    public List<TargetCheck> Targets { get; } = new();

    public void Line(string text = "")
    {
        _text.Append(text).Append('\n');
        Console.WriteLine(text);
    }

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Line("| " + string.Join(" | ", header) + " |");
        Line("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            Line("| " + string.Join(" | ", row) + " |");
        }

        Line();
    }

    public void Check(string target, string measured, bool met) => Targets.Add(new TargetCheck(target, measured, met));

    public void WriteTargets()
    {
        Line("Targets:");
        Line();
        Table(new[] { "target", "measured", "met" }, Targets.Select(t => new[] { t.Target, t.Measured, t.Met ? "yes" : "**no**" }));
    }

    public override string ToString() => _text.ToString();

    public static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Milliseconds(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
