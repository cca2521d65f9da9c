using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>Human-readable text for diagnostics, expected results, and ready-to-paste markup.</summary>
internal static class DiagnosticText
{
    private static readonly PropertyInfo? s_arguments = typeof(Diagnostic).GetProperty("Arguments", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    public static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    /// <summary><c>Test0.cs(5,13,5,14)</c> (1-based), or <c>(no location)</c>.</summary>
    public static string Position(Location location)
    {
        if (location.Kind == LocationKind.None)
        {
            return "(no location)";
        }

        var span = location.GetLineSpan();
        return Position(TestWorkspace.DisplayName(span.Path), span.Span);
    }

    public static string Position(string? fileName, LinePositionSpan span)
        => string.Create(CultureInfo.InvariantCulture, $"{fileName ?? "(no file)"}({span.Start.Line + 1},{span.Start.Character + 1},{span.End.Line + 1},{span.End.Character + 1})");

    /// <summary><c>Test0.cs(5,13,5,14): warning TG0001: message</c>.</summary>
    public static string Describe(Diagnostic diagnostic)
        => $"{Position(diagnostic.Location)}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {Message(diagnostic)}";

    public static string Describe(DiagnosticResult expected)
    {
        var builder = new StringBuilder();
        builder.Append(expected.HasLocation ? Position(expected.Locations[0]) : "(no location)").Append(": ");
        if (expected.Severity is { } severity)
        {
            builder.Append(severity.ToString().ToLowerInvariant()).Append(' ');
        }

        builder.Append(expected.Id).Append(": ");
        var message = expected.GetExpectedMessage();
        builder.Append(message ?? "(message not compared)");
        for (var i = 1; i < expected.Locations.Length; i++)
        {
            builder.Append(" [also at ").Append(Position(expected.Locations[i])).Append(']');
        }

        return builder.ToString();
    }

    public static string Position(ExpectedLocation location)
        => location.LineSpan is { } span ? Position(location.FileName, span) : location.ToCallString();

    /// <summary>The source line a location starts on, when it is in a syntax tree.</summary>
    public static string? SourceLine(Location location)
    {
        if (location.SourceTree is not { } tree)
        {
            return null;
        }

        var text = tree.GetText();
        var line = text.Lines.GetLineFromPosition(location.SourceSpan.Start);
        return line.ToString();
    }

    /// <summary>The diagnostic as C# for a test: <c>Diagnostic("TG0001").WithSpan(…).WithArguments(…)</c>.</summary>
    public static string ToResultCode(Diagnostic diagnostic)
    {
        var builder = new StringBuilder();
        builder.Append("Diagnostic(\"").Append(diagnostic.Id).Append("\")");
        if (diagnostic.Location.Kind != LocationKind.None)
        {
            var span = diagnostic.Location.GetLineSpan();
            builder.Append(CultureInfo.InvariantCulture, $".WithSpan({DiagnosticResult.Quote(TestWorkspace.DisplayName(span.Path))}, {span.StartLinePosition.Line + 1}, {span.StartLinePosition.Character + 1}, {span.EndLinePosition.Line + 1}, {span.EndLinePosition.Character + 1})");
        }

        var arguments = Arguments(diagnostic);
        if (arguments is not null)
        {
            builder.Append(".WithArguments(").Append(DiagnosticResult.FormatArguments(arguments)).Append(')');
        }
        else
        {
            builder.Append(".WithMessage(").Append(DiagnosticResult.Quote(Message(diagnostic))).Append(')');
        }

        return builder.ToString();
    }

    /// <summary>
    /// The actual diagnostics written back into the files as markup, one line per affected source line, so that
    /// the expected markup can be pasted from a failure message.
    /// </summary>
    public static string MarkupHints(IReadOnlyList<Diagnostic> actual, Func<string, SourceText?> fileText)
    {
        var builder = new StringBuilder();
        foreach (var group in actual.Where(d => d.Location.Kind != LocationKind.None).GroupBy(d => TestWorkspace.DisplayName(d.Location.GetLineSpan().Path)))
        {
            var text = fileText(group.Key) ?? group.First().Location.SourceTree?.GetText();
            if (text is null)
            {
                continue;
            }

            var diagnostics = group.ToList();
            var spans = diagnostics.Select(d => (d.Id, Span: ToTextSpan(d.Location, text))).ToList();
            var marked = SourceText.From(Markup.Insert(text.ToString(), spans));
            var firstLines = spans.Select(s => text.Lines.GetLineFromPosition(s.Span.Start).LineNumber).ToList();
            var lastLines = spans.Select(s => text.Lines.GetLineFromPosition(s.Span.End).LineNumber).ToList();
            var lineNumbers = new SortedSet<int>();
            for (var i = 0; i < spans.Count; i++)
            {
                for (var line = firstLines[i]; line <= lastLines[i]; line++)
                {
                    lineNumbers.Add(line);
                }
            }

            // The marked text has extra characters, so find its lines by counting newlines, which markup never adds.
            foreach (var line in lineNumbers)
            {
                if (line < marked.Lines.Count)
                {
                    builder.Append("  ").Append(group.Key).Append(CultureInfo.InvariantCulture, $" line {line + 1}: ").Append(marked.Lines[line].ToString()).AppendLine();
                }
            }
        }

        return builder.ToString();
    }

    private static TextSpan ToTextSpan(Location location, SourceText text)
    {
        if (location.IsInSource)
        {
            return location.SourceSpan;
        }

        var span = location.GetLineSpan().Span;
        try
        {
            return text.Lines.GetTextSpan(span);
        }
        catch (ArgumentOutOfRangeException)
        {
            return location.SourceSpan;
        }
    }

    private static IReadOnlyList<object?>? Arguments(Diagnostic diagnostic)
    {
        try
        {
            return s_arguments?.GetValue(diagnostic) is IEnumerable values ? values.Cast<object?>().ToList() : null;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }
}
