using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.FlowAnalysis;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// The annotation vocabulary of one compilation: the attribute types of <c>TrefGuard.Annotations</c>,
/// the external annotations file, and a cache of each member's <see cref="MemberAnnotations"/>.
/// Created once per compilation and shared by every TrefGuard analyzer.
/// </summary>
internal sealed class AnnotationModel
{
    public const string AnnotationsNamespace = "TrefGuard.Annotations";

    /// <summary>More lock names than this share the last bit: lock sets are one <see cref="ulong"/>.</summary>
    private const int MaxLockIds = 64;

    /// <summary>How many operation trees' scans and graphs' shapes are kept for the next analyzer to ask.</summary>
    private const int RecentEntries = 32;

    private static readonly ConditionalWeakTable<Compilation, StrongBox<AnnotationModel?>> s_models = new();

    private readonly INamedTypeSymbol?[] _attributeTypes;
    private readonly ImmutableDictionary<ISymbol, ImmutableArray<ExternalAnnotation>> _external;
    // Keyed by reference (see SymbolReferenceComparer): members are definitions.
    private readonly ConcurrentDictionary<ISymbol, MemberAnnotations> _members = new(SymbolReferenceComparer.Instance);

    // The members referenced last, with their annotations: direct-mapped by the member's identity hash.
    private readonly CacheEntry<ISymbol, MemberAnnotations>?[] _recentMembers = new CacheEntry<ISymbol, MemberAnnotations>?[1024];

    // Which assemblies can hold an annotated member: most members a method touches live in the BCL, which cannot.
    private readonly ConcurrentDictionary<IAssemblySymbol, bool> _assemblies = new(SymbolReferenceComparer.Instance);
    private readonly HashSet<IAssemblySymbol> _annotatingAssemblies = new(SymbolReferenceComparer.Instance);
    private readonly HashSet<string> _attributeAssemblyNames = new(System.StringComparer.Ordinal);
    private readonly RecentCache<IOperation, OperationScan> _scans = new(RecentEntries);
    private readonly RecentCache<Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph, FlowGraphShape> _shapes = new(RecentEntries);
    private readonly ConcurrentDictionary<string, int> _lockIds = new(System.StringComparer.Ordinal);
    private readonly object _lockNamesGate = new();
    private string[] _lockNames = System.Array.Empty<string>();
    private MemberAnnotations? _lockStatement;

    private AnnotationModel(Compilation compilation, INamedTypeSymbol?[] attributeTypes, ImmutableDictionary<ISymbol, ImmutableArray<ExternalAnnotation>> external, ImmutableArray<ExternalAnnotationError> errors)
    {
        Compilation = compilation;
        _attributeTypes = attributeTypes;
        _external = external;
        FileErrors = errors;
        _annotatingAssemblies.Add(compilation.Assembly);
        foreach (var type in attributeTypes)
        {
            if (type?.ContainingAssembly is { } assembly)
            {
                _annotatingAssemblies.Add(assembly);
                _attributeAssemblyNames.Add(assembly.Name);
            }
        }

        foreach (var member in external.Keys)
        {
            if (member.ContainingAssembly is { } assembly)
            {
                _annotatingAssemblies.Add(assembly);
            }
        }
    }

    public Compilation Compilation { get; }

    /// <summary>Lines of the external annotations files that could not be read (TG0012).</summary>
    public ImmutableArray<ExternalAnnotationError> FileErrors { get; }

    /// <summary>
    /// The model of a compilation, or null when it has neither the annotation attributes nor an external
    /// annotations file: then nothing can be annotated and every TrefGuard analyzer stays out of the way.
    /// </summary>
    public static AnnotationModel? GetOrCreate(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        if (s_models.TryGetValue(compilation, out var existing))
        {
            return existing.Value;
        }

        var created = Create(compilation, options, cancellationToken);
        return s_models.GetValue(compilation, _ => new StrongBox<AnnotationModel?>(created)).Value;
    }

    private static AnnotationModel? Create(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        // The common case for a compilation that does not use TrefGuard: one namespace lookup instead of a type
        // lookup per attribute in every referenced assembly.
        if (!HasAnnotationsNamespace(compilation) && !HasAnnotationsFile(options))
        {
            return null;
        }

        var kinds = (AnnotationKind[])System.Enum.GetValues(typeof(AnnotationKind));
        var attributeTypes = new INamedTypeSymbol?[kinds.Length];
        var anyAttribute = false;
        foreach (var kind in kinds)
        {
            var type = compilation.GetTypeByMetadataName(AnnotationsNamespace + "." + kind + "Attribute");
            attributeTypes[(int)kind] = type;
            anyAttribute |= type is not null;
        }

        List<ExternalAnnotation>? annotations = null;
        List<ExternalAnnotationError>? errors = null;
        foreach (var file in options.AdditionalFiles)
        {
            if (ExternalAnnotations.IsAnnotationsFile(file))
            {
                annotations ??= new List<ExternalAnnotation>();
                errors ??= new List<ExternalAnnotationError>();
                ExternalAnnotations.Parse(file, annotations, errors, cancellationToken);
            }
        }

        if (!anyAttribute && annotations is null)
        {
            return null;
        }

        var external = annotations is null
            ? ImmutableDictionary<ISymbol, ImmutableArray<ExternalAnnotation>>.Empty
            : ExternalAnnotations.Resolve(compilation, annotations);
        return new AnnotationModel(compilation, attributeTypes, external, errors?.ToImmutableArray() ?? ImmutableArray<ExternalAnnotationError>.Empty);
    }

    private static bool HasAnnotationsNamespace(Compilation compilation)
    {
        var level = new List<INamespaceSymbol> { compilation.GlobalNamespace };
        foreach (var part in AnnotationsNamespace.Split('.'))
        {
            var next = new List<INamespaceSymbol>(1);
            foreach (var ns in level)
            {
                foreach (var member in ns.GetMembers(part))
                {
                    if (member is INamespaceSymbol child)
                    {
                        next.Add(child);
                    }
                }
            }

            if (next.Count == 0)
            {
                return false;
            }

            level = next;
        }

        return true;
    }

    private static bool HasAnnotationsFile(AnalyzerOptions options)
    {
        foreach (var file in options.AdditionalFiles)
        {
            if (ExternalAnnotations.IsAnnotationsFile(file))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The gate's scan of a root operation, made once for the analyzers that ask about it one after another (a root
    /// asked for again much later is scanned again, to the same result).
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    internal OperationScan GetOrAddScan(IOperation root, INamedTypeSymbol? ownerType, Func<IOperation, INamedTypeSymbol?, AnnotationModel, OperationScan> scan)
        => _scans.GetOrAdd(root, (ownerType, model: this, scan), static (root, arguments) => arguments.scan(root, arguments.ownerType, arguments.model));

    /// <summary>What the flow engine derives from a graph's shape, shared by the analyses of the graph.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    internal FlowGraphShape ShapeOf(Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph graph)
        => _shapes.GetOrAdd(graph, 0, static (graph, _) => new FlowGraphShape(graph));

    /// <summary>The annotations of a method, property, field or event (by its original definition).</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public MemberAnnotations Get(ISymbol member)
    {
        // The gate and the analyses ask at every member reference, mostly for the same few members: a slot of the
        // recent-members table answers with one comparison, before the original definition and the dictionary.
        if (FindRecent(member, out var slot) is { } recent)
        {
            return recent;
        }

        var annotations = GetByDefinition(member.OriginalDefinition);
        Volatile.Write(ref _recentMembers[slot], new CacheEntry<ISymbol, MemberAnnotations>(member, annotations));
        return annotations;
    }

    /// <summary>The member's entry in the recent-members table, if it is there; else null and the slot it would take.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MemberAnnotations? FindRecent(ISymbol member, out int slot)
    {
        // The length is a power of two. Threads race on a slot at worst into a miss.
        slot = RuntimeHelpers.GetHashCode(member) & (_recentMembers.Length - 1);
        var entry = Volatile.Read(ref _recentMembers[slot]);
        return entry is not null && ReferenceEquals(entry.Key, member) ? entry.Value : null;
    }

    private MemberAnnotations GetByDefinition(ISymbol key)
    {
        if (_members.TryGetValue(key, out var cached))
        {
            return cached;
        }

        // Members that cannot carry annotations (the BCL's) are remembered as such too: most members a method touches
        // are those, and finding a member's assembly walks up its containers.
        var annotations = key.ContainingAssembly is { } assembly && !CanCarryAnnotations(assembly) ? MemberAnnotations.Empty : Compute(key);
        return _members.GetOrAdd(key, annotations);
    }

    /// <summary>
    /// The annotations of a method that owns a block, a lambda or a local function. Each analyzer of the block asks,
    /// one after another, and other blocks rarely do: the answer is kept in the recent-members table only. One of this
    /// compilation's methods is read without the shared cache: an entry for every method of the compilation kept the
    /// cache growing through the whole analysis, and finding or adding the entry cost more than reading the method's
    /// attributes.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public MemberAnnotations GetForOwner(IMethodSymbol method)
    {
        if (FindRecent(method, out var slot) is { } recent)
        {
            return recent;
        }

        var key = method.OriginalDefinition;
        var annotations = ReferenceEquals(key.ContainingAssembly, Compilation.Assembly) ? Compute(key) : GetByDefinition(key);
        Volatile.Write(ref _recentMembers[slot], new CacheEntry<ISymbol, MemberAnnotations>(method, annotations));
        return annotations;
    }

    /// <summary>
    /// <see cref="GetForOwner(IMethodSymbol)"/> for a method, constructor, operator, finalizer, local function or
    /// lambda whose declaration is at hand. One that declares no attribute (on itself, its return or its parameters),
    /// is neither partial nor an override, and is not named in the annotations file has no annotations, and its syntax
    /// says so without binding its attributes: that binding was the largest part of the gate's cost for a method that
    /// touches nothing annotated, and most methods are such.
    /// </summary>
    /// <param name="declaration">
    /// The syntax that declares <paramref name="method"/> (the syntax of its body's root operation, or of the nested
    /// function's operation); null when it is not at hand, and the attributes are read.
    /// </param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public MemberAnnotations GetForOwner(IMethodSymbol method, SyntaxNode? declaration)
    {
        if (FindRecent(method, out var slot) is { } recent)
        {
            return recent;
        }

        if (declaration is not null && DeclaresNoAttributes(declaration) && !method.IsOverride
            && method.PartialDefinitionPart is null && method.PartialImplementationPart is null // attributes merge from both parts
            && (_external.IsEmpty || !_external.ContainsKey(method.OriginalDefinition)))
        {
            // Remembered as a read answer is: the other families, and the nested functions' analyses, ask again for
            // the same method without its declaration at hand.
            Volatile.Write(ref _recentMembers[slot], new CacheEntry<ISymbol, MemberAnnotations>(method, MemberAnnotations.Empty));
            return MemberAnnotations.Empty;
        }

        return GetForOwner(method);
    }

    /// <summary>Whether a function's declaration has no attribute anywhere an annotation could be.</summary>
    private static bool DeclaresNoAttributes(SyntaxNode declaration)
    {
        switch (declaration)
        {
            case BaseMethodDeclarationSyntax method:
                return method.AttributeLists.Count == 0 && NoParameterAttributes(method.ParameterList);
            case LocalFunctionStatementSyntax function:
                return function.AttributeLists.Count == 0 && NoParameterAttributes(function.ParameterList);
            case ParenthesizedLambdaExpressionSyntax lambda:
                return lambda.AttributeLists.Count == 0 && NoParameterAttributes(lambda.ParameterList);
            case SimpleLambdaExpressionSyntax lambda:
                return lambda.AttributeLists.Count == 0 && lambda.Parameter.AttributeLists.Count == 0;
            default:
                return false;
        }
    }

    private static bool NoParameterAttributes(BaseParameterListSyntax parameters)
    {
        foreach (var parameter in parameters.Parameters)
        {
            if (parameter.AttributeLists.Count != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a method may take a lock, decided without binding its signature: by its own attributes (or its
    /// property's), by the annotations file, or, for an override (which inherits its base member's contract), by its
    /// full annotations. Searching many methods for the ones that take a lock must not bind every signature on the way:
    /// in a fresh compilation, as after each edit in the IDE, that is most of the work of declaring the program.
    /// </summary>
    public bool MayAcquireLock(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.ContainingAssembly is { } assembly && !CanCarryAnnotations(assembly))
        {
            return false;
        }

        if (definition.IsOverride || (!_external.IsEmpty && _external.ContainsKey(definition)))
        {
            return Get(definition).AcquiresLocks != 0;
        }

        var attributeType = _attributeTypes[(int)AnnotationKind.AcquiresLock];
        return attributeType is not null
            && (HasAttribute(definition.GetAttributes(), attributeType)
                || (definition.AssociatedSymbol is { } associated && HasAttribute(associated.GetAttributes(), attributeType)));
    }

    private static bool HasAttribute(ImmutableArray<AttributeData> attributes, INamedTypeSymbol attributeType)
    {
        foreach (var attribute in attributes)
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether members of <paramref name="assembly"/> can carry annotations: the compilation's own, the one that defines
    /// the attributes and those that reference it, and those the annotations file names members of. An attribute
    /// type can only be applied by an assembly that sees it, and an override inherits from members that can.
    /// </summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    internal bool CanCarryAnnotations(IAssemblySymbol assembly)
    {
        if (_assemblies.TryGetValue(assembly, out var can))
        {
            return can;
        }

        can = _annotatingAssemblies.Contains(assembly);
        if (!can && _attributeAssemblyNames.Count > 0)
        {
            foreach (var module in assembly.Modules)
            {
                foreach (var referenced in module.ReferencedAssemblies)
                {
                    can |= _attributeAssemblyNames.Contains(referenced.Name);
                }
            }
        }

        return _assemblies.GetOrAdd(assembly, can);
    }

    /// <summary>
    /// What a <c>lock</c> statement does, by the annotations of the members its lowering calls (Monitor.Enter/Exit, or
    /// Lock.EnterScope and its scope's Dispose): the operation tree shows a lock statement, only the control flow
    /// graph shows those calls.
    /// </summary>
    public MemberAnnotations LockStatement => _lockStatement ??= ComputeLockStatement();

    /// <summary>The small id of a lock name, stable for this compilation.</summary>
    public int GetLockId(string name)
    {
        if (_lockIds.TryGetValue(name, out var id))
        {
            return id;
        }

        lock (_lockNamesGate)
        {
            if (_lockIds.TryGetValue(name, out id))
            {
                return id;
            }

            id = System.Math.Min(_lockNames.Length, MaxLockIds - 1);
            if (_lockNames.Length < MaxLockIds)
            {
                var names = new string[_lockNames.Length + 1];
                _lockNames.CopyTo(names, 0);
                names[names.Length - 1] = name;
                _lockNames = names;
            }

            _lockIds[name] = id;
            return id;
        }
    }

    public string GetLockName(int id)
    {
        var names = _lockNames;
        return id >= 0 && id < names.Length ? names[id] : "?";
    }

    /// <summary>The lowest-numbered lock in a set, for messages.</summary>
    public string GetFirstLockName(ulong locks)
    {
        for (var id = 0; id < MaxLockIds; id++)
        {
            if ((locks & (1UL << id)) != 0)
            {
                return GetLockName(id);
            }
        }

        return "?";
    }

    private MemberAnnotations ComputeLockStatement()
    {
        var union = new MemberAnnotations();
        foreach (var (typeName, memberNames) in new[] { ("System.Threading.Monitor", new[] { "Enter", "Exit" }), ("System.Threading.Lock", new[] { "EnterScope" }), ("System.Threading.Lock+Scope", new[] { "Dispose" }) })
        {
            if (Compilation.GetTypeByMetadataName(typeName) is not { } type)
            {
                continue;
            }

            foreach (var name in memberNames)
            {
                foreach (var member in type.GetMembers(name))
                {
                    var annotations = Get(member);
                    union.AcquiresLocks |= annotations.AcquiresLocks;
                    union.ReleasesLocks |= annotations.ReleasesLocks;
                    union.RequiresLocks |= annotations.RequiresLocks;
                    union.ExcludesLocks |= annotations.ExcludesLocks;
                    union.AssertsLocks |= annotations.AssertsLocks;
                }
            }
        }

        return union.IsEmpty ? MemberAnnotations.Empty : union;
    }

    private MemberAnnotations Compute(ISymbol member)
    {
        // Made at the first annotation found: most members have none, and are answered with the shared empty one.
        MemberAnnotations? result = null;
        ParameterAnnotation[]? parameters = null;

        ApplyAttributes(member.GetAttributes(), ref result, ref parameters, parameterOrdinal: -1);
        if (member is IMethodSymbol method)
        {
            ApplyAttributes(method.GetReturnTypeAttributes(), ref result, ref parameters, parameterOrdinal: -1);
            foreach (var parameter in method.Parameters)
            {
                ApplyAttributes(parameter.GetAttributes(), ref result, ref parameters, parameter.Ordinal);
            }

            // Property accessors carry the property's annotations: `r.Task` binds to the property, but a
            // getter called by name (or through an interface) binds to the accessor.
            if (method.AssociatedSymbol is IPropertySymbol property)
            {
                ApplyAttributes(property.GetAttributes(), ref result, ref parameters, parameterOrdinal: -1);
            }
        }

        if (!_external.IsEmpty && _external.TryGetValue(member, out var lines))
        {
            foreach (var line in lines)
            {
                var ordinal = -1;
                if (line.ParameterName is not null && member is IMethodSymbol annotatedMethod)
                {
                    foreach (var parameter in annotatedMethod.Parameters)
                    {
                        if (parameter.Name == line.ParameterName)
                        {
                            ordinal = parameter.Ordinal;
                        }
                    }

                    if (ordinal < 0)
                    {
                        continue;
                    }
                }

                Apply(line.Kind, line.LockName, ref result, ref parameters, ordinal, (member as IMethodSymbol)?.Parameters.Length ?? 0);
            }
        }

        if (parameters is not null)
        {
            (result ??= new MemberAnnotations()).Parameters = ImmutableArray.Create(parameters);
        }

        // An override without annotations of its own keeps its base member's contract.
        if ((result is null || result.IsEmpty) && member.IsOverride)
        {
            var overridden = member switch
            {
                IMethodSymbol m => (ISymbol?)m.OverriddenMethod,
                IPropertySymbol p => p.OverriddenProperty,
                _ => null,
            };
            if (overridden is not null)
            {
                return Get(overridden);
            }
        }

        return result is null || result.IsEmpty ? MemberAnnotations.Empty : result;
    }

    private void ApplyAttributes(ImmutableArray<AttributeData> attributes, ref MemberAnnotations? result, ref ParameterAnnotation[]? parameters, int parameterOrdinal)
    {
        foreach (var attribute in attributes)
        {
            var type = attribute.AttributeClass;
            if (type is null || !IsAnnotationsNamespace(type.ContainingNamespace))
            {
                continue;
            }

            for (var kind = 0; kind < _attributeTypes.Length; kind++)
            {
                if (SymbolEqualityComparer.Default.Equals(_attributeTypes[kind], type))
                {
                    var lockName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                    var count = parameterOrdinal >= 0 ? parameterOrdinal + 1 : 0;
                    Apply((AnnotationKind)kind, lockName, ref result, ref parameters, parameterOrdinal, count);
                    break;
                }
            }
        }
    }

    // By name, part by part: most attributes a member carries are not TrefGuard's, and a display string per attribute
    // would allocate for each of them.
    private static bool IsAnnotationsNamespace(INamespaceSymbol? ns)
        => ns is { Name: "Annotations", ContainingNamespace: { Name: "TrefGuard", ContainingNamespace.IsGlobalNamespace: true } };

    private void Apply(AnnotationKind kind, string? lockName, ref MemberAnnotations? annotations, ref ParameterAnnotation[]? parameters, int parameterOrdinal, int parameterCount)
    {
        var result = annotations ??= new MemberAnnotations();
        var lockBit = lockName is null ? 0UL : 1UL << GetLockId(lockName);
        switch (kind)
        {
            case AnnotationKind.AcquiresReference:
                result.AcquiresReference = true;
                break;
            case AnnotationKind.ReleasesReference when parameterOrdinal < 0:
                result.ReleasesThis = true;
                break;
            case AnnotationKind.ReleasesReference:
                SetParameter(ref parameters, parameterOrdinal, parameterCount, ParameterAnnotation.ReleasesReference);
                break;
            case AnnotationKind.TransfersOwnership when parameterOrdinal >= 0:
                SetParameter(ref parameters, parameterOrdinal, parameterCount, ParameterAnnotation.TransfersOwnership);
                break;
            case AnnotationKind.InitializesSlot when parameterOrdinal >= 0:
                SetParameter(ref parameters, parameterOrdinal, parameterCount, ParameterAnnotation.InitializesSlot);
                break;
            case AnnotationKind.RequiresInitializedSlot when parameterOrdinal >= 0:
                SetParameter(ref parameters, parameterOrdinal, parameterCount, ParameterAnnotation.RequiresInitializedSlot);
                break;
            case AnnotationKind.FinalizesSlot when parameterOrdinal >= 0:
                SetParameter(ref parameters, parameterOrdinal, parameterCount, ParameterAnnotation.FinalizesSlot);
                break;
            case AnnotationKind.GuardedBy:
                result.GuardedBy |= lockBit;
                break;
            case AnnotationKind.RequiresLock:
                result.RequiresLocks |= lockBit;
                break;
            case AnnotationKind.AcquiresLock:
                result.AcquiresLocks |= lockBit;
                break;
            case AnnotationKind.ReleasesLock:
                result.ReleasesLocks |= lockBit;
                break;
            case AnnotationKind.ExcludesLock:
                result.ExcludesLocks |= lockBit;
                break;
            case AnnotationKind.AssertsLock:
                result.AssertsLocks |= lockBit;
                break;
        }
    }

    private static void SetParameter(ref ParameterAnnotation[]? parameters, int ordinal, int count, ParameterAnnotation flag)
    {
        if (parameters is null || parameters.Length < count)
        {
            var grown = new ParameterAnnotation[System.Math.Max(count, ordinal + 1)];
            parameters?.CopyTo(grown, 0);
            parameters = grown;
        }

        parameters[ordinal] |= flag;
    }
}
