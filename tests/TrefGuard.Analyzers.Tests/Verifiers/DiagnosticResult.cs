using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// One diagnostic a test expects. Immutable: every <c>With…</c> method returns a new instance.
/// </summary>
/// <remarks>
/// <para>
/// Location: <see cref="WithLocation(int)"/> refers to a <c>{|#0:…|}</c> marker in the sources (the normal way);
/// <see cref="WithSpan(int, int, int, int)"/> gives 1-based line and column numbers as a fallback. A result with
/// no location matches only a diagnostic that has none (<see cref="Location.None"/>). When a result names more
/// than one location, the diagnostic's additional locations are compared too; otherwise they are not.
/// </para>
/// <para>
/// Message: with <see cref="WithArguments"/> the actual message must equal the descriptor's message format
/// formatted with those arguments (<see cref="CultureInfo.InvariantCulture"/>); with <see cref="WithMessage"/> it
/// must equal that exact text; with neither, the message is not compared. Severity is compared only when
/// <see cref="WithSeverity"/> was called.
/// </para>
/// </remarks>
public sealed class DiagnosticResult
{
    private DiagnosticResult(
        string id,
        DiagnosticDescriptor? descriptor,
        DiagnosticSeverity? severity,
        string? message,
        ImmutableArray<object?>? arguments,
        ImmutableArray<ExpectedLocation> locations)
    {
        Id = id;
        Descriptor = descriptor;
        Severity = severity;
        Message = message;
        Arguments = arguments;
        Locations = locations;
    }

    /// <summary>An expected diagnostic with the given id; its descriptor is looked up among the analyzers under test.</summary>
    public DiagnosticResult(string id)
        : this(id ?? throw new ArgumentNullException(nameof(id)), null, null, null, null, ImmutableArray<ExpectedLocation>.Empty)
    {
    }

    /// <summary>An expected diagnostic of the given descriptor (used to format <see cref="Arguments"/>).</summary>
    public DiagnosticResult(DiagnosticDescriptor descriptor)
        : this((descriptor ?? throw new ArgumentNullException(nameof(descriptor))).Id, descriptor, null, null, null, ImmutableArray<ExpectedLocation>.Empty)
    {
    }

    /// <summary>The rule id, for example <c>TG0001</c>.</summary>
    public string Id { get; }

    /// <summary>The descriptor, when known; it formats <see cref="Arguments"/> into the expected message.</summary>
    public DiagnosticDescriptor? Descriptor { get; }

    /// <summary>The expected severity, or <see langword="null"/> to not compare it.</summary>
    public DiagnosticSeverity? Severity { get; }

    /// <summary>The exact expected message, or <see langword="null"/>.</summary>
    public string? Message { get; }

    /// <summary>The expected message arguments, or <see langword="null"/> to not compare the message.</summary>
    public ImmutableArray<object?>? Arguments { get; }

    /// <summary>The expected locations: the first is the primary one.</summary>
    public ImmutableArray<ExpectedLocation> Locations { get; }

    /// <summary>Whether a location was given.</summary>
    public bool HasLocation => !Locations.IsEmpty;

    /// <summary>Adds a location: the span of the markup marker <c>{|#<paramref name="markerIndex"/>:…|}</c>.</summary>
    public DiagnosticResult WithLocation(int markerIndex)
    {
        if (markerIndex < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(markerIndex), markerIndex, "Marker indexes are 0 or more: {|#0:…|}.");
        }

        return With(locations: Locations.Add(ExpectedLocation.FromMarker(markerIndex)));
    }

    /// <summary>Adds a location by 1-based line and column numbers in the first source file. Prefer markup.</summary>
    public DiagnosticResult WithSpan(int startLine, int startColumn, int endLine, int endColumn)
        => WithSpan(null, startLine, startColumn, endLine, endColumn);

    /// <summary>Adds a location by 1-based line and column numbers in the named file. Prefer markup.</summary>
    public DiagnosticResult WithSpan(string? fileName, int startLine, int startColumn, int endLine, int endColumn)
    {
        if (startLine < 1 || startColumn < 1 || endLine < startLine || endColumn < 1 || (endLine == startLine && endColumn < startColumn))
        {
            throw new ArgumentException($"Bad span ({startLine},{startColumn})-({endLine},{endColumn}): lines and columns are 1-based and the end is not before the start.");
        }

        var span = new LinePositionSpan(new LinePosition(startLine - 1, startColumn - 1), new LinePosition(endLine - 1, endColumn - 1));
        return With(locations: Locations.Add(ExpectedLocation.FromLineSpan(fileName, span)));
    }

    /// <summary>Adds a location already resolved to a file and a span (what markup produces).</summary>
    public DiagnosticResult WithLocation(string fileName, TextSpan span)
        => With(locations: Locations.Add(ExpectedLocation.FromTextSpan(fileName ?? throw new ArgumentNullException(nameof(fileName)), span)));

    /// <summary>The message must be the descriptor's format applied to these arguments.</summary>
    public DiagnosticResult WithArguments(params object?[] arguments)
        => With(arguments: (arguments ?? throw new ArgumentNullException(nameof(arguments))).ToImmutableArray());

    /// <summary>The message must be exactly this text.</summary>
    public DiagnosticResult WithMessage(string message)
        => With(message: message ?? throw new ArgumentNullException(nameof(message)));

    /// <summary>The diagnostic must be reported with this (effective) severity.</summary>
    public DiagnosticResult WithSeverity(DiagnosticSeverity severity) => With(severity: severity);

    /// <summary>Sets the descriptor used to format the arguments.</summary>
    public DiagnosticResult WithDescriptor(DiagnosticDescriptor descriptor)
    {
        if (descriptor is null)
        {
            throw new ArgumentNullException(nameof(descriptor));
        }

        if (descriptor.Id != Id)
        {
            throw new ArgumentException($"Descriptor {descriptor.Id} does not match the result's id {Id}.", nameof(descriptor));
        }

        return new DiagnosticResult(Id, descriptor, Severity, Message, Arguments, Locations);
    }

    /// <summary>The message this result expects, or <see langword="null"/> when messages are not compared.</summary>
    public string? GetExpectedMessage()
    {
        if (Message is not null)
        {
            return Message;
        }

        if (Arguments is not { } arguments)
        {
            return null;
        }

        if (Descriptor is null)
        {
            throw new InvalidOperationException($"Expected {Id} has arguments but no descriptor to format them with.");
        }

        var format = Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);
        try
        {
            return string.Format(CultureInfo.InvariantCulture, format, arguments.ToArray());
        }
        catch (FormatException ex)
        {
            throw new VerifierException($"Expected {Id}: the arguments ({FormatArguments(arguments)}) do not fit the message format \"{format}\": {ex.Message}");
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append("Diagnostic(\"").Append(Id).Append("\")");
        foreach (var location in Locations)
        {
            builder.Append(location.ToCallString());
        }

        if (Severity is { } severity)
        {
            builder.Append(".WithSeverity(DiagnosticSeverity.").Append(severity).Append(')');
        }

        if (Message is not null)
        {
            builder.Append(".WithMessage(").Append(Quote(Message)).Append(')');
        }

        if (Arguments is { } arguments)
        {
            builder.Append(".WithArguments(").Append(FormatArguments(arguments)).Append(')');
        }

        return builder.ToString();
    }

    internal DiagnosticResult WithResolvedLocations(ImmutableArray<ExpectedLocation> locations)
        => new(Id, Descriptor, Severity, Message, Arguments, locations);

    internal static string FormatArguments(IEnumerable<object?> arguments)
        => string.Join(", ", arguments.Select(FormatArgument));

    internal static string FormatArgument(object? argument) => argument switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(argument.ToString() ?? string.Empty),
    };

    internal static string Quote(string text)
        => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"";

    private DiagnosticResult With(
        DiagnosticSeverity? severity = null,
        string? message = null,
        ImmutableArray<object?>? arguments = null,
        ImmutableArray<ExpectedLocation>? locations = null)
        => new(
            Id,
            Descriptor,
            severity ?? Severity,
            message ?? Message,
            arguments ?? Arguments,
            locations ?? Locations);
}

/// <summary>Where an expected diagnostic is: a markup marker, a line span, or (once resolved) a file and text span.</summary>
public sealed class ExpectedLocation
{
    private ExpectedLocation(int? markerIndex, string? fileName, LinePositionSpan? lineSpan, TextSpan? textSpan)
    {
        MarkerIndex = markerIndex;
        FileName = fileName;
        LineSpan = lineSpan;
        TextSpan = textSpan;
    }

    /// <summary>The <c>{|#n:…|}</c> marker this location refers to, until it is resolved.</summary>
    public int? MarkerIndex { get; }

    /// <summary>The file (as named in the test's sources or additional files); <see langword="null"/> = the first source.</summary>
    public string? FileName { get; }

    /// <summary>The 0-based line span, when given by numbers or once resolved.</summary>
    public LinePositionSpan? LineSpan { get; }

    /// <summary>The text span, when the location came from markup.</summary>
    public TextSpan? TextSpan { get; }

    internal static ExpectedLocation FromMarker(int index) => new(index, null, null, null);

    internal static ExpectedLocation FromLineSpan(string? fileName, LinePositionSpan span) => new(null, fileName, span, null);

    internal static ExpectedLocation FromTextSpan(string fileName, TextSpan span) => new(null, fileName, null, span);

    internal static ExpectedLocation Resolved(string fileName, TextSpan span, LinePositionSpan lineSpan) => new(null, fileName, lineSpan, span);

    internal string ToCallString()
    {
        if (MarkerIndex is { } marker)
        {
            return $".WithLocation({marker})";
        }

        if (LineSpan is { } s)
        {
            var file = FileName is null ? string.Empty : DiagnosticResult.Quote(FileName) + ", ";
            return $".WithSpan({file}{s.Start.Line + 1}, {s.Start.Character + 1}, {s.End.Line + 1}, {s.End.Character + 1})";
        }

        return $".WithLocation({DiagnosticResult.Quote(FileName ?? "?")}, {TextSpan})";
    }
}
