using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Matches expected results to actual diagnostics (a maximum matching, so the order of equal-looking results never
/// matters) and explains any difference.
/// </summary>
internal static class DiagnosticComparer
{
    public static void AssertMatch(
        IReadOnlyList<DiagnosticResult> expected,
        IReadOnlyList<Diagnostic> actual,
        Func<string, SourceText?> fileText,
        string context,
        string? note = null)
    {
        var expectedSorted = expected
            .OrderBy(e => e.HasLocation ? e.Locations[0].FileName : string.Empty, StringComparer.Ordinal)
            .ThenBy(e => e.HasLocation ? e.Locations[0].LineSpan?.Start : default)
            .ThenBy(e => e.HasLocation ? e.Locations[0].LineSpan?.End : default)
            .ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        var actualSorted = DiagnosticRunner.Sort(actual);

        var matchOfActual = new int[actualSorted.Length];
        Array.Fill(matchOfActual, -1);
        for (var e = 0; e < expectedSorted.Count; e++)
        {
            TryAssign(e, new bool[actualSorted.Length], expectedSorted, actualSorted, matchOfActual);
        }

        var matchedExpected = new HashSet<int>(matchOfActual.Where(m => m >= 0));
        var missing = Enumerable.Range(0, expectedSorted.Count).Where(e => !matchedExpected.Contains(e)).Select(e => expectedSorted[e]).ToList();
        var unexpected = Enumerable.Range(0, actualSorted.Length).Where(a => matchOfActual[a] < 0).Select(a => actualSorted[a]).ToList();
        if (missing.Count == 0 && unexpected.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(context).Append(": the diagnostics do not match (expected ").Append(expectedSorted.Count).Append(", actual ").Append(actualSorted.Length).Append(").").AppendLine();
        if (note is not null)
        {
            message.Append(note).AppendLine();
        }

        if (missing.Count > 0)
        {
            message.AppendLine().AppendLine("Missing (expected, not reported):");
            foreach (var result in missing)
            {
                message.Append("  ").Append(DiagnosticText.Describe(result)).AppendLine();
                foreach (var near in actualSorted.Where(a => a.Id == result.Id && LocationsMatch(result, a)))
                {
                    message.Append("      reported here with: ").Append(DiagnosticText.Describe(near)).AppendLine();
                }

                if (result.HasLocation && !actualSorted.Any(a => a.Id == result.Id && LocationsMatch(result, a)))
                {
                    foreach (var near in actualSorted.Where(a => a.Id == result.Id && a.Location.Kind != LocationKind.None && TestWorkspace.DisplayName(a.Location.GetLineSpan().Path) == result.Locations[0].FileName))
                    {
                        message.Append("      same id elsewhere: ").Append(DiagnosticText.Describe(near)).AppendLine();
                    }
                }
            }
        }

        if (unexpected.Count > 0)
        {
            message.AppendLine().AppendLine("Unexpected (reported, not expected):");
            foreach (var diagnostic in unexpected)
            {
                message.Append("  ").Append(DiagnosticText.Describe(diagnostic)).AppendLine();
                var line = DiagnosticText.SourceLine(diagnostic.Location);
                if (line is not null)
                {
                    message.Append("      ").Append(line.Trim()).AppendLine();
                }
            }
        }

        message.AppendLine().AppendLine("Expected:");
        AppendAll(message, expectedSorted.Select(DiagnosticText.Describe));
        message.AppendLine("Actual:");
        AppendAll(message, actualSorted.Select(DiagnosticText.Describe));
        if (actualSorted.Length > 0)
        {
            message.AppendLine().AppendLine("Actual diagnostics as markup (paste into the source; {|#n:…|} plus WithLocation(n) to pin arguments):");
            message.Append(DiagnosticText.MarkupHints(actualSorted, fileText));
            message.AppendLine("Actual diagnostics as results:");
            foreach (var diagnostic in actualSorted)
            {
                message.Append("  ").Append(DiagnosticText.ToResultCode(diagnostic)).AppendLine(",");
            }
        }

        throw new VerifierException(message.ToString());
    }

    /// <summary>Whether one actual diagnostic satisfies one expected result.</summary>
    public static bool Matches(DiagnosticResult expected, Diagnostic actual)
    {
        if (expected.Id != actual.Id || !LocationsMatch(expected, actual))
        {
            return false;
        }

        if (expected.Severity is { } severity && severity != actual.Severity)
        {
            return false;
        }

        var message = expected.GetExpectedMessage();
        return message is null || string.Equals(message, DiagnosticText.Message(actual), StringComparison.Ordinal);
    }

    private static bool LocationsMatch(DiagnosticResult expected, Diagnostic actual)
    {
        if (!expected.HasLocation)
        {
            return actual.Location.Kind == LocationKind.None;
        }

        if (!LocationMatches(expected.Locations[0], actual.Location))
        {
            return false;
        }

        if (expected.Locations.Length == 1)
        {
            return true;
        }

        var additional = actual.AdditionalLocations;
        if (additional.Count != expected.Locations.Length - 1)
        {
            return false;
        }

        for (var i = 0; i < additional.Count; i++)
        {
            if (!LocationMatches(expected.Locations[i + 1], additional[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool LocationMatches(ExpectedLocation expected, Location actual)
    {
        if (actual.Kind == LocationKind.None)
        {
            return false;
        }

        var span = actual.GetLineSpan();
        return TestWorkspace.DisplayName(span.Path) == expected.FileName && span.Span == expected.LineSpan;
    }

    private static bool TryAssign(int e, bool[] visited, List<DiagnosticResult> expected, IReadOnlyList<Diagnostic> actual, int[] matchOfActual)
    {
        for (var a = 0; a < actual.Count; a++)
        {
            if (visited[a] || !Matches(expected[e], actual[a]))
            {
                continue;
            }

            visited[a] = true;
            if (matchOfActual[a] < 0 || TryAssign(matchOfActual[a], visited, expected, actual, matchOfActual))
            {
                matchOfActual[a] = e;
                return true;
            }
        }

        return false;
    }

    private static void AppendAll(StringBuilder message, IEnumerable<string> lines)
    {
        var any = false;
        foreach (var line in lines)
        {
            message.Append("  ").Append(line).AppendLine();
            any = true;
        }

        if (!any)
        {
            message.AppendLine("  (none)");
        }
    }
}
