using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// Collects an analysis's diagnostics and drops duplicates: a finally region is analysed once per branch that
/// runs it, so the same finding can be made more than once.
/// </summary>
internal sealed class DiagnosticSink
{
    private readonly HashSet<(string Id, SyntaxTree? Tree, int Start, int Length)> _seen = new();

    public List<Diagnostic> Diagnostics { get; } = new();

    public void Add(Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        if (_seen.Add((diagnostic.Id, location.SourceTree, location.SourceSpan.Start, location.SourceSpan.Length)))
        {
            Diagnostics.Add(diagnostic);
        }
    }

    public bool Contains(string id, Location location)
        => _seen.Contains((id, location.SourceTree, location.SourceSpan.Start, location.SourceSpan.Length));
}
