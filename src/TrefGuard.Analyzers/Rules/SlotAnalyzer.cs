using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.FlowAnalysis;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// The slot family: TG0003 (a [RequiresInitializedSlot]/[FinalizesSlot] call on a slot not definitely initialized),
/// TG0007 (plain assignment over an initialized slot) and TG0011 (a slot field that construction initializes and
/// Dispose never finalizes).
/// <para>
/// Fields need the whole type: a field is a slot when any member passes it to a slot parameter, and it is
/// initialized by construction when every constructor initializes it. So the analyzer works per type: while the
/// members are analysed it keeps the graphs of the blocks that make slot calls (the cheap gate) and of constructors
/// that chain to <c>this(…)</c>, and every member's <see cref="OperationScan"/>; at the type's end, if the type has
/// slots, it takes the calls between members and the plain assignments to the type's fields from those scans and runs
/// <see cref="SlotTypeContext"/> over it all.
/// </para>
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SlotAnalyzer : TrefGuardAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.TG0003_UninitializedSlot,
        Descriptors.TG0007_SlotOverwritten,
        Descriptors.TG0011_SlotNeverFinalized);

    /// <summary>
    /// TG0003 and TG0007 lie at operations of the members the driver called back for; TG0011, at a field's
    /// declaration, is checked for generated code by the analysis itself.
    /// </summary>
    private protected override bool KeepsOutOfGeneratedCode => true;

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        context.RegisterSymbolStartAction(start => StartType(start, annotations), SymbolKind.NamedType);
    }

    private static void StartType(SymbolStartAnalysisContext context, AnnotationModel annotations)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct or TypeKind.Interface))
        {
            return;
        }

        // No operation actions, and no walks of its own: the driver would enumerate every operation of every member of
        // every type to call them. The gate's scan, which every member gets anyway, records the few operations the
        // family needs; they are read at the type's end, for the types that have slots.
        var collector = new TypeCollector(type, annotations);
        context.RegisterOperationBlockAction(collector.AddBlock);
        context.RegisterSymbolEndAction(collector.End);
    }

    /// <summary>Collects one type's facts from its members' callbacks, which may run concurrently.</summary>
    private sealed class TypeCollector
    {
        private readonly object _gate = new();
        private readonly SlotTypeCollection _collection;
        private readonly AnnotationModel _annotations;

        /// <summary>Each member's scan, with the member: read at the end only when the type has slots.</summary>
        private readonly List<(ISymbol Member, OperationScan Scan)> _scans = new();

        public TypeCollector(INamedTypeSymbol type, AnnotationModel annotations)
        {
            _collection = new SlotTypeCollection(type);
            _annotations = annotations;
        }

        private INamedTypeSymbol Type => _collection.Type;

        [MethodImpl(JitOptions.AggressiveOptimization)]
        public void AddBlock(OperationBlockAnalysisContext context)
        {
            var owner = context.OwningSymbol;
            if (!IsOwnMember(owner))
            {
                return;
            }

            var constructor = owner as IMethodSymbol;
            if (constructor?.MethodKind is not (MethodKind.Constructor or MethodKind.StaticConstructor))
            {
                constructor = null;
            }

            foreach (var block in OperationBlocks.Distinct(context.OperationBlocks))
            {
                IMethodSymbol? chained = null;
                var root = OperationBlocks.RootOf(block);

                // The blocks of a constructor are its body and its initializer; their root is the constructor body.
                var isConstructorBody = constructor is not null && root is IConstructorBodyOperation;
                if (isConstructorBody && ((IConstructorBodyOperation)root).Initializer is { } initializer)
                {
                    chained = ChainedConstructor(initializer);
                }

                var scan = OperationScan.Run(root, owner, _annotations);
                lock (_gate)
                {
                    _scans.Add((owner.OriginalDefinition, scan));
                    if (isConstructorBody)
                    {
                        _collection.ConstructorChains[constructor!.OriginalDefinition] = chained;
                    }
                }

                var needsSlots = (scan.Needs & AnalysisNeeds.Slots) != 0;
                if (needsSlots)
                {
                    CollectFieldUses(scan, owner.OriginalDefinition);
                }

                // A chaining constructor inherits initialized fields, so its plain assignments to them need the flow too.
                if (needsSlots || (chained is not null && AssignsOwnField(scan)))
                {
                    var graph = context.GetControlFlowGraph(block);
                    lock (_gate)
                    {
                        _collection.Graphs.Add(new SlotMemberGraph(owner.OriginalDefinition, graph, scan.Captured, isConstructorBody));
                    }
                }
            }
        }

        /// <summary>Calls between the type's members (through <c>this</c>, or static) and plain assignments to its fields.</summary>
        private void CollectCallsAndAssignments(ISymbol member, OperationScan scan)
        {
            foreach (var invocation in scan.OwnTypeCalls)
            {
                NoteCall(member, invocation);
            }

            foreach (var assignment in scan.OwnFieldAssignments)
            {
                NoteAssignment(member, assignment);
            }
        }

        private void NoteCall(ISymbol caller, IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.MethodKind == MethodKind.Constructor || !IsOwnMember(method))
            {
                return;
            }

            if (!method.IsStatic && invocation.Instance is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
            {
                return;
            }

            if (!_collection.Calls.TryGetValue(caller, out var callees))
            {
                callees = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                _collection.Calls.Add(caller, callees);
            }

            callees.Add(method.OriginalDefinition);
        }

        private void NoteAssignment(ISymbol member, ISimpleAssignmentOperation assignment)
        {
            if (assignment.IsRef || assignment.IsImplicit || OwnField(assignment.Target) is not { } field)
            {
                return;
            }

            _collection.FieldAssignments.Add(new SlotFieldAssignment(member, field, assignment.Syntax.GetLocation()));
        }

        public void End(SymbolAnalysisContext context)
        {
            var sink = new DiagnosticSink();
            lock (_gate)
            {
                if (_collection.Fields.Count == 0 && _collection.Graphs.Count == 0)
                {
                    return;
                }

                foreach (var (member, scan) in _scans)
                {
                    CollectCallsAndAssignments(member, scan);
                }

                SlotTypeContext.Analyze(_collection, _annotations, sink, context.Options, context.CancellationToken);
            }

            foreach (var diagnostic in sink.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }
        }

        /// <summary>Members of this type itself: a nested type's members belong to the nested type's own analysis.</summary>
        [MethodImpl(JitOptions.AggressiveOptimization)]
        private bool IsOwnMember(ISymbol symbol)
            => SymbolEqualityComparer.Default.Equals(symbol.ContainingType?.OriginalDefinition, Type);

        private IMethodSymbol? ChainedConstructor(IOperation initializer)
        {
            var operation = initializer is IExpressionStatementOperation statement ? statement.Operation : initializer;
            return operation is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Constructor } target }
                && SymbolEqualityComparer.Default.Equals(target.ContainingType.OriginalDefinition, Type)
                ? target.OriginalDefinition
                : null;
        }

        /// <summary>A field of this type reached through <c>this</c>, or a static one.</summary>
        private IFieldSymbol? OwnField(IOperation operation)
        {
            return operation.WithoutConversions() is IFieldReferenceOperation { Field: var field } reference
                && SymbolEqualityComparer.Default.Equals(field.ContainingType.OriginalDefinition, Type)
                && (field.IsStatic || reference.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                ? field.OriginalDefinition
                : null;
        }

        private bool AssignsOwnField(OperationScan scan)
        {
            foreach (var assignment in scan.OwnFieldAssignments)
            {
                if (OwnField(assignment.Target) is not null)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Which of this type's fields the block passes to slot parameters, and how.</summary>
        private void CollectFieldUses(OperationScan scan, ISymbol member)
        {
            foreach (var call in scan.SlotCalls)
            {
                var (method, arguments) = call switch
                {
                    IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments),
                    IObjectCreationOperation { Constructor: { } constructor } creation => (constructor, creation.Arguments),
                    _ => (null, ImmutableArray<IArgumentOperation>.Empty),
                };
                if (method is not null && _annotations.Get(method) is { AffectsSlots: true } annotations)
                {
                    CollectFieldUses(method, annotations, arguments, member);
                }
            }
        }

        private void CollectFieldUses(IMethodSymbol method, MemberAnnotations annotations, ImmutableArray<IArgumentOperation> arguments, ISymbol member)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter is not { RefKind: RefKind.Ref } parameter || OwnField(argument.Value) is not { } field)
                {
                    continue;
                }

                var flags = annotations.GetParameter(parameter.Ordinal);
                if ((flags & (ParameterAnnotation.InitializesSlot | ParameterAnnotation.RequiresInitializedSlot | ParameterAnnotation.FinalizesSlot)) == 0)
                {
                    continue;
                }

                lock (_gate)
                {
                    if (!_collection.Fields.TryGetValue(field, out var use))
                    {
                        use = new SlotFieldUse();
                        _collection.Fields.Add(field, use);
                    }

                    use.Api ??= method.ContainingType;
                    if ((flags & ParameterAnnotation.InitializesSlot) != 0)
                    {
                        use.InitializingApi ??= method.ContainingType;
                        use.InitializedBy.Add(member);
                    }

                    if ((flags & ParameterAnnotation.FinalizesSlot) != 0)
                    {
                        use.FinalizedBy.Add(member);
                    }
                }
            }
        }
    }
}
