using System.Text;

namespace TrefGuard.AnalyzerCost.Corpus;

/// <summary>Writes C# text line by line and knows the one-based line it is on, so shapes can record where a diagnostic belongs.</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>The one-based number of the next line written.</summary>
    public int NextLine { get; private set; } = 1;

    /// <summary>Writes one line at the current indentation and returns its number.</summary>
    public int Line(string text = "")
    {
        if (text.Length > 0)
        {
            _text.Append(' ', _indent * 4);
            _text.Append(text);
        }

        _text.Append('\n');
        return NextLine++;
    }

    public void Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
    }

    public void Close(string closing = "}")
    {
        _indent--;
        Line(closing);
    }

    public override string ToString() => _text.ToString();
}
