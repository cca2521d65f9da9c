using System.Collections.Generic;
using System.Globalization;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Files of a test as (file name, markup text) pairs. <c>Add(text)</c> names the file itself
/// (<c>Test0.cs</c>, <c>Test1.cs</c>, … for sources), so collection initializers read naturally:
/// <c>Sources = { source1, ("Other.cs", source2) }</c>.
/// </summary>
public sealed class SourceFileList : List<(string FileName, string Content)>
{
    private readonly string _prefix;
    private readonly string _extension;

    internal SourceFileList(string prefix, string extension)
    {
        _prefix = prefix;
        _extension = extension;
    }

    /// <summary>Adds a file named after its position (<c>Test0.cs</c>, <c>Test1.cs</c>, …).</summary>
    public void Add(string content) => Add((DefaultName(Count), content));

    internal string DefaultName(int index) => _prefix + index.ToString(CultureInfo.InvariantCulture) + _extension;
}
