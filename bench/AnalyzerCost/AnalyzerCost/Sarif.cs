using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace TrefGuard.AnalyzerCost;

/// <summary>A diagnostic from a build's error log.</summary>
internal sealed record LoggedDiagnostic(string Id, string File, int Line, string Message);

/// <summary>Reads the SARIF 2.1 error log a build writes with <c>-p:ErrorLog=…,version=2.1</c>.</summary>
internal static class Sarif
{
    public static List<LoggedDiagnostic> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var diagnostics = new List<LoggedDiagnostic>();
        foreach (var run in document.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out var results))
            {
                continue;
            }

            foreach (var result in results.EnumerateArray())
            {
                var id = result.GetProperty("ruleId").GetString() ?? "?";
                var message = result.TryGetProperty("message", out var m) && m.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty : string.Empty;
                var file = string.Empty;
                var line = 0;
                if (result.TryGetProperty("locations", out var locations) && locations.GetArrayLength() > 0
                    && locations[0].TryGetProperty("physicalLocation", out var physical))
                {
                    if (physical.TryGetProperty("artifactLocation", out var artifact) && artifact.TryGetProperty("uri", out var uri))
                    {
                        file = Path.GetFileName(new Uri(uri.GetString()!, UriKind.RelativeOrAbsolute) is { IsAbsoluteUri: true } absolute ? absolute.LocalPath : uri.GetString()!);
                    }

                    if (physical.TryGetProperty("region", out var region) && region.TryGetProperty("startLine", out var startLine))
                    {
                        line = startLine.GetInt32();
                    }
                }

                diagnostics.Add(new LoggedDiagnostic(id, file, line, message));
            }
        }

        return diagnostics;
    }
}
