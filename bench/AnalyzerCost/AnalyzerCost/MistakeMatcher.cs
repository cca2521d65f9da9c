using System;
using System.Collections.Generic;
using System.Linq;
using TrefGuard.AnalyzerCost.Corpus;

namespace TrefGuard.AnalyzerCost;

/// <summary>How a build's TrefGuard diagnostics line up with the corpus manifest.</summary>
internal sealed class MatchResult
{
    public int Planted { get; set; }

    /// <summary>Planted mistakes with a diagnostic of the expected rule inside their method.</summary>
    public int Reported { get; set; }

    /// <summary>Of those, the ones whose diagnostic starts on the expected line.</summary>
    public int ReportedOnExpectedLine { get; set; }

    public Dictionary<Mistake, (int Planted, int Reported)> ByKind { get; } = new();

    public int CorrectMethods { get; set; }

    /// <summary>TrefGuard diagnostics in correct methods, supporting members, or outside any method.</summary>
    public List<LoggedDiagnostic> FalsePositives { get; } = new();

    /// <summary>Diagnostics in planted methods besides the expected one (e.g. TG0010 next to a TG0006).</summary>
    public Dictionary<string, int> ExtraInPlanted { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> ByRule { get; } = new(StringComparer.Ordinal);

    public List<MethodEntry> Missed { get; } = new();

    public double Recall => Planted == 0 ? 0 : (double)Reported / Planted;
}

internal static class MistakeMatcher
{
    /// <param name="idPrefix">Which diagnostics count ("TG" for TrefGuard's, "CA2000", "IDISP").</param>
    /// <param name="anyRule">Count any diagnostic of the prefix in a planted method as reporting it (for the peers, whose rules differ from TrefGuard's).</param>
    public static MatchResult Match(CorpusManifest manifest, IEnumerable<LoggedDiagnostic> diagnostics, string idPrefix = "TG", bool anyRule = false)
    {
        var byFile = manifest.Entries.GroupBy(e => e.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(e => e.FirstLine).ToArray(), StringComparer.Ordinal);
        var found = new Dictionary<MethodEntry, List<LoggedDiagnostic>>();
        var result = new MatchResult();
        foreach (var diagnostic in diagnostics.Where(d => d.Id.StartsWith(idPrefix, StringComparison.Ordinal)))
        {
            result.ByRule[diagnostic.Id] = result.ByRule.GetValueOrDefault(diagnostic.Id) + 1;
            var method = byFile.TryGetValue(diagnostic.File, out var entries)
                ? entries.FirstOrDefault(e => e.FirstLine <= diagnostic.Line && diagnostic.Line <= e.LastLine)
                : null;
            if (method is null || !method.IsPlanted)
            {
                result.FalsePositives.Add(diagnostic);
                continue;
            }

            if (!found.TryGetValue(method, out var list))
            {
                found[method] = list = new List<LoggedDiagnostic>();
            }

            list.Add(diagnostic);
        }

        foreach (var entry in manifest.Entries.Where(e => e.IsCorpusMethod))
        {
            if (!entry.IsPlanted)
            {
                result.CorrectMethods++;
                continue;
            }

            result.Planted++;
            var inMethod = found.GetValueOrDefault(entry) ?? new List<LoggedDiagnostic>();
            var hit = inMethod.Where(d => anyRule || d.Id == entry.ExpectedRule).ToList();
            var (planted, reported) = result.ByKind.GetValueOrDefault(entry.Mistake);
            if (hit.Count > 0)
            {
                result.Reported++;
                if (hit.Any(d => d.Line == entry.ExpectedLine))
                {
                    result.ReportedOnExpectedLine++;
                }

                reported++;
            }
            else
            {
                result.Missed.Add(entry);
            }

            result.ByKind[entry.Mistake] = (planted + 1, reported);
            foreach (var extra in inMethod.Where(d => !anyRule && d.Id != entry.ExpectedRule))
            {
                result.ExtraInPlanted[extra.Id] = result.ExtraInPlanted.GetValueOrDefault(extra.Id) + 1;
            }
        }

        return result;
    }
}
