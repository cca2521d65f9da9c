using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>A small line diff (longest common subsequence) printed like <c>diff -u</c>, expected as the baseline.</summary>
public static class TextDiff
{
    /// <summary>Replaces every <c>\r\n</c> (and lone <c>\r</c>) with <c>\n</c>.</summary>
    public static string NormalizeLineEndings(string text)
        => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>A unified-style diff of two texts with <paramref name="context"/> lines around each change.</summary>
    public static string Unified(string expected, string actual, int context = 3)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        // Edit script: ' ' keep, '-' only in expected, '+' only in actual, with the line numbers on each side.
        var script = new List<(char Kind, string Line, int ExpectedLine, int ActualLine)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                script.Add((' ', a[x], x, y));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                script.Add(('+', b[y], x, y));
                y++;
            }
            else
            {
                script.Add(('-', a[x], x, y));
                x++;
            }
        }

        var builder = new StringBuilder();
        builder.AppendLine("--- expected").AppendLine("+++ actual");
        var index = 0;
        while (index < script.Count)
        {
            if (script[index].Kind == ' ')
            {
                index++;
                continue;
            }

            var start = Math.Max(0, index - context);
            var end = index;
            while (end < script.Count)
            {
                if (script[end].Kind != ' ')
                {
                    end++;
                    continue;
                }

                var run = end;
                while (run < script.Count && script[run].Kind == ' ')
                {
                    run++;
                }

                if (run == script.Count || run - end > 2 * context)
                {
                    end = Math.Min(script.Count, end + context);
                    break;
                }

                end = run;
            }

            builder.Append(CultureInfo.InvariantCulture, $"@@ -{script[start].ExpectedLine + 1} +{script[start].ActualLine + 1} @@").AppendLine();
            for (var k = start; k < end; k++)
            {
                builder.Append(script[k].Kind).Append(Visible(script[k].Line)).AppendLine();
            }

            index = end;
        }

        return builder.ToString();
    }

    /// <summary>Whether two texts differ only in whitespace at line ends (the diff would look empty).</summary>
    public static bool DifferOnlyInTrailingWhitespace(string expected, string actual)
        => expected.Split('\n').Select(l => l.TrimEnd()).SequenceEqual(actual.Split('\n').Select(l => l.TrimEnd()));

    private static string Visible(string line)
    {
        // Trailing whitespace and tabs are invisible in a failure message: mark them.
        var trimmed = line.TrimEnd();
        var tail = line.Substring(trimmed.Length).Replace(" ", "·", StringComparison.Ordinal).Replace("\t", "→", StringComparison.Ordinal);
        return trimmed.Replace("\t", "→", StringComparison.Ordinal) + tail;
    }
}
