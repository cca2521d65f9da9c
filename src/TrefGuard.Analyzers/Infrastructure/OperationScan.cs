using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>Which analyses an operation block needs; the cheap gate before any control flow graph is built.</summary>
[Flags]
internal enum AnalysisNeeds
{
    None = 0,
    Ownership = 1,

    /// <summary>The block touches a member with any lock annotation, [ExcludesLock] included.</summary>
    Locks = 2,
    Slots = 4,

    /// <summary>
    /// The block touches a member that takes, asserts, releases or requires a lock, or is guarded by one (an interface
    /// call counts with its receiver's implementation, as the lock analysis resolves it), or has a <c>lock</c>
    /// statement whose lowering calls such a member. Without it, every lock the block meets is
    /// only excluded: nothing is held in it unless its owner, or one of its nested functions, starts with a lock held.
    /// </summary>
    LockState = 8,

    /// <summary>
    /// The function's own body (not a lambda or local function in it, which has needs of its own) calls, reads or
    /// constructs an [AcquiresReference] member. Without it the ownership analysis finds no value to follow in the
    /// function's own graph, unless the function owns parameters or returns what it acquires.
    /// </summary>
    Acquisitions = 16,
}

/// <summary>
/// One walk over an operation block's tree: which annotated members it touches, and which variables lambdas or
/// local functions capture (the flow analyses cannot follow those, so they leave them alone). Every TrefGuard
/// analyzer gates on it, so the result is cached per root operation: the analyzers of one compilation share one walk.
/// </summary>
internal sealed class OperationScan
{
    private static readonly ISet<ISymbol> s_noCaptures = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

    private readonly AnnotationModel _annotations;
    private readonly INamedTypeSymbol? _ownerType;
    private HashSet<ISymbol>? _captured;
    private Dictionary<IMethodSymbol, AnalysisNeeds>? _nestedFunctionNeeds;
    private List<IInvocationOperation>? _ownTypeCalls;
    private List<ISimpleAssignmentOperation>? _ownFieldAssignments;
    private List<IOperation>? _slotCalls;

    private OperationScan(AnnotationModel annotations, INamedTypeSymbol? ownerType)
    {
        _annotations = annotations;
        _ownerType = ownerType;
    }

    public AnalysisNeeds Needs { get; private set; }

    /// <summary>Locals and parameters referenced from a lambda or local function other than the one declaring them.</summary>
    public ISet<ISymbol> Captured => (ISet<ISymbol>?)_captured ?? s_noCaptures;

    /// <summary>Whether the block has a lambda or local function (which runs on its own terms).</summary>
    public bool HasNestedFunctions { get; private set; }

    /// <summary>What the block's lambdas and local functions need, all of them together.</summary>
    public AnalysisNeeds NestedFunctionNeeds { get; private set; }

    /// <summary>
    /// What a lambda or local function of the block needs: its own annotations and what its body touches, nested
    /// functions included. The analyses skip the graph of one that needs nothing of theirs, for a finding needs an
    /// annotated member (captured variables are left alone). A function the scan did not meet gets the whole block's.
    /// </summary>
    public AnalysisNeeds NeedsOf(IMethodSymbol nestedFunction)
        => _nestedFunctionNeeds is not null && _nestedFunctionNeeds.TryGetValue(nestedFunction, out var needs) ? needs : Needs;

    // What the slot family reads of every member of a type that has slots. Recorded on this walk, which every member
    // gets anyway, rather than on walks of its own: the three lists are empty for most blocks.

    /// <summary>Calls to methods of the owner's own type (constructors aside), with any receiver.</summary>
    public IReadOnlyList<IInvocationOperation> OwnTypeCalls => (IReadOnlyList<IInvocationOperation>?)_ownTypeCalls ?? Array.Empty<IInvocationOperation>();

    /// <summary>Plain (not ref) assignments to fields of the owner's own type, through any receiver.</summary>
    public IReadOnlyList<ISimpleAssignmentOperation> OwnFieldAssignments => (IReadOnlyList<ISimpleAssignmentOperation>?)_ownFieldAssignments ?? Array.Empty<ISimpleAssignmentOperation>();

    /// <summary>Invocations and object creations of members with slot annotations.</summary>
    public IReadOnlyList<IOperation> SlotCalls => (IReadOnlyList<IOperation>?)_slotCalls ?? Array.Empty<IOperation>();

    /// <summary>
    /// The scan of the whole tree <paramref name="block"/> belongs to (its root: a method body with its initializers,
    /// a field initializer, …), which is what the block's control flow graph covers.
    /// </summary>
    /// <param name="owner">The symbol the block belongs to (the analysis context's owning symbol).</param>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    public static OperationScan Run(IOperation block, ISymbol owner, AnnotationModel annotations)
    {
        var root = OperationBlocks.RootOf(block);

        return annotations.GetOrAddScan(root, owner.ContainingType?.OriginalDefinition, static (root, ownerType, annotations) =>
        {
            var scan = new OperationScan(annotations, ownerType);
            scan.Walk(root, nestedFunction: null);
            return scan;
        });
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Walk(IOperation operation, ISymbol? nestedFunction)
    {
        // Dispatch on the kind, not on interface type tests: this runs for every operation of every method.
        switch (operation.Kind)
        {
            case OperationKind.Invocation:
                NoteInvocation((IInvocationOperation)operation);
                break;
            case OperationKind.Lock:
                Note(_annotations.LockStatement);
                break;
            case OperationKind.PropertyReference:
                Note(_annotations.Get(((IPropertyReferenceOperation)operation).Property));
                break;
            case OperationKind.FieldReference:
                Note(_annotations.Get(((IFieldReferenceOperation)operation).Field));
                break;
            case OperationKind.ObjectCreation when ((IObjectCreationOperation)operation).Constructor is { } constructor:
                var constructorAnnotations = _annotations.Get(constructor);
                Note(constructorAnnotations);
                if (constructorAnnotations.AffectsSlots)
                {
                    (_slotCalls ??= new List<IOperation>()).Add(operation);
                }

                break;
            case OperationKind.SimpleAssignment:
                NoteAssignment((ISimpleAssignmentOperation)operation);
                break;
            case OperationKind.Loop when operation is IForEachLoopOperation forEach:
                NoteEnumerator(forEach);
                break;
            case OperationKind.LocalReference when nestedFunction is not null:
                var local = ((ILocalReferenceOperation)operation).Local;
                if (!SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, nestedFunction))
                {
                    (_captured ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default)).Add(local);
                }

                break;
            case OperationKind.ParameterReference when nestedFunction is not null:
                var parameter = ((IParameterReferenceOperation)operation).Parameter;
                if (!SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, nestedFunction))
                {
                    (_captured ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default)).Add(parameter);
                }

                break;
            // A nested function's own annotations count as touched: an [AcquiresReference] local function is checked
            // to return what it owns (TG0013) even when nothing else in the method is annotated.
            case OperationKind.AnonymousFunction:
                var lambda = (IAnonymousFunctionOperation)operation;
                WalkNestedFunction(lambda.Symbol, lambda);
                return;
            case OperationKind.LocalFunction:
                WalkNestedFunction(((ILocalFunctionOperation)operation).Symbol, operation);
                return;
        }

        foreach (var child in operation.ChildOperations)
        {
            Walk(child, nestedFunction);
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void WalkNestedFunction(IMethodSymbol function, IOperation operation)
    {
        HasNestedFunctions = true;
        var enclosing = Needs;
        Needs = AnalysisNeeds.None;
        Note(_annotations.GetForOwner(function, operation.Syntax));
        foreach (var child in operation.ChildOperations)
        {
            Walk(child, function);
        }

        (_nestedFunctionNeeds ??= new Dictionary<IMethodSymbol, AnalysisNeeds>(SymbolEqualityComparer.Default))[function] = Needs;
        NestedFunctionNeeds |= Needs;

        // What the function acquires is in its own graph, not in the enclosing one's.
        Needs = enclosing | (Needs & ~AnalysisNeeds.Acquisitions);
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void NoteInvocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var annotations = _annotations.Get(method);
        if (ReferenceEquals(annotations, MemberAnnotations.Empty) && method.ContainingType?.TypeKind == TypeKind.Interface
            && invocation.Instance is { } instance && instance.WithoutConversions().Type is { } receiver
            && receiver.FindImplementationForInterfaceMember(method) is { } implementation)
        {
            annotations = _annotations.Get(implementation);
        }

        Note(annotations);
        if (annotations.AffectsSlots)
        {
            (_slotCalls ??= new List<IOperation>()).Add(invocation);
        }

        if (_ownerType is not null && method.MethodKind != MethodKind.Constructor && IsOwnerType(method.ContainingType))
        {
            (_ownTypeCalls ??= new List<IInvocationOperation>()).Add(invocation);
        }
    }

    /// <summary>
    /// The members a <c>foreach</c> calls on its enumerator. Only the graph's lowering shows the calls (an enumerator
    /// whose <c>Current</c> acquires is an acquisition in every iteration); the tree shows the loop alone.
    /// </summary>
    private void NoteEnumerator(IForEachLoopOperation loop)
    {
        // The enumerator of an array, a string or a collection type that cannot carry annotations (the BCL's, which
        // all have a GetEnumerator of their own or of their interfaces) has nothing to note: spare the lookup, which
        // costs as much as the rest of the scan of a loop.
        if (loop.Syntax is not CommonForEachStatementSyntax statement || loop.SemanticModel is not { } model
            || loop.Collection.WithoutConversions().Type is not { } collection || collection is IArrayTypeSymbol
            || collection.SpecialType == SpecialType.System_String
            || (collection.ContainingAssembly is { } assembly && !_annotations.CanCarryAnnotations(assembly)))
        {
            return;
        }

        var info = model.GetForEachStatementInfo(statement);
        NoteMember(info.GetEnumeratorMethod);
        NoteMember(info.MoveNextMethod);
        NoteMember(info.CurrentProperty);
        NoteMember(info.DisposeMethod);
    }

    private void NoteMember(ISymbol? member)
    {
        if (member is not null)
        {
            Note(_annotations.Get(member));
        }
    }

    private void NoteAssignment(ISimpleAssignmentOperation assignment)
    {
        if (_ownerType is null || assignment.IsRef)
        {
            return;
        }

        if (assignment.Target.WithoutConversions() is IFieldReferenceOperation reference && IsOwnerType(reference.Field.ContainingType))
        {
            (_ownFieldAssignments ??= new List<ISimpleAssignmentOperation>()).Add(assignment);
        }
    }

    private bool IsOwnerType(INamedTypeSymbol? type)
        => type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _ownerType);

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Note(MemberAnnotations annotations)
    {
        if (ReferenceEquals(annotations, MemberAnnotations.Empty))
        {
            return;
        }

        if (annotations.AffectsOwnership)
        {
            Needs |= annotations.AcquiresReference ? AnalysisNeeds.Ownership | AnalysisNeeds.Acquisitions : AnalysisNeeds.Ownership;
        }

        if (annotations.AffectsLocks)
        {
            Needs |= AnalysisNeeds.Locks;
            if ((annotations.RequiresLocks | annotations.AcquiresLocks | annotations.ReleasesLocks | annotations.AssertsLocks | annotations.GuardedBy) != 0)
            {
                Needs |= AnalysisNeeds.LockState;
            }
        }

        if (annotations.AffectsSlots)
        {
            Needs |= AnalysisNeeds.Slots;
        }
    }
}
