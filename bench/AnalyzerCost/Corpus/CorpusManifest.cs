using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>One generated method (or a class's supporting member), where it is, and what must be reported in it.</summary>
public sealed record MethodEntry(
    string File,
    string Method,
    int FirstLine,
    int LastLine,
    string Shape,
    Mistake Mistake,
    string? ExpectedRule,
    int ExpectedLine)
{
    /// <summary>Supporting members (constructors, Dispose, helpers) are not counted as corpus methods but must stay silent too.</summary>
    public const string SupportShape = "Support";

    [JsonIgnore]
    public bool IsPlanted => Mistake != Mistake.None;

    [JsonIgnore]
    public bool IsCorpusMethod => Shape != SupportShape;
}

/// <summary>What a generated corpus holds: every method with its span, and the planted mistakes.</summary>
public sealed class CorpusManifest
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public CorpusManifest(string dialect, int methods, int seed)
    {
        Dialect = dialect;
        Methods = methods;
        Seed = seed;
    }

    public string Dialect { get; }

    public int Methods { get; }

    public int Seed { get; }

    public int Files { get; set; }

    public int Classes { get; set; }

    public List<MethodEntry> Entries { get; init; } = new();

    public void Save(string path) => System.IO.File.WriteAllText(path, JsonSerializer.Serialize(this, s_json));

    public static CorpusManifest Load(string path)
        => JsonSerializer.Deserialize<CorpusManifest>(System.IO.File.ReadAllText(path), s_json)
            ?? throw new InvalidDataException($"'{path}' is not a corpus manifest.");
}
