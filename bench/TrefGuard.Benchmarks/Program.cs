using System;
using BenchmarkDotNet.Running;

namespace TrefGuard.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- memory</c> measures what holders retain after their tasks exit;
/// anything else goes to BenchmarkDotNet (e.g. <c>-- --filter * --job short --inProcess</c>; in-process because
/// BenchmarkDotNet 0.14 predates net10.0 for its generated host project).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryBenchmark.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
