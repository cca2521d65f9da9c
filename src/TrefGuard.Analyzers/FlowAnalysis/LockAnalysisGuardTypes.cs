using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// Which types are lock guards: the return types of [AcquiresLock] methods (<c>TasklistReadGuard</c> from
/// <c>TaskTable.ReadLock()</c>). A parameter of a guard type (<c>in TasklistReadGuard g</c>) means the caller holds
/// the guard's lock. Nothing links a guard type to its acquiring method but that method's return type, so the
/// methods are searched where they live in practice: the guard type itself, its containing type, and, for a struct
/// guard or one from metadata, the types of its namespace in its assembly when that assembly can carry annotations.
/// Only a type released by <c>Dispose</c> or a [ReleasesLock] member (or a ref struct) is searched for at all. One
/// instance per compilation; each namespace or type is searched once.
/// </summary>
internal sealed class LockAnalysisGuardTypes
{
    private readonly AnnotationModel _annotations;
    private readonly IAssemblySymbol? _annotationsAssembly;
    private readonly ConcurrentDictionary<ISymbol, Dictionary<ITypeSymbol, ulong>> _searched = new(SymbolEqualityComparer.Default);
    // Keyed by reference: an original definition is one symbol object in a compilation.
    private readonly ConcurrentDictionary<ITypeSymbol, ulong> _locks = new(SymbolReferenceComparer.Instance);

    public LockAnalysisGuardTypes(AnnotationModel annotations)
    {
        _annotations = annotations;
        _annotationsAssembly = annotations.Compilation.GetTypeByMetadataName(AnnotationModel.AnnotationsNamespace + ".AcquiresLockAttribute")?.ContainingAssembly;
    }

    /// <summary>The locks that holding a value of <paramref name="type"/> means are held; 0 when it is no guard type.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public ulong LocksOf(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.SpecialType != SpecialType.None || named.TypeKind is not (TypeKind.Struct or TypeKind.Class))
        {
            return 0;
        }

        var key = named.OriginalDefinition;
        if (_locks.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (!CouldBeGuard(key))
        {
            return _locks.GetOrAdd(key, 0);
        }

        ulong locks = 0;
        locks |= Find(key, key);
        if (key.ContainingType is { } container)
        {
            locks |= Find(container, key);
        }

        // The namespace holds the acquiring method of the runtime's guards (TaskTable.ReadLock returns
        // TasklistReadGuard). In source, searching a namespace builds the members of each of its types and binds
        // their attributes, a fresh cost in every compilation (every edit, in the IDE): it is kept for guards that are
        // structs, as guards are made to be (no allocation per lock); a source class is searched only in itself and
        // its containing type.
        if (key.ContainingNamespace is { } ns && CanCarryAnnotations(key.ContainingAssembly)
            && (key.IsValueType || key.DeclaringSyntaxReferences.IsEmpty))
        {
            locks |= Find(ns, key);
        }

        return _locks.GetOrAdd(key, locks);
    }

    /// <summary>
    /// A guard is released by its <c>Dispose</c> or by a [ReleasesLock] member, so a type with neither is no guard and
    /// its namespace need not be searched. The search asks every method there for its return type, which in a fresh
    /// compilation (every edit, in the IDE) binds the signatures of all those types' methods: the common case, a
    /// parameter or receiver of an ordinary type, must stop here.
    /// </summary>
    private bool CouldBeGuard(INamedTypeSymbol type)
    {
        if (type.IsRefLikeType)
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (implemented.SpecialType == SpecialType.System_IDisposable || implemented.Name == "IAsyncDisposable")
            {
                return true;
            }
        }

        for (var current = type; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
        {
            if (!current.GetMembers("Dispose").IsEmpty || !current.GetMembers("DisposeAsync").IsEmpty)
            {
                return true;
            }

            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol method && _annotations.Get(method).ReleasesLocks != 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool CanCarryAnnotations(IAssemblySymbol? assembly)
    {
        if (assembly is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(assembly, _annotations.Compilation.Assembly)
            || (_annotationsAssembly is not null && SymbolEqualityComparer.Default.Equals(assembly, _annotationsAssembly)))
        {
            return true;
        }

        if (_annotationsAssembly is null)
        {
            return false;
        }

        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name == _annotationsAssembly.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private ulong Find(INamespaceOrTypeSymbol container, ITypeSymbol guard)
    {
        if (!_searched.TryGetValue(container, out var returned))
        {
            returned = new Dictionary<ITypeSymbol, ulong>(SymbolEqualityComparer.Default);
            if (container is INamespaceSymbol ns)
            {
                foreach (var type in ns.GetTypeMembers())
                {
                    Collect(type, returned, depth: 0);
                }
            }
            else if (container is INamedTypeSymbol type)
            {
                Collect(type, returned, depth: 1);
            }

            returned = _searched.GetOrAdd(container, returned);
        }

        return returned.TryGetValue(guard, out var locks) ? locks : 0;
    }

    private void Collect(INamedTypeSymbol type, Dictionary<ITypeSymbol, ulong> returned, int depth)
    {
        foreach (var member in type.GetMembers())
        {
            switch (member)
            {
                // A fluent acquire that returns its own receiver type would make every value of that type a "guard".
                // The annotation first: asking a source method for its return type binds its signature.
                case IMethodSymbol method when _annotations.MayAcquireLock(method) && !method.ReturnsVoid && method.ReturnType.SpecialType == SpecialType.None
                    && !SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, type.OriginalDefinition):
                    var locks = _annotations.Get(method).AcquiresLocks;
                    if (locks != 0)
                    {
                        var key = method.ReturnType.OriginalDefinition;
                        returned[key] = (returned.TryGetValue(key, out var existing) ? existing : 0) | locks;
                    }

                    break;
                case INamedTypeSymbol nested when depth == 0:
                    Collect(nested, returned, depth + 1);
                    break;
            }
        }
    }
}
