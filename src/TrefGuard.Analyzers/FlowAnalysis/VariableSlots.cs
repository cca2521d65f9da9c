using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// The state slot of each variable a flow analysis follows. Variables are told apart by symbol equality: nullable
/// analysis hands out updated copies of a local, so two references to one variable may carry different symbol objects.
/// Hashing a local by equality hashes its declaring token and its container, and the analyses look a variable up at
/// every reference; most references of a variable carry the same object, so a lookup by reference comes first.
/// </summary>
internal sealed class VariableSlots
{
    private readonly Dictionary<ISymbol, int> _byEquality = new(SymbolEqualityComparer.Default);

    // What each symbol object was found to be, -1 for no slot. Emptied when a slot is added: an object found missing
    // may be a copy of the variable just added.
    private readonly Dictionary<ISymbol, int> _byReference = new(SymbolReferenceComparer.Instance);

    public int Count => _byEquality.Count;

    /// <summary>The variables and their slots, in no particular order.</summary>
    public IEnumerable<KeyValuePair<ISymbol, int>> Pairs => _byEquality;

    /// <summary>The slot of <paramref name="variable"/>; -1 when it has none.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public int Find(ISymbol variable)
    {
        if (_byReference.TryGetValue(variable, out var slot))
        {
            return slot;
        }

        slot = _byEquality.TryGetValue(variable, out var found) ? found : -1;
        _byReference[variable] = slot;
        return slot;
    }

    /// <summary>The slot of <paramref name="variable"/>, given the next one if it has none yet.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public int GetOrAdd(ISymbol variable)
    {
        var slot = Find(variable);
        if (slot >= 0)
        {
            return slot;
        }

        slot = _byEquality.Count;
        _byEquality.Add(variable, slot);
        _byReference.Clear();
        _byReference[variable] = slot;
        return slot;
    }
}
