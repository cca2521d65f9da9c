using System;
using System.CommandLine;
using System.IO;
using TrefGuard.Robustness;

#if DEBUG
const string Configuration = "Debug";
#else
const string Configuration = "Release";
#endif

var variantsOption = new Option<int>("--variants") { Description = "How many variants to run.", DefaultValueFactory = _ => 5_000 };
var seedOption = new Option<int>("--seed") { Description = "The seed every variant derives from.", DefaultValueFactory = _ => 1 };
var fromOption = new Option<int>("--from") { Description = "The first variant index.", DefaultValueFactory = _ => 0 };
var onlyOption = new Option<int?>("--only") { Description = "Run just this variant index and print it (to reproduce a failure)." };
var budgetOption = new Option<int>("--budget-ms") { Description = "The most a variant may take, in milliseconds.", DefaultValueFactory = _ => 2_000 };
var wallOption = new Option<bool>("--wall-budget")
{
    Description = "Apply the budget to each variant's wall time instead of the smaller of the analyzers' execution time (telemetry) and the analysis's CPU time; only meaningful on an idle machine.",
};
var costCorpusOption = new Option<DirectoryInfo[]>("--cost-corpus")
{
    Description = "A folder written by `bench/AnalyzerCost … generate --kind tref`; may be repeated. Without it the cost corpus is skipped.",
    AllowMultipleArgumentsPerToken = true,
};
var timeCapOption = new Option<double?>("--time-cap-minutes") { Description = "Stop starting variants after this many minutes." };
var hangOption = new Option<int>("--hang-seconds") { Description = "A variant still running after this long is a hang.", DefaultValueFactory = _ => 120 };
var outOption = new Option<DirectoryInfo?>("--out") { Description = "Write each failing variant (source, mutations, failures) to this folder." };
var reanalyzeOption = new Option<bool>("--reanalyze-fixes") { Description = "Also run every analyzer over each fix's output (about doubles the time)." };
var progressOption = new Option<int>("--progress-every") { Description = "Print a progress line every N variants.", DefaultValueFactory = _ => 250 };

var mutate = new Command("mutate", "Mutate the corpus (rule-test sources, samples, cost corpus) and run every TrefGuard analyzer and code fix on each variant.")
{
    variantsOption, seedOption, fromOption, onlyOption, budgetOption, wallOption, costCorpusOption, timeCapOption, hangOption, outOption, progressOption, reanalyzeOption,
};
mutate.SetAction(parse => MutateCommand.Run(new MutateCommand.Options(
    Variants: parse.GetValue(variantsOption),
    Seed: parse.GetValue(seedOption),
    From: parse.GetValue(fromOption),
    Only: parse.GetValue(onlyOption),
    BudgetMilliseconds: parse.GetValue(budgetOption),
    WallBudget: parse.GetValue(wallOption),
    CostCorpus: parse.GetValue(costCorpusOption) ?? Array.Empty<DirectoryInfo>(),
    TimeCapMinutes: parse.GetValue(timeCapOption),
    HangSeconds: parse.GetValue(hangOption),
    Out: parse.GetValue(outOption),
    ProgressEvery: parse.GetValue(progressOption),
    ReanalyzeFixes: parse.GetValue(reanalyzeOption),
    CommandLine: $"dotnet run -c {Configuration} --project bench/Robustness -- " + string.Join(' ', args))));

var filesArgument = new Argument<FileInfo[]>("files") { Description = "C# files (and a TrefGuard.annotations.txt) to analyze together as one project." };
var replay = new Command("replay", "Run every analyzer and every fix over the given files exactly as a mutation variant is run: to reproduce a failure from its saved source.") { filesArgument, budgetOption, wallOption, reanalyzeOption };
replay.SetAction(parse => MutateCommand.Replay(parse.GetValue(filesArgument)!, parse.GetValue(budgetOption), parse.GetValue(wallOption), parse.GetValue(reanalyzeOption)));

var root = new RootCommand("TrefGuard robustness: the full analyzer mutation run.") { mutate, replay };
return await root.Parse(args).InvokeAsync();
