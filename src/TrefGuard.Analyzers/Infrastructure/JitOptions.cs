using System.Runtime.CompilerServices;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// How the analyzers' hot paths are compiled to machine code.
/// <para>
/// An analyzer assembly is plain IL, and in the compiler, which keeps compiling new methods of its own all through a
/// build, the runtime's tiering almost never gets round to optimizing an analyzer's methods: in a profile of a
/// 20,000-method build, 80% of the samples in TrefGuard's code were in unoptimized (tier-0) code. The methods that run
/// for every operation, block and branch are therefore compiled optimized on first call. The flag is .NET Core 3.0's
/// <c>MethodImplOptions.AggressiveOptimization</c>, which netstandard2.0 does not name; .NET Framework ignores it.
/// </para>
/// </summary>
internal static class JitOptions
{
    public const MethodImplOptions AggressiveOptimization = (MethodImplOptions)512;
}
