using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TrefGuard.AnalyzerBenchmarks.IdeDocumentBenchmarks).Assembly).Run(args);
