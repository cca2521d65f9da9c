using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Robustness;

/// <summary>One mutated input: which unit it came from, which file was changed, how, and the resulting files.</summary>
public sealed record MutationVariant(
    int Seed,
    int Index,
    string Origin,
    int MutatedFile,
    bool MutatedAnnotations,
    ImmutableArray<string> Mutations,
    ImmutableArray<MutationFile> Sources,
    ImmutableArray<MutationFile> AdditionalFiles)
{
    /// <summary>What a failure message shows: where the variant came from, the edits, and the text that was analyzed.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("seed ").Append(Seed).Append(", variant ").Append(Index).Append(", from ").Append(Origin).AppendLine();
        text.Append("mutations: ").AppendLine(string.Join("; ", Mutations));
        text.Append("reproduce: dotnet run -c Release --project bench/Robustness -- mutate --seed ").Append(Seed).Append(" --only ").Append(Index).AppendLine();
        for (var i = 0; i < Sources.Length; i++)
        {
            if (i == MutatedFile)
            {
                text.Append("----- ").Append(Sources[i].Name).AppendLine(" (mutated) -----").AppendLine(Sources[i].Text);
            }
            else
            {
                text.Append("----- ").Append(Sources[i].Name).AppendLine(" (unchanged from the corpus) -----");
            }
        }

        foreach (var file in AdditionalFiles)
        {
            text.Append("----- ").Append(file.Name).AppendLine(MutatedAnnotations ? " (mutated) -----" : " -----").AppendLine(file.Text);
        }

        return text.ToString();
    }
}

/// <summary>
/// Makes variant <c>i</c> of seed <c>s</c>: a corpus unit picked and edited by a generator seeded from (s, i)
/// alone, so any single variant can be rebuilt without running the ones before it. The edits are what an editor
/// sees while someone types: deleted tokens and lines, a truncated file, duplicated or swapped statements,
/// unbalanced braces, renamed identifiers, jumps (<c>await</c>, <c>return</c>, <c>yield</c>, <c>break</c>, …)
/// and TrefGuard calls dropped at statement positions, statements wrapped in new control flow, flipped
/// modifiers, and a damaged annotation file.
/// </summary>
public static class MutationVariants
{
    private static readonly CSharpParseOptions s_parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly (string Name, int Weight, Func<Random, string, (string Text, string Description)?> Apply)[] s_operators =
    {
        ("delete-token", 3, DeleteToken),
        ("delete-line", 3, DeleteLine),
        ("truncate", 1, Truncate),
        ("duplicate-statement", 2, DuplicateStatement),
        ("swap-statements", 2, SwapStatements),
        ("unbalance-braces", 2, UnbalanceBraces),
        ("rename-identifier", 2, RenameIdentifier),
        ("insert-jump", 4, InsertJump),
        ("insert-trefguard-call", 3, InsertTrefGuardCall),
        ("wrap-statement", 2, WrapStatement),
        ("toggle-modifier", 1, ToggleModifier),
    };

    private static readonly int s_totalWeight = s_operators.Sum(o => o.Weight);

    public static MutationVariant Create(MutationCorpus corpus, int seed, int index)
    {
        if (corpus.Units.IsEmpty)
        {
            throw new InvalidOperationException("The corpus is empty.");
        }

        var random = new Random(Mix(seed, index));
        var unit = PickUnit(corpus, random);
        var sources = unit.Sources.ToBuilder();
        var additional = unit.AdditionalFiles.ToBuilder();
        var mutations = new List<string>();
        if (additional.Count == 0 && !corpus.AnnotationFiles.IsEmpty && random.Next(8) == 0)
        {
            additional.Add(new MutationFile(MutationCorpus.AnnotationFileName, corpus.AnnotationFiles[random.Next(corpus.AnnotationFiles.Length)]));
            mutations.Add("attach an annotation file from the corpus");
        }

        var target = random.Next(sources.Count);
        var mutatedAnnotations = false;
        var count = random.Next(10) switch { < 5 => 1, < 8 => 2, _ => 3 };
        for (var m = 0; m < count; m++)
        {
            if (additional.Count > 0 && random.Next(6) == 0)
            {
                var (text, description) = MutateAnnotations(random, additional[0].Text);
                additional[0] = additional[0] with { Text = text };
                mutations.Add(description);
                mutatedAnnotations = true;
                continue;
            }

            var source = sources[target].Text;
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var op = Pick(random);
                var result = op.Apply(random, source);
                if (result is { } applied)
                {
                    sources[target] = sources[target] with { Text = applied.Text };
                    mutations.Add($"{op.Name}: {applied.Description}");
                    break;
                }
            }
        }

        if (sources[target].Text == unit.Sources[target].Text && !mutatedAnnotations)
        {
            // Every operator can come up empty on a short source (nothing to swap, wrap or jump out of); a variant
            // must still differ from its unit, or it tests nothing.
            sources[target] = sources[target] with { Text = sources[target].Text + "\n}" };
            mutations.Add("append-brace: no operator applied, a stray closing brace at the end");
        }

        return new MutationVariant(seed, index, unit.Origin, target, mutatedAnnotations, mutations.ToImmutableArray(), sources.ToImmutable(), additional.ToImmutable());
    }

    /// <summary>
    /// A unit from one of the corpus's sources, chosen by a fixed share rather than by size: the four samples and the
    /// cost corpus's few large files would otherwise get a few variants in a thousand beside 450 test sources.
    /// </summary>
    private static CorpusUnit PickUnit(MutationCorpus corpus, Random random)
    {
        var groups = new List<(int Share, List<CorpusUnit> Units)>
        {
            (70, corpus.Units.Where(u => u.Origin.StartsWith("tests/", StringComparison.Ordinal)).ToList()),
            (15, corpus.Units.Where(u => u.Origin.StartsWith("samples/", StringComparison.Ordinal)).ToList()),
            (15, corpus.Units.Where(u => u.Origin.StartsWith("cost/", StringComparison.Ordinal)).ToList()),
        };
        groups.RemoveAll(g => g.Units.Count == 0);
        if (groups.Count == 0)
        {
            return corpus.Units[random.Next(corpus.Units.Length)];
        }

        var roll = random.Next(groups.Sum(g => g.Share));
        foreach (var (share, units) in groups)
        {
            if (roll < share)
            {
                return units[random.Next(units.Count)];
            }

            roll -= share;
        }

        throw new InvalidOperationException("unreachable: the roll is below the total share");
    }

    /// <summary>SplitMix64 of (seed, index): neighbouring indices get unrelated generators.</summary>
    internal static int Mix(int seed, int index)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFF_FFFF);
        }
    }

    private static (string Name, int Weight, Func<Random, string, (string Text, string Description)?> Apply) Pick(Random random)
    {
        var roll = random.Next(s_totalWeight);
        foreach (var op in s_operators)
        {
            if (roll < op.Weight)
            {
                return op;
            }

            roll -= op.Weight;
        }

        return s_operators[^1];
    }

    private static SyntaxNode Parse(string text) => CSharpSyntaxTree.ParseText(text, s_parseOptions).GetRoot();

    private static string Line(string text, int position) => $"line {SourceText.From(text).Lines.GetLineFromPosition(Math.Min(position, text.Length)).LineNumber + 1}";

    private static string Show(string text) => text.Length <= 40 ? text.Replace("\n", "\\n", StringComparison.Ordinal) : text[..37].Replace("\n", "\\n", StringComparison.Ordinal) + "...";

    private static string Replace(string text, TextSpan span, string replacement) => text[..span.Start] + replacement + text[span.End..];

    private static (string Text, string Description)? DeleteToken(Random random, string text)
    {
        var tokens = Parse(text).DescendantTokens().Where(t => t.Span.Length > 0).ToList();
        if (tokens.Count == 0)
        {
            return null;
        }

        var token = tokens[random.Next(tokens.Count)];
        return (Replace(text, token.Span, string.Empty), $"'{Show(token.Text)}' at {Line(text, token.SpanStart)}");
    }

    private static (string Text, string Description)? DeleteLine(Random random, string text)
    {
        var lines = SourceText.From(text).Lines;
        var candidates = lines.Where(l => !string.IsNullOrWhiteSpace(l.ToString())).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var line = candidates[random.Next(candidates.Count)];
        return (Replace(text, line.SpanIncludingLineBreak, string.Empty), $"line {line.LineNumber + 1} '{Show(line.ToString().Trim())}'");
    }

    private static (string Text, string Description)? Truncate(Random random, string text)
    {
        if (text.Length < 2)
        {
            return null;
        }

        var at = random.Next(1, text.Length);
        return (text[..at], $"at offset {at} ({Line(text, at)}) of {text.Length}");
    }

    private static IEnumerable<SyntaxList<StatementSyntax>> StatementLists(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case BlockSyntax block:
                    yield return block.Statements;
                    break;
                case SwitchSectionSyntax section:
                    yield return section.Statements;
                    break;
                case CompilationUnitSyntax:
                    break;
            }
        }
    }

    private static (string Text, string Description)? DuplicateStatement(Random random, string text)
    {
        var statements = StatementLists(Parse(text)).SelectMany(l => l).ToList();
        if (statements.Count == 0)
        {
            return null;
        }

        var statement = statements[random.Next(statements.Count)];
        return (text.Insert(statement.FullSpan.End, statement.ToFullString()), $"'{Show(statement.ToString())}' at {Line(text, statement.SpanStart)}");
    }

    private static (string Text, string Description)? SwapStatements(Random random, string text)
    {
        var lists = StatementLists(Parse(text)).Where(l => l.Count >= 2).ToList();
        if (lists.Count == 0)
        {
            return null;
        }

        var list = lists[random.Next(lists.Count)];
        var i = random.Next(list.Count - 1);
        var j = random.Next(3) == 0 ? random.Next(i + 1, list.Count) : i + 1;
        var first = list[i];
        var second = list[j];
        var swapped = Replace(text, second.Span, first.ToString());
        swapped = Replace(swapped, first.Span, second.ToString());
        return (swapped, $"'{Show(first.ToString())}' ({Line(text, first.SpanStart)}) with '{Show(second.ToString())}' ({Line(text, second.SpanStart)})");
    }

    private static (string Text, string Description)? UnbalanceBraces(Random random, string text)
    {
        var root = Parse(text);
        var braces = root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.OpenBraceToken) || t.IsKind(SyntaxKind.CloseBraceToken)).ToList();
        if (braces.Count > 0 && random.Next(2) == 0)
        {
            var brace = braces[random.Next(braces.Count)];
            return (Replace(text, brace.Span, string.Empty), $"delete '{brace.Text}' at {Line(text, brace.SpanStart)}");
        }

        var position = StatementPosition(random, root) ?? random.Next(text.Length + 1);
        var inserted = random.Next(2) == 0 ? "{ " : "} ";
        return (text.Insert(position, inserted), $"insert '{inserted.Trim()}' at {Line(text, position)}");
    }

    private static (string Text, string Description)? RenameIdentifier(Random random, string text)
    {
        var identifiers = Parse(text).DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).ToList();
        if (identifiers.Count == 0)
        {
            return null;
        }

        var token = identifiers[random.Next(identifiers.Count)];
        var others = identifiers.Select(t => t.ValueText).Where(n => n != token.ValueText).Distinct(StringComparer.Ordinal).ToList();
        var name = random.Next(4) switch
        {
            0 when others.Count > 0 => others[random.Next(others.Count)], // collide with another name
            1 => "value",
            2 => "_",
            _ => token.ValueText + "2",
        };
        if (random.Next(2) == 0)
        {
            return (Replace(text, token.Span, name), $"'{token.ValueText}' at {Line(text, token.SpanStart)} to '{name}' (that occurrence)");
        }

        var result = text;
        var occurrences = identifiers.Where(t => t.ValueText == token.ValueText).OrderByDescending(t => t.SpanStart).ToList();
        foreach (var occurrence in occurrences)
        {
            result = Replace(result, occurrence.Span, name);
        }

        return (result, $"'{token.ValueText}' to '{name}' ({occurrences.Count} occurrences)");
    }

    /// <summary>A place where a statement can start: before a statement of a block or switch section, or at a block's end.</summary>
    private static int? StatementPosition(Random random, SyntaxNode root, out SyntaxNode? scope)
    {
        var positions = new List<(int Position, SyntaxNode Scope)>();
        foreach (var node in root.DescendantNodes())
        {
            if (node is BlockSyntax block)
            {
                positions.AddRange(block.Statements.Select(s => (s.SpanStart, (SyntaxNode)s)));
                positions.Add((block.CloseBraceToken.SpanStart, block));
            }
            else if (node is SwitchSectionSyntax section)
            {
                positions.AddRange(section.Statements.Select(s => (s.SpanStart, (SyntaxNode)s)));
            }
        }

        if (positions.Count == 0)
        {
            scope = null;
            return null;
        }

        var chosen = positions[random.Next(positions.Count)];
        scope = chosen.Scope;
        return chosen.Position;
    }

    private static int? StatementPosition(Random random, SyntaxNode root) => StatementPosition(random, root, out _);

    /// <summary>Names visible around <paramref name="scope"/>: the enclosing member's parameters and locals, and its type's fields.</summary>
    private static List<string> NamesAround(SyntaxNode? scope)
    {
        var names = new List<string>();
        var member = scope?.AncestorsAndSelf().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or PropertyDeclarationSyntax);
        if (member is not null)
        {
            names.AddRange(member.DescendantNodes().OfType<ParameterSyntax>().Select(p => p.Identifier.ValueText));
            names.AddRange(member.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(v => v.Identifier.ValueText));
            names.AddRange(member.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(v => v.Identifier.ValueText));
        }

        var type = scope?.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault();
        if (type is not null)
        {
            names.AddRange(type.Members.OfType<FieldDeclarationSyntax>().SelectMany(f => f.Declaration.Variables).Select(v => v.Identifier.ValueText));
        }

        return names.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    private static string Indentation(string text, int position)
    {
        var start = position;
        while (start > 0 && text[start - 1] is ' ' or '\t')
        {
            start--;
        }

        return text[start..position];
    }

    private static (string Text, string Description)? InsertStatement(string text, int position, string statement)
    {
        var inserted = statement + "\n" + Indentation(text, position);
        return (text.Insert(position, inserted), $"'{statement}' at {Line(text, position)}");
    }

    private static (string Text, string Description)? InsertJump(Random random, string text)
    {
        var root = Parse(text);
        if (StatementPosition(random, root, out var scope) is not int position)
        {
            return null;
        }

        var names = NamesAround(scope);
        var x = names.Count > 0 ? names[random.Next(names.Count)] : "x";
        if (random.Next(6) == 0 && scope is ExpressionStatementSyntax expression)
        {
            return (text.Insert(expression.SpanStart, "await "), $"'await ' before '{Show(expression.ToString())}' at {Line(text, position)}");
        }

        var statement = random.Next(10) switch
        {
            0 => "await System.Threading.Tasks.Task.Yield();",
            1 => $"await {x};",
            2 => "return;",
            3 => $"return {x};",
            4 => "return default;",
            5 => $"yield return {x};",
            6 => "yield break;",
            7 => "break;",
            8 => "continue;",
            _ => "throw new System.InvalidOperationException();",
        };
        return InsertStatement(text, position, statement);
    }

    private static (string Text, string Description)? InsertTrefGuardCall(Random random, string text)
    {
        var root = Parse(text);
        if (StatementPosition(random, root, out var scope) is not int position)
        {
            return null;
        }

        var names = NamesAround(scope);
        var x = names.Count > 0 ? names[random.Next(names.Count)] : "r";
        var y = names.Count > 0 ? names[random.Next(names.Count)] : "table";
        var statement = random.Next(14) switch
        {
            0 => $"{x}.Put();",
            1 => $"{x}.Get();",
            2 => $"var {x}Copy = {x}.Get();",
            3 => $"var {x}Task = {x}.GetTask();",
            4 => $"Tref.Set(ref {x}, {y});",
            5 => $"Tref.Reset(ref {x});",
            6 => $"Tref.Fini(ref {x});",
            7 => $"Tref.Init(ref {x});",
            8 => $"using var {x}Guard = {y}.ReadLock();",
            9 => $"var {x}Ref = TrefGuard.Tref.GetByPid({y}, 1, TrefGuard.PidType.Pid);",
            10 => $"TrefGuard.Tref.GetByTask({x}, TrefGuard.PidType.Pgid);",
            11 => $"{x} = {y};",
            12 => $"_ = {x}.Task;",
            _ => $"{x}.AssertLockHeld();",
        };
        return InsertStatement(text, position, statement);
    }

    private static (string Text, string Description)? WrapStatement(Random random, string text)
    {
        var statements = StatementLists(Parse(text)).SelectMany(l => l).ToList();
        if (statements.Count == 0)
        {
            return null;
        }

        var statement = statements[random.Next(statements.Count)];
        var body = statement.ToString();
        var names = NamesAround(statement);
        var x = names.Count > 0 ? names[random.Next(names.Count)] : "x";
        var (wrapped, how) = random.Next(11) switch
        {
            // Nested graphs inside regions of the enclosing graph: lambdas and local functions in using and foreach.
            9 => ($"using (var wrappedStream = new System.IO.MemoryStream()) {{ System.Action wrapped = () => {{ {body} }}; wrapped(); }}", "lambda in using"),
            10 => ($"foreach (var item in new int[0]) {{ void Wrapped() {{ {body} }} Wrapped(); }}", "local function in foreach"),
            0 => ($"try {{ {body} }} finally {{ }}", "try/finally"),
            1 => ($"try {{ {body} }} catch (System.Exception) {{ throw; }}", "try/catch"),
            2 => ($"if ({x} != null) {{ {body} }}", "if"),
            3 => ($"while (true) {{ {body} break; }}", "while"),
            4 => ($"System.Action wrapped = () => {{ {body} }};", "lambda"),
            5 => ($"void Wrapped() {{ {body} }}", "local function"),
            6 => ($"lock (this) {{ {body} }}", "lock"),
            7 => ($"foreach (var item in new int[0]) {{ {body} }}", "foreach"),
            _ => ($"switch ({x}) {{ case null: {body} break; }}", "switch"),
        };
        return (Replace(text, statement.Span, wrapped), $"'{Show(body)}' at {Line(text, statement.SpanStart)} in {how}");
    }

    private static (string Text, string Description)? ToggleModifier(Random random, string text)
    {
        var methods = Parse(text).DescendantNodes().OfType<MethodDeclarationSyntax>().ToList();
        if (methods.Count == 0)
        {
            return null;
        }

        var method = methods[random.Next(methods.Count)];
        var existing = method.Modifiers.Where(m => !m.IsKind(SyntaxKind.PublicKeyword) && !m.IsKind(SyntaxKind.PrivateKeyword) && !m.IsKind(SyntaxKind.InternalKeyword)).ToList();
        if (existing.Count > 0 && random.Next(3) == 0)
        {
            var modifier = existing[random.Next(existing.Count)];
            return (Replace(text, modifier.Span, string.Empty), $"remove '{modifier.Text}' from {method.Identifier.ValueText}");
        }

        var added = random.Next(4) switch { 0 => "async", 1 => "static", 2 => "unsafe", _ => "async" };
        return (text.Insert(method.ReturnType.SpanStart, added + " "), $"add '{added}' to {method.Identifier.ValueText}");
    }

    private static (string Text, string Description) MutateAnnotations(Random random, string text)
    {
        var lines = text.Split('\n').ToList();
        var i = random.Next(lines.Count);
        switch (random.Next(5))
        {
            case 0:
                lines.RemoveAt(i);
                return (string.Join('\n', lines), $"annotations: delete line {i + 1}");
            case 1:
                lines.Insert(i, lines[i]);
                return (string.Join('\n', lines), $"annotations: duplicate line {i + 1}");
            case 2:
            {
                var words = lines[i].Split(' ').ToList();
                var w = random.Next(words.Count);
                words.RemoveAt(w);
                lines[i] = string.Join(' ', words);
                return (string.Join('\n', lines), $"annotations: delete word {w + 1} of line {i + 1}");
            }

            case 3:
            {
                var at = text.Length == 0 ? 0 : random.Next(text.Length);
                return (text[..at], $"annotations: truncate at offset {at}");
            }

            default:
            {
                var annotation = random.Next(6) switch
                {
                    0 => "AcquiresLock(",
                    1 => "param: ReleasesReference",
                    2 => "RequiresLock()",
                    3 => "GuardedBy(tasklist) AcquiresReference",
                    4 => "M:",
                    _ => "TransfersOwnership",
                };
                lines[i] = lines[i] + " " + annotation;
                return (string.Join('\n', lines), $"annotations: append '{annotation}' to line {i + 1}");
            }
        }
    }
}
