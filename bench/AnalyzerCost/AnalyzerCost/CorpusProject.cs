using System.IO;
using System.Security;
using System.Text;

namespace TrefGuard.AnalyzerCost;

/// <summary>
/// Writes the net10.0 library project a generated corpus is built as. One project per corpus; the analyzer set is
/// chosen per build with <c>-p:AnalyzerSet=…</c>, each as plain <c>Analyzer</c> items, so that every analyzer under
/// test is attached the same way and nothing else changes between the builds compared.
/// </summary>
internal static class CorpusProject
{
    public const string FileName = "Corpus.csproj";

    /// <summary>Stops MSBuild from importing whatever Directory.Build.props lies above the work folder (a repository's would turn warnings into errors).</summary>
    public static void WriteWorkRoot(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project>\n  <!-- Generated corpora: import nothing from above. -->\n</Project>\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
    }

    public static string Write(string directory, Toolchain tools, string? extraReference)
    {
        var project = new StringBuilder();
        project.Append("""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <LangVersion>latest</LangVersion>
                <!-- Only the analyzers under test: the SDK's own CA rules are off in every build compared. -->
                <EnableNETAnalyzers>false</EnableNETAnalyzers>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
                <Deterministic>true</Deterministic>
                <AnalyzerSet Condition="'$(AnalyzerSet)' == ''">None</AnalyzerSet>
              </PropertyGroup>

            """);
        project.Append("  <ItemGroup>\n");
        project.Append($"    <Reference Include=\"TrefGuard.Runtime\" HintPath=\"{Escape(tools.Runtime)}\" />\n");
        if (extraReference is not null)
        {
            project.Append($"    <Reference Include=\"{Path.GetFileNameWithoutExtension(extraReference)}\" HintPath=\"{Escape(extraReference)}\" />\n");
        }

        project.Append("  </ItemGroup>\n");
        foreach (var set in new[] { AnalyzerSet.TrefGuard, AnalyzerSet.Floor, AnalyzerSet.CA2000, AnalyzerSet.IDisposableAnalyzers })
        {
            project.Append($"  <ItemGroup Condition=\"'$(AnalyzerSet)' == '{set}'\">\n");
            foreach (var analyzer in tools.AnalyzersOf(set))
            {
                project.Append($"    <Analyzer Include=\"{Escape(analyzer)}\" />\n");
            }

            if (set == AnalyzerSet.CA2000)
            {
                project.Append("    <GlobalAnalyzerConfigFiles Include=\"ca2000.globalconfig\" />\n");
            }

            if (set == AnalyzerSet.TrefGuard)
            {
                project.Append("    <GlobalAnalyzerConfigFiles Include=\"trefguard.globalconfig\" />\n");
            }

            project.Append("  </ItemGroup>\n");
        }

        project.Append("</Project>\n");
        var path = Path.Combine(directory, FileName);
        File.WriteAllText(path, project.ToString());

        // What AnalysisMode does for a PackageReference, for analyzers attached directly: every NetAnalyzers rule
        // off but CA2000, which is off by default and switched on here, so the one analyzer measured is CA2000's.
        File.WriteAllText(Path.Combine(directory, "ca2000.globalconfig"), """
            is_global = true
            dotnet_analyzer_diagnostic.severity = none
            dotnet_diagnostic.CA2000.severity = warning

            """);

        // TG0006 is an error by default: planted put-under-the-lock mistakes would fail the build that measures them.
        File.WriteAllText(Path.Combine(directory, "trefguard.globalconfig"), """
            is_global = true
            dotnet_diagnostic.TG0006.severity = warning

            """);
        return path;
    }

    private static string Escape(string path) => SecurityElement.Escape(path.Replace('\\', '/')) ?? path;
}
