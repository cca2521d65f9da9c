using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>A span written in markup: an expected diagnostic (<c>[|…|]</c>, <c>{|TG0004:…|}</c>) or a marker (<c>{|#0:…|}</c>).</summary>
/// <param name="Name">The diagnostic id, <see langword="null"/> for <c>[|…|]</c> (the rule under test), or <c>#n</c> for a marker.</param>
/// <param name="Span">The span in the text with all markup removed.</param>
public readonly record struct MarkupSpan(string? Name, TextSpan Span)
{
    /// <summary>Whether this is a <c>{|#n:…|}</c> location marker rather than an expected diagnostic.</summary>
    public bool IsMarker => Name is not null && Name.StartsWith('#');

    /// <summary>The marker's number (only for markers).</summary>
    public int MarkerIndex => IsMarker ? int.Parse(Name!.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture) : throw new InvalidOperationException(Name + " is not a marker.");
}

/// <summary>Markup text split into the plain text and its spans.</summary>
public sealed class MarkupResult
{
    internal MarkupResult(string text, ImmutableArray<MarkupSpan> spans)
    {
        Text = text;
        Spans = spans;
    }

    /// <summary>The text with every markup token removed.</summary>
    public string Text { get; }

    /// <summary>The spans in the order they were opened.</summary>
    public ImmutableArray<MarkupSpan> Spans { get; }
}

/// <summary>
/// Parses the test markup:
/// <list type="bullet">
/// <item><c>[|text|]</c> — an expected diagnostic of the rule under test at that span;</item>
/// <item><c>{|TG0004:text|}</c> — an expected diagnostic with that id at that span;</item>
/// <item><c>{|#0:text|}</c> — location marker 0, referenced by <c>Diagnostic("TG0001").WithLocation(0)</c>.</item>
/// </list>
/// Spans nest (<c>{|TG0001:{|#0:r|}|}</c>) and may be empty (<c>[||]</c>). <c>{|</c> must be followed by a name
/// (letters, digits, <c>_</c>, <c>.</c>, or <c>#</c> and digits) and a colon; a stray <c>|]</c> or <c>|}</c>, an
/// unclosed span, or mismatched brackets is an error, never silently kept as text.
/// </summary>
public static class Markup
{
    /// <summary>Parses <paramref name="markup"/>; <paramref name="fileName"/> only names the file in error messages.</summary>
    public static MarkupResult Parse(string markup, string fileName = "source")
    {
        if (markup is null)
        {
            throw new ArgumentNullException(nameof(markup));
        }

        var text = new StringBuilder(markup.Length);
        var spans = new List<(int Order, MarkupSpan Span)>();
        var open = new Stack<(string? Name, bool Square, int Start, int MarkupOffset, int Order)>();
        var order = 0;
        var i = 0;
        while (i < markup.Length)
        {
            if (StartsWith(markup, i, "[|"))
            {
                open.Push((null, true, text.Length, i, order++));
                i += 2;
            }
            else if (StartsWith(markup, i, "{|"))
            {
                var nameStart = i + 2;
                var colon = nameStart;
                while (colon < markup.Length && IsNameChar(markup[colon]))
                {
                    colon++;
                }

                if (colon == nameStart || colon >= markup.Length || markup[colon] != ':')
                {
                    throw MarkupError(markup, fileName, i, "'{|' must be followed by an id or marker and a colon, as in {|TG0004:text|} or {|#0:text|}");
                }

                var name = markup.Substring(nameStart, colon - nameStart);
                if (name.StartsWith('#') && (name.Length == 1 || !name.Skip(1).All(char.IsAsciiDigit)))
                {
                    throw MarkupError(markup, fileName, i, $"marker '{name}' must be '#' followed by digits, as in {{|#0:text|}}");
                }

                open.Push((name, false, text.Length, i, order++));
                i = colon + 1;
            }
            else if (StartsWith(markup, i, "|]") || StartsWith(markup, i, "|}"))
            {
                var square = markup[i + 1] == ']';
                if (open.Count == 0)
                {
                    throw MarkupError(markup, fileName, i, $"'{markup.Substring(i, 2)}' closes nothing");
                }

                var top = open.Pop();
                if (top.Square != square)
                {
                    throw MarkupError(markup, fileName, i, $"'{markup.Substring(i, 2)}' closes the span opened by '{(top.Square ? "[|" : "{|" + top.Name + ":")}' at {Position(markup, top.MarkupOffset)}");
                }

                spans.Add((top.Order, new MarkupSpan(top.Name, TextSpan.FromBounds(top.Start, text.Length))));
                i += 2;
            }
            else
            {
                text.Append(markup[i]);
                i++;
            }
        }

        if (open.Count > 0)
        {
            var top = open.Peek();
            throw MarkupError(markup, fileName, top.MarkupOffset, $"'{(top.Square ? "[|" : "{|" + top.Name + ":")}' is never closed");
        }

        var markers = spans.Where(s => s.Span.IsMarker).GroupBy(s => s.Span.MarkerIndex).FirstOrDefault(g => g.Count() > 1);
        if (markers is not null)
        {
            throw new ArgumentException($"Markup error in {fileName}: marker #{markers.Key} is used more than once.");
        }

        return new MarkupResult(text.ToString(), spans.OrderBy(s => s.Order).Select(s => s.Span).ToImmutableArray());
    }

    /// <summary>
    /// Writes <paramref name="text"/> with markup around the given spans (outer spans first when they share a
    /// start): the inverse of <see cref="Parse"/>, used to show actual diagnostics as ready-to-paste markup.
    /// </summary>
    public static string Insert(string text, IEnumerable<(string Name, TextSpan Span)> spans)
    {
        var list = spans.Select((s, index) => (s.Name, s.Span, Index: index)).ToList();
        var events = new List<(int Position, int Kind, int Length, int Index, string Token)>();
        foreach (var (name, span, index) in list)
        {
            // Kind: 0 = close, 1 = open, so that at one position spans close before others open; an empty
            // span closes (kind 2) right after it opens.
            events.Add((span.Start, 1, -span.Length, index, "{|" + name + ":"));
            events.Add((span.End, span.IsEmpty ? 2 : 0, span.Length, -index, "|}"));
        }

        var builder = new StringBuilder(text.Length + (events.Count * 8));
        var next = 0;
        foreach (var e in events.OrderBy(e => e.Position).ThenBy(e => e.Kind).ThenBy(e => e.Length).ThenBy(e => e.Index))
        {
            builder.Append(text, next, e.Position - next);
            builder.Append(e.Token);
            next = e.Position;
        }

        builder.Append(text, next, text.Length - next);
        return builder.ToString();
    }

    private static bool StartsWith(string text, int index, string token)
        => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '#' or '-';

    private static ArgumentException MarkupError(string markup, string fileName, int offset, string what)
        => new($"Markup error in {fileName} at {Position(markup, offset)}: {what}.");

    private static string Position(string markup, int offset)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < offset && i < markup.Length; i++)
        {
            if (markup[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return $"line {line}, column {column}";
    }
}
