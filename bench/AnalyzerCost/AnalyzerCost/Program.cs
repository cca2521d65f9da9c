using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TrefGuard.AnalyzerCost;
using TrefGuard.AnalyzerCost.Corpus;

var workOption = new Option<DirectoryInfo>("--work")
{
    Description = "Folder for corpora, build logs and the report (outside any repository: corpora must not inherit its build settings).",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Path.GetTempPath(), "trefguard-analyzer-cost")),
};
var sizesOption = new Option<int[]>("--sizes")
{
    Description = "Corpus sizes in methods.",
    DefaultValueFactory = _ => new[] { 1_000, 5_000, 20_000 },
    AllowMultipleArgumentsPerToken = true,
};
var repsOption = new Option<int>("--reps") { Description = "Builds per corpus and analyzer set; medians are reported.", DefaultValueFactory = _ => 3 };
var peersOption = new Option<bool>("--peers") { Description = "Build the twin corpus with CA2000 and IDisposableAnalyzers.", DefaultValueFactory = _ => true };
var buildsOption = new Option<bool>("--builds") { Description = "Run the dotnet build measurements.", DefaultValueFactory = _ => true };
var inProcessOption = new Option<bool>("--in-process") { Description = "Run the in-process measurements.", DefaultValueFactory = _ => true };
var compilerServerOption = new Option<bool>("--compiler-server")
{
    Description = "Build through the warm compiler server (dotnet build's default on a developer's machine) instead of a cold command-line compiler per build (a CI agent's first build).",
    DefaultValueFactory = _ => false,
};
var plainSizeOption = new Option<int>("--plain-size") { Description = "Size of the plain corpus (methods that touch no annotated member); 0 skips it.", DefaultValueFactory = _ => 5_000 };
var inProcessSizeOption = new Option<int>("--in-process-size") { Description = "Corpus size for the in-process measurements.", DefaultValueFactory = _ => 5_000 };

var run = new Command("run", "Measure TrefGuard against the floor and the peers, and write the report.")
{
    workOption, sizesOption, repsOption, peersOption, buildsOption, inProcessOption, compilerServerOption, plainSizeOption, inProcessSizeOption,
};
run.SetAction(async parse =>
{
    var settings = new CostRun.Settings
    {
        Work = parse.GetValue(workOption)!.FullName,
        Sizes = parse.GetValue(sizesOption)!,
        Repetitions = parse.GetValue(repsOption),
        Peers = parse.GetValue(peersOption),
        Builds = parse.GetValue(buildsOption),
        InProcess = parse.GetValue(inProcessOption),
        CompilerServer = parse.GetValue(compilerServerOption),
        PlainSize = parse.GetValue(plainSizeOption),
        InProcessSize = parse.GetValue(inProcessSizeOption),
        CommandLine = "dotnet run -c Release --project bench/AnalyzerCost/AnalyzerCost -- " + string.Join(' ', args),
    };
    return await CostRun.RunAsync(settings);
});

var kindOption = new Option<string>("--kind") { Description = "tref, twin, plain or big.", DefaultValueFactory = _ => "tref" };
var methodsOption = new Option<int>("--methods") { Description = "Methods in the corpus.", DefaultValueFactory = _ => 1_000 };
var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the corpus to.", Required = true };
var generate = new Command("generate", "Write one corpus and its manifest, to look at.") { kindOption, methodsOption, outOption };
generate.SetAction(parse =>
{
    var directory = parse.GetValue(outOption)!.FullName;
    var methods = parse.GetValue(methodsOption);
    var manifest = parse.GetValue(kindOption) switch
    {
        "tref" => CorpusGenerator.Write(Dialect.Tref, methods, directory),
        "twin" => CorpusGenerator.Write(Dialect.Twin, methods, directory),
        "plain" => PlainCorpus.Write(methods, directory),
        "big" => WriteBig(directory),
        var other => throw new ArgumentException($"Unknown corpus kind '{other}'."),
    };
    manifest.Save(Path.Combine(directory, "manifest.json"));
    Console.WriteLine($"{manifest.Entries.Count(e => e.IsCorpusMethod)} methods in {manifest.Files} files, {manifest.Entries.Count(e => e.IsPlanted)} planted mistakes: {directory}");
    return 0;
});

var profileKindOption = new Option<string>("--kind") { Description = "tref or plain.", DefaultValueFactory = _ => "tref" };
var profileMethodsOption = new Option<int>("--methods") { Description = "Methods in the corpus.", DefaultValueFactory = _ => 5_000 };
var profile = new Command("profile", "Time each stage of TrefGuard's analysis (scan, graph, each flow family) over a corpus, in process.") { profileKindOption, profileMethodsOption, workOption };
profile.SetAction(parse => CostRun.ProfileAsync(parse.GetValue(workOption)!.FullName, parse.GetValue(profileKindOption)!, parse.GetValue(profileMethodsOption)));

var filesArgument = new Argument<FileInfo[]>("files") { Description = "C# files to analyze together." };
var analyze = new Command("analyze", "Run TrefGuard's analyzers in process over some files and print the diagnostics and each analyzer's time.") { filesArgument };
analyze.SetAction(parse => CostRun.AnalyzeFilesAsync(parse.GetValue(filesArgument)!));

var root = new RootCommand("TrefGuard analyzer cost: corpora, builds, peers, floor.") { run, generate, profile, analyze };
return await root.Parse(args).InvokeAsync();

static CorpusManifest WriteBig(string directory)
{
    Directory.CreateDirectory(directory);
    File.WriteAllText(Path.Combine(directory, "Big.cs"), BigMethod.Source(Dialect.Tref, out _, out _));
    return new CorpusManifest("big", 1, 0) { Files = 1, Classes = 1 };
}
