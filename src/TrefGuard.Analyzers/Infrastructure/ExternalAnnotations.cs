using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>The annotation kinds that an attribute or an external annotation line can state.</summary>
internal enum AnnotationKind
{
    AcquiresReference,
    ReleasesReference,
    TransfersOwnership,
    InitializesSlot,
    RequiresInitializedSlot,
    FinalizesSlot,
    GuardedBy,
    RequiresLock,
    AcquiresLock,
    ReleasesLock,
    ExcludesLock,
    AssertsLock,
}

/// <summary>One line of <c>TrefGuard.annotations.txt</c>: a member, an optional parameter, an annotation.</summary>
internal readonly struct ExternalAnnotation
{
    public ExternalAnnotation(string documentationId, string? parameterName, AnnotationKind kind, string? lockName)
    {
        DocumentationId = documentationId;
        ParameterName = parameterName;
        Kind = kind;
        LockName = lockName;
    }

    public string DocumentationId { get; }

    public string? ParameterName { get; }

    public AnnotationKind Kind { get; }

    public string? LockName { get; }
}

/// <summary>A line of an annotations file that could not be read, kept for TG0012.</summary>
internal readonly struct ExternalAnnotationError
{
    public ExternalAnnotationError(string path, int line, TextSpan span, LinePositionSpan lineSpan, string message)
    {
        Path = path;
        Line = line;
        Span = span;
        LineSpan = lineSpan;
        Message = message;
    }

    public string Path { get; }

    /// <summary>One-based line number.</summary>
    public int Line { get; }

    public TextSpan Span { get; }

    public LinePositionSpan LineSpan { get; }

    public string Message { get; }

    public Location GetLocation() => Location.Create(Path, Span, LineSpan);
}

/// <summary>
/// Reads <c>TrefGuard.annotations.txt</c> additional files: one member per line, as a documentation
/// comment id, an optional <c>param:name</c>, and one annotation, for example
/// <c>M:System.Buffers.ArrayPool`1.Rent(System.Int32) AcquiresReference</c> or
/// <c>M:System.Threading.Monitor.Enter(System.Object) AcquiresLock(monitor)</c>. <c>#</c> starts a comment.
/// </summary>
internal static class ExternalAnnotations
{
    public const string FileName = "TrefGuard.annotations.txt";

    public static bool IsAnnotationsFile(AdditionalText file)
        => string.Equals(Path.GetFileName(file.Path), FileName, StringComparison.OrdinalIgnoreCase);

    public static void Parse(AdditionalText file, List<ExternalAnnotation> annotations, List<ExternalAnnotationError> errors, CancellationToken cancellationToken)
    {
        var text = file.GetText(cancellationToken);
        if (text is null)
        {
            return;
        }

        foreach (var line in text.Lines)
        {
            var content = line.ToString();
            var comment = content.IndexOf('#');
            if (comment >= 0)
            {
                content = content.Substring(0, comment);
            }

            var trimmed = content.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (TryParseLine(trimmed, out var annotation, out var message))
            {
                annotations.Add(annotation);
            }
            else
            {
                var start = line.Start + content.IndexOf(trimmed, StringComparison.Ordinal);
                var span = new TextSpan(start, trimmed.Length);
                errors.Add(new ExternalAnnotationError(file.Path, line.LineNumber + 1, span, text.Lines.GetLinePositionSpan(span), message));
            }
        }
    }

    /// <summary>Parses one non-empty, comment-free line.</summary>
    internal static bool TryParseLine(string line, out ExternalAnnotation annotation, out string message)
    {
        annotation = default;
        var parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3)
        {
            message = "expected '<documentation id> [param:<name>] <annotation>'";
            return false;
        }

        var id = parts[0];
        if (id.Length < 3 || id[1] != ':' || "MPFE".IndexOf(id[0]) < 0)
        {
            message = $"'{id}' is not a documentation comment id of a method, property, field or event (M:, P:, F:, E:)";
            return false;
        }

        string? parameter = null;
        if (parts.Length == 3)
        {
            const string ParameterPrefix = "param:";
            if (!parts[1].StartsWith(ParameterPrefix, StringComparison.Ordinal) || parts[1].Length == ParameterPrefix.Length)
            {
                message = $"'{parts[1]}' should be 'param:<name>'";
                return false;
            }

            parameter = parts[1].Substring(ParameterPrefix.Length);
        }

        var annotationText = parts[parts.Length - 1];
        string? lockName = null;
        var open = annotationText.IndexOf('(');
        var name = annotationText;
        if (open >= 0)
        {
            if (!annotationText.EndsWith(")", StringComparison.Ordinal) || open + 2 > annotationText.Length - 1)
            {
                message = $"'{annotationText}' should be 'Annotation(lockName)'";
                return false;
            }

            name = annotationText.Substring(0, open);
            lockName = annotationText.Substring(open + 1, annotationText.Length - open - 2).Trim('"');
        }

        if (name.EndsWith("Attribute", StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Attribute".Length);
        }

        if (!Enum.TryParse<AnnotationKind>(name, ignoreCase: false, out var kind) || !Enum.IsDefined(typeof(AnnotationKind), kind) || char.IsDigit(name[0]))
        {
            message = $"'{name}' is not a TrefGuard annotation";
            return false;
        }

        var takesLock = kind is AnnotationKind.GuardedBy or AnnotationKind.RequiresLock or AnnotationKind.AcquiresLock
            or AnnotationKind.ReleasesLock or AnnotationKind.ExcludesLock or AnnotationKind.AssertsLock;
        if (takesLock && string.IsNullOrEmpty(lockName))
        {
            message = $"'{name}' needs a lock name, as in {name}(tasklist)";
            return false;
        }

        if (!takesLock && lockName is not null)
        {
            message = $"'{name}' takes no lock name";
            return false;
        }

        var isParameterKind = kind is AnnotationKind.TransfersOwnership or AnnotationKind.InitializesSlot
            or AnnotationKind.RequiresInitializedSlot or AnnotationKind.FinalizesSlot;
        if (isParameterKind && parameter is null)
        {
            message = $"'{name}' applies to a parameter: add 'param:<name>' before it";
            return false;
        }

        if (parameter is not null && !isParameterKind && kind != AnnotationKind.ReleasesReference)
        {
            message = $"'{name}' does not apply to a parameter";
            return false;
        }

        annotation = new ExternalAnnotation(id, parameter, kind, lockName);
        message = string.Empty;
        return true;
    }

    /// <summary>Resolves each annotation's member in the compilation; unresolved members are skipped (the API is not referenced).</summary>
    public static ImmutableDictionary<ISymbol, ImmutableArray<ExternalAnnotation>> Resolve(Compilation compilation, List<ExternalAnnotation> annotations)
    {
        var builder = new Dictionary<ISymbol, List<ExternalAnnotation>>(SymbolEqualityComparer.Default);
        foreach (var annotation in annotations)
        {
            foreach (var symbol in DocumentationCommentId.GetSymbolsForDeclarationId(annotation.DocumentationId, compilation))
            {
                if (!builder.TryGetValue(symbol.OriginalDefinition, out var list))
                {
                    list = new List<ExternalAnnotation>();
                    builder.Add(symbol.OriginalDefinition, list);
                }

                list.Add(annotation);
            }
        }

        var result = ImmutableDictionary.CreateBuilder<ISymbol, ImmutableArray<ExternalAnnotation>>(SymbolEqualityComparer.Default);
        foreach (var pair in builder)
        {
            result.Add(pair.Key, pair.Value.ToImmutableArray());
        }

        return result.ToImmutable();
    }
}
