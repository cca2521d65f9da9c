using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>One member's control flow graph, collected while the type's members are analysed.</summary>
internal sealed class SlotMemberGraph
{
    public SlotMemberGraph(ISymbol owner, ControlFlowGraph graph, ISet<ISymbol> captured, bool isConstructorBody)
    {
        Owner = owner;
        Graph = graph;
        Captured = captured;
        IsConstructorBody = isConstructorBody;
    }

    public ISymbol Owner { get; }

    public ControlFlowGraph Graph { get; }

    public ISet<ISymbol> Captured { get; }

    public bool IsConstructorBody { get; }
}

/// <summary>What the members of a type do with one of its fields through slot parameters.</summary>
internal sealed class SlotFieldUse
{
    /// <summary>The type of the first slot method the field was passed to (the slot API the fixers call).</summary>
    public INamedTypeSymbol? Api { get; set; }

    /// <summary>The type of an [InitializesSlot] method the field was passed to, preferred over <see cref="Api"/>.</summary>
    public INamedTypeSymbol? InitializingApi { get; set; }

    /// <summary>Members that pass it to an [InitializesSlot] parameter (directly, or in their lambdas).</summary>
    public HashSet<ISymbol> InitializedBy { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Members that pass it to a [FinalizesSlot] parameter.</summary>
    public HashSet<ISymbol> FinalizedBy { get; } = new(SymbolEqualityComparer.Default);
}

/// <summary>A plain assignment to a field of the type, through <c>this</c> or a static field.</summary>
internal readonly struct SlotFieldAssignment
{
    public SlotFieldAssignment(ISymbol member, IFieldSymbol field, Location location)
    {
        Member = member;
        Field = field;
        Location = location;
    }

    public ISymbol Member { get; }

    public IFieldSymbol Field { get; }

    public Location Location { get; }
}

/// <summary>Everything collected about one type while its members were analysed; input of <see cref="SlotTypeContext"/>.</summary>
internal sealed class SlotTypeCollection
{
    public SlotTypeCollection(INamedTypeSymbol type) => Type = type;

    public INamedTypeSymbol Type { get; }

    public List<SlotMemberGraph> Graphs { get; } = new();

    public Dictionary<IFieldSymbol, SlotFieldUse> Fields { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Each constructor of the type, and the constructor its <c>this(…)</c> initializer chains to (or null).</summary>
    public Dictionary<IMethodSymbol, IMethodSymbol?> ConstructorChains { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Calls from a member to a method of the type on <c>this</c> (or a static one).</summary>
    public Dictionary<ISymbol, HashSet<IMethodSymbol>> Calls { get; } = new(SymbolEqualityComparer.Default);

    public List<SlotFieldAssignment> FieldAssignments { get; } = new();
}

/// <summary>
/// The slot analysis of one type, run once all its members have been seen: which fields are slots, which
/// constructors initialize them (following <c>this(…)</c> chains), whether every constructor does ("initialized by
/// construction"), then every member's graph with those facts; TG0007 for plain assignments in members that need no
/// flow analysis; TG0011 for slot fields that construction initializes and no Dispose finalizes.
/// </summary>
internal sealed class SlotTypeContext
{
    private readonly SlotTypeCollection _collection;
    private readonly DiagnosticSink _sink;
    private readonly AnalyzerOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<IFieldSymbol, int> _fieldIndexes = new(SymbolEqualityComparer.Default);
    private readonly INamedTypeSymbol?[] _apis;
    private readonly Dictionary<ISymbol, List<int>> _initializedBy = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, SlotState?> _constructorExits = new(SymbolEqualityComparer.Default);
    private readonly HashSet<IMethodSymbol> _constructorsInProgress = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, SlotMemberGraph> _constructorBodies = new(SymbolEqualityComparer.Default);
    private readonly List<IMethodSymbol> _instanceConstructors = new();
    private readonly Queue<(ControlFlowGraph Graph, ISymbol Owner, ISet<ISymbol> Captured)> _nested = new();
    private readonly bool[] _byConstruction;
    private IMethodSymbol? _staticConstructor;
    private IMethodSymbol? _primaryConstructor;

    private SlotTypeContext(SlotTypeCollection collection, AnnotationModel annotations, ImmutableArray<IFieldSymbol> fields, DiagnosticSink sink, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        _collection = collection;
        Annotations = annotations;
        Fields = fields;
        _sink = sink;
        _options = options;
        _cancellationToken = cancellationToken;
        _apis = new INamedTypeSymbol?[fields.Length];
        _byConstruction = new bool[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            _fieldIndexes.Add(fields[i], i);
            var use = collection.Fields[fields[i]];
            _apis[i] = use.InitializingApi ?? use.Api;
            foreach (var member in use.InitializedBy)
            {
                if (!_initializedBy.TryGetValue(member, out var list))
                {
                    list = new List<int>();
                    _initializedBy.Add(member, list);
                }

                list.Add(i);
            }
        }
    }

    public INamedTypeSymbol Type => _collection.Type;

    public AnnotationModel Annotations { get; }

    /// <summary>The type's slot fields (original definitions), in declaration order; a graph's first variables.</summary>
    public ImmutableArray<IFieldSymbol> Fields { get; }

    /// <summary>Runs the whole analysis of a type; its diagnostics go to <paramref name="sink"/>.</summary>
    public static void Analyze(SlotTypeCollection collection, AnnotationModel annotations, DiagnosticSink sink, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var fields = ImmutableArray.CreateBuilder<IFieldSymbol>();
        foreach (var member in collection.Type.GetMembers())
        {
            if (member is IFieldSymbol field && collection.Fields.ContainsKey(field))
            {
                fields.Add(field);
            }
        }

        new SlotTypeContext(collection, annotations, fields.ToImmutable(), sink, options, cancellationToken).Run();
    }

    public bool IsInitializedByConstruction(int field) => _byConstruction[field];

    public INamedTypeSymbol? GetApi(int field) => _apis[field];

    /// <summary>The slot fields that a method of the type initializes anywhere in its body.</summary>
    public IReadOnlyList<int> GetFieldsInitializedBy(IMethodSymbol method)
        => _initializedBy.TryGetValue(method, out var list) ? list : (IReadOnlyList<int>)System.Array.Empty<int>();

    /// <summary>The state of the slot fields when a constructor of the type returns; null inside a <c>this(…)</c> cycle.</summary>
    public SlotState? GetConstructorExit(IMethodSymbol constructor)
    {
        if (_constructorExits.TryGetValue(constructor, out var known))
        {
            return known;
        }

        if (!_constructorsInProgress.Add(constructor))
        {
            return null;
        }

        SlotState? exit;
        var kind = constructor.MethodKind == MethodKind.StaticConstructor ? SlotGraphKind.StaticConstructor : SlotGraphKind.InstanceConstructor;
        if (_constructorBodies.TryGetValue(constructor, out var body))
        {
            exit = SlotAnalysis.Analyze(body.Graph, constructor, kind, this, body.Captured, _sink, _cancellationToken)
                ?? Unreachable();
        }
        else
        {
            // No slot call in its body: it leaves the fields as its chained constructor does, plus what the helpers it
            // calls initialize.
            exit = new SlotState(Fields.Length);
            if (_collection.ConstructorChains.TryGetValue(constructor, out var chained) && chained is not null && GetConstructorExit(chained) is { } chainedExit)
            {
                exit = chainedExit.Clone();
            }

            if (_collection.Calls.TryGetValue(constructor, out var callees))
            {
                foreach (var callee in callees)
                {
                    foreach (var field in GetFieldsInitializedBy(callee))
                    {
                        exit.SetInitialized(field);
                    }
                }
            }
        }

        _constructorsInProgress.Remove(constructor);
        _constructorExits[constructor] = exit;
        return exit;
    }

    /// <summary>A nested lambda or local function graph, analysed once construction facts are known.</summary>
    public void Enqueue(ControlFlowGraph graph, ISymbol owner, ISet<ISymbol> captured) => _nested.Enqueue((graph, owner, captured));

    /// <summary>
    /// For TG0003 on a field inside its own constructor: the constructor whose start the fix initializes it at —
    /// the end of the <c>this(…)</c> chain, where the field starts uninitialized.
    /// </summary>
    public string DescribeConstructorToFix(IMethodSymbol constructor)
    {
        var current = constructor;
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        while (seen.Add(current) && _collection.ConstructorChains.TryGetValue(current, out var chained) && chained is not null)
        {
            current = chained;
        }

        return IsPrimary(current) ? SlotAnalyzerCommon.PrimaryConstructor : current.GetDocumentationCommentId() ?? string.Empty;
    }

    /// <summary>For TG0003 on a field outside its constructors: the constructors that leave it uninitialized.</summary>
    public string DescribeConstructorsLacking(int field)
    {
        if (Fields[field].IsStatic)
        {
            return _staticConstructor is null ? SlotAnalyzerCommon.NewConstructor : _staticConstructor.GetDocumentationCommentId() ?? string.Empty;
        }

        if (_primaryConstructor is not null)
        {
            return SlotAnalyzerCommon.PrimaryConstructor;
        }

        if (_instanceConstructors.Count == 0)
        {
            return SlotAnalyzerCommon.NewConstructor;
        }

        var builder = new StringBuilder();
        foreach (var constructor in _instanceConstructors)
        {
            // A constructor that chains is fixed through the one it chains to.
            if (_collection.ConstructorChains.TryGetValue(constructor, out var chained) && chained is not null)
            {
                continue;
            }

            if (GetConstructorExit(constructor) is { } exit && !exit.IsMustInitialized(field))
            {
                if (builder.Length > 0)
                {
                    builder.Append(SlotAnalyzerCommon.ConstructorSeparator);
                }

                builder.Append(constructor.GetDocumentationCommentId());
            }
        }

        return builder.ToString();
    }

    private void Run()
    {
        foreach (var graph in _collection.Graphs)
        {
            if (graph.IsConstructorBody && graph.Owner is IMethodSymbol constructor)
            {
                _constructorBodies[constructor] = graph;
            }
        }

        foreach (var constructor in Type.StaticConstructors)
        {
            if (!constructor.IsImplicitlyDeclared)
            {
                _staticConstructor = constructor;
            }
        }

        foreach (var constructor in Type.InstanceConstructors)
        {
            // The implicit constructors (a class's default one, a struct's parameterless one, a record's copy
            // constructor) initialize nothing, but counting them would make a struct's or record's slot fields never
            // initialized by construction: a type that declares none is handled as "no constructor" instead.
            if (!constructor.IsImplicitlyDeclared)
            {
                _instanceConstructors.Add(constructor);
                if (IsPrimary(constructor))
                {
                    _primaryConstructor = constructor;
                }
            }
        }

        // Static fields first: instance constructors see them as the static constructor left them.
        var staticExit = _staticConstructor is null ? null : GetConstructorExit(_staticConstructor);
        for (var i = 0; i < Fields.Length; i++)
        {
            if (Fields[i].IsStatic)
            {
                _byConstruction[i] = staticExit?.IsMustInitialized(i) ?? false;
            }
        }

        var instanceExits = new List<SlotState?>();
        foreach (var constructor in _instanceConstructors)
        {
            instanceExits.Add(GetConstructorExit(constructor));
        }

        for (var i = 0; i < Fields.Length; i++)
        {
            if (!Fields[i].IsStatic)
            {
                var initialized = _instanceConstructors.Count > 0;
                foreach (var exit in instanceExits)
                {
                    initialized &= exit?.IsMustInitialized(i) ?? false;
                }

                _byConstruction[i] = initialized;
            }
        }

        var analyzed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var graph in _collection.Graphs)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            analyzed.Add(graph.Owner);
            if (graph.IsConstructorBody && graph.Owner is IMethodSymbol constructor)
            {
                // Analysed (and reported) on the way, whether or not the type's construction needed it.
                GetConstructorExit(constructor);
                continue;
            }

            SlotAnalysis.Analyze(graph.Graph, graph.Owner, SlotGraphKind.Member, this, graph.Captured, _sink, _cancellationToken);
        }

        while (_nested.Count > 0)
        {
            var (graph, owner, captured) = _nested.Dequeue();
            SlotAnalysis.Analyze(graph, owner, SlotGraphKind.Member, this, captured, _sink, _cancellationToken);
        }

        ReportFieldAssignments(analyzed);
        ReportNeverFinalized();
    }

    /// <summary>TG0007 in members that had no slot call, hence no flow analysis: outside its constructors a slot field holds a reference.</summary>
    private void ReportFieldAssignments(HashSet<ISymbol> analyzed)
    {
        foreach (var assignment in _collection.FieldAssignments)
        {
            if (!_fieldIndexes.TryGetValue(assignment.Field, out var field) || analyzed.Contains(assignment.Member))
            {
                continue;
            }

            var inItsConstructor = assignment.Member is IMethodSymbol method
                && (assignment.Field.IsStatic ? method.MethodKind == MethodKind.StaticConstructor : method.MethodKind == MethodKind.Constructor);
            if (inItsConstructor)
            {
                // Without a slot call or a this(…) chain the field is not initialized yet there.
                continue;
            }

            _sink.Add(Diagnostic.Create(Descriptors.TG0007_SlotOverwritten, assignment.Location, ApiProperties(field), assignment.Field.Name));
        }
    }

    /// <summary>TG0011: a slot field that every constructor initializes and that nothing reachable from Dispose finalizes.</summary>
    private void ReportNeverFinalized()
    {
        HashSet<ISymbol>? disposal = null;
        for (var i = 0; i < Fields.Length; i++)
        {
            var field = Fields[i];
            if (field.IsStatic || !_byConstruction[i])
            {
                // A static slot lives as long as the process: no owner disposes it.
                continue;
            }

            disposal ??= DisposalMembers();
            var finalized = false;
            foreach (var member in _collection.Fields[field].FinalizedBy)
            {
                finalized |= disposal.Contains(member);
            }

            if (finalized)
            {
                continue;
            }

            foreach (var reference in field.DeclaringSyntaxReferences)
            {
                // The one diagnostic of the family at a declaration no callback vouched for: the field may be declared
                // in a generated part of the type, where the driver, told not to filter, would let it through.
                var declarator = reference.GetSyntax(_cancellationToken);
                if (GeneratedCode.IsGenerated(field, declarator, _options, _cancellationToken))
                {
                    break;
                }

                _sink.Add(Diagnostic.Create(Descriptors.TG0011_SlotNeverFinalized, declarator.GetLocation(), ApiProperties(i), field.Name, Type.Name));
                break;
            }
        }
    }

    /// <summary>Dispose, DisposeAsync, the finalizer, and every method of the type they reach through calls on <c>this</c>.</summary>
    private HashSet<ISymbol> DisposalMembers()
    {
        var reached = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ISymbol>();
        foreach (var member in Type.GetMembers())
        {
            if (member is IMethodSymbol method && IsDisposal(method))
            {
                pending.Push(method);
            }
        }

        while (pending.Count > 0)
        {
            var member = pending.Pop();
            if (!reached.Add(member))
            {
                continue;
            }

            if (_collection.Calls.TryGetValue(member, out var callees))
            {
                foreach (var callee in callees)
                {
                    pending.Push(callee);
                }
            }
        }

        return reached;
    }

    private static bool IsDisposal(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.Destructor)
        {
            return true;
        }

        if (method.MethodKind == MethodKind.ExplicitInterfaceImplementation)
        {
            foreach (var implemented in method.ExplicitInterfaceImplementations)
            {
                if (implemented.Name is "Dispose" or "DisposeAsync")
                {
                    return true;
                }
            }

            return false;
        }

        return method.MethodKind == MethodKind.Ordinary && method.Name is "Dispose" or "DisposeAsync" or "DisposeAsyncCore" or "DisposeCore";
    }

    private ImmutableDictionary<string, string?> ApiProperties(int field)
        => _apis[field]?.GetDocumentationCommentId() is { } api
            ? ImmutableDictionary<string, string?>.Empty.Add(SlotAnalyzerCommon.SlotApi, api)
            : ImmutableDictionary<string, string?>.Empty;

    private static bool IsPrimary(IMethodSymbol constructor)
    {
        foreach (var reference in constructor.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A constructor that never returns makes no object: everything it should have done counts as done.</summary>
    private SlotState Unreachable()
    {
        var state = new SlotState(Fields.Length);
        for (var i = 0; i < Fields.Length; i++)
        {
            state.SetUnknown(i);
        }

        return state;
    }
}
