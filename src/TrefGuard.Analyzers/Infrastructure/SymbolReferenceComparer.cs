using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// Symbol identity by reference, for per-compilation caches of definitions. A compilation hands out one symbol object
/// per definition, so for definitions this is the equality that matters, at a fraction of
/// <see cref="SymbolEqualityComparer"/>'s cost; a second object for one definition would only be computed twice.
/// Not for constructed or nullable-annotated types, which may come as several objects.
/// </summary>
internal sealed class SymbolReferenceComparer : IEqualityComparer<ISymbol>, IEqualityComparer<IAssemblySymbol>, IEqualityComparer<ITypeSymbol>
{
    public static readonly SymbolReferenceComparer Instance = new();

    private SymbolReferenceComparer()
    {
    }

    public bool Equals(ISymbol? x, ISymbol? y) => ReferenceEquals(x, y);

    public int GetHashCode(ISymbol obj) => RuntimeHelpers.GetHashCode(obj);

    public bool Equals(IAssemblySymbol? x, IAssemblySymbol? y) => ReferenceEquals(x, y);

    public int GetHashCode(IAssemblySymbol obj) => RuntimeHelpers.GetHashCode(obj);

    public bool Equals(ITypeSymbol? x, ITypeSymbol? y) => ReferenceEquals(x, y);

    public int GetHashCode(ITypeSymbol obj) => RuntimeHelpers.GetHashCode(obj);
}
