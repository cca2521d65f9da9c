using System.Globalization;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>
/// One method of <see cref="Statements"/> statements with <see cref="Branches"/> if/else branches and
/// <see cref="References"/> references, correct on every path exceptions included: the references come in groups of
/// <see cref="Nesting"/> whose lifetimes overlap, each held in its own try/finally nested in the previous one's. The
/// worst case a path-sensitive analysis of one method should meet.
/// </summary>
public static class BigMethod
{
    public const int Statements = 5_000;
    public const int Branches = 500;
    public const int References = 50;
    public const int Nesting = 5;

    private const int PerSegment = Statements / References;
    private const int BranchesPerSegment = Branches / References;

    /// <summary>The source of a file holding the method; the out values count what was written, nested statements included.</summary>
    public static string Source(Dialect dialect, out int statementCount, out int branchCount)
    {
        var w = new CodeWriter();
        CorpusGenerator.WriteHeader(w, dialect);
        w.Open("internal static class Big");
        w.Open($"public static int Run({dialect.TableType} table, int seed)");
        w.Line("var acc = seed;");
        statementCount = 1;
        branchCount = 0;
        for (var segment = 0; segment < References; segment++)
        {
            var depth = segment % Nesting;

            // The acquisition, its try and the put in its finally are three of the segment's statements.
            w.Line($"var r{segment} = {dialect.ByPid("table", $"seed + {segment}", "Pid")};");
            w.Open("try");
            var written = 3;

            // `var acc` and the return are statements too: leave room for them.
            var reserved = segment == 0 || segment == References - 1 ? 1 : 0;
            var plain = PerSegment - written - (BranchesPerSegment * 3) - reserved;
            for (var b = 0; b < BranchesPerSegment; b++)
            {
                // Any reference of the group still held: this one or one taken before it in the group.
                var live = segment - (b % (depth + 1));
                w.Open($"if ((acc & {7 + b}) == {b % 5})");
                w.Line($"acc += r{live.ToString(CultureInfo.InvariantCulture)}.Nr;");
                w.Close();
                w.Open("else");
                w.Line($"acc ^= {segment * 31 + b};");
                w.Close();
                written += 3;
                branchCount++;
                for (var p = 0; p < (plain / BranchesPerSegment) + (b < plain % BranchesPerSegment ? 1 : 0); p++)
                {
                    w.Line($"acc = acc * 31 + {segment + p};");
                    written++;
                }
            }

            statementCount += written;
            if (depth == Nesting - 1 || segment == References - 1)
            {
                // The group ends: close the tries from the innermost out, each finally putting its reference.
                for (var open = segment; open > segment - depth - 1; open--)
                {
                    w.Close();
                    w.Open("finally");
                    w.Line($"{dialect.Release("r" + open.ToString(CultureInfo.InvariantCulture))};");
                    w.Close();
                }
            }
        }

        w.Line("return acc;");
        statementCount++;
        w.Close();
        w.Close();
        return w.ToString();
    }
}
