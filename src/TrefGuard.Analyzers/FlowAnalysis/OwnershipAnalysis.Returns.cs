using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// TG0013: an [AcquiresReference] method must return a reference it owns on every path. The analysis reports only
/// what is definitely not owned: a return whose value, on every path that reaches it, was read from a field, from
/// a property that is no acquisition (TaskRef.None), or from a parameter the method only borrows, and was not
/// counted by hand on the way. Acquisitions, [TransfersOwnership] parameters, <c>this</c>, calls, new objects and
/// null are owned or beyond judging; a released reference is TG0005's to report.
/// </summary>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>
    /// Locals, parameters, fields and properties whose values TG0013 does not judge: written in ways the flow does not
    /// follow (<c>out</c>, <c>ref</c>, deconstruction), members the method stores into (a reference moved out of a
    /// field), or values whose object the method updates by hand (<c>e.Refs++</c>,
    /// <c>Interlocked.Increment(ref e._count)</c>, <c>e.AddRefCore();</c>): that is how an acquisition is implemented.
    /// </summary>
    private HashSet<ISymbol>? _unjudged;

    /// <summary>
    /// Whether TG0013 checks the returns of <paramref name="owner"/>: an [AcquiresReference] method, local function or
    /// property getter that returns a value. Async methods are left out: what they return is not what their callers
    /// receive. An iterator has no <c>return</c> with a value to check (what it yields is its consumer's).
    /// </summary>
    private static bool ChecksReturns(ISymbol owner, MemberAnnotations ownerAnnotations)
        => ownerAnnotations.AcquiresReference && owner is IMethodSymbol method
            && method.MethodKind is MethodKind.Ordinary or MethodKind.LocalFunction or MethodKind.PropertyGet or MethodKind.ExplicitInterfaceImplementation
            && !method.ReturnsVoid && !method.ReturnsByRef && !method.ReturnsByRefReadonly && !method.IsAsync;

    private void InitializeSources(OwnershipState state)
    {
        foreach (var pair in _variableSlots.Pairs)
        {
            if (pair.Key is IParameterSymbol parameter)
            {
                state.Sources[pair.Value] = IsBorrowedParameter(parameter) ? Provenance.Borrowed : Provenance.Other;
            }
        }
    }

    /// <summary>A parameter that hands the method a reference its caller keeps: by value or <c>in</c>, not [TransfersOwnership].</summary>
    private bool IsBorrowedParameter(IParameterSymbol parameter)
        => parameter.RefKind is RefKind.None or RefKind.In && !parameter.IsThis
            && parameter.ContainingSymbol is IMethodSymbol method
            && (_annotations.GetForOwner(method).GetParameter(parameter.Ordinal) & ParameterAnnotation.TransfersOwnership) == 0;

    /// <summary>A read whose value belongs to where it was read from (and so is worth a variable slot in a checked method).</summary>
    private bool IsBorrowedSource(IOperation value) => value switch
    {
        IFieldReferenceOperation => true,
        IPropertyReferenceOperation property => property.Property.Parameters.IsEmpty && !_annotations.Get(property.Property).AcquiresReference,
        _ => false,
    };

    /// <summary>Notes (once, while the graph is scanned) what makes a variable or member unjudged.</summary>
    private void ScanForReturns(IOperation operation)
    {
        switch (operation)
        {
            case IDeconstructionAssignmentOperation deconstruction:
                foreach (var written in deconstruction.Target.DescendantsAndSelf())
                {
                    NoteUnjudged(written);
                }

                break;
            case ISimpleAssignmentOperation or ICoalesceAssignmentOperation:
                // A field or property the method stores into is one it manages: `var r = _owner; _owner = null;
                // return r;` moves the reference out.
                var target = OperationHelpers.WithoutConversions(((IAssignmentOperation)operation).Target);
                if (target is IMemberReferenceOperation)
                {
                    NoteUnjudged(target);
                }

                NoteUpdatedMember(target);
                break;
            case IAssignmentOperation compound:
                NoteUnjudged(compound.Target);
                NoteUpdatedMember(compound.Target);
                break;
            case IIncrementOrDecrementOperation increment:
                NoteUnjudged(increment.Target);
                NoteUpdatedMember(increment.Target);
                break;
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } byReference:
                var passed = OperationHelpers.WithoutConversions(byReference.Value);
                NoteUnjudged(passed is IDeclarationExpressionOperation declaration ? declaration.Expression : passed);
                NoteUpdatedMember(passed);
                break;
            case IExpressionStatementOperation { Operation: var called } when OperationHelpers.WithoutConversions(called) is IInvocationOperation invocation:
                // A call made for its effect on a value (`e.AddRefCore();`, `Counter.Retain(e);`, even a discarded
                // `e.Get();`, which TG0008 reports) may be what counts it; releases and transfers are not.
                var annotations = AnnotationsOf(invocation);
                if (annotations.ReleasesThis || annotations.HasParameterAnnotation(ParameterAnnotation.ReleasesReference | ParameterAnnotation.TransfersOwnership))
                {
                    break;
                }

                if (invocation.Instance is { } instance)
                {
                    NoteUnjudged(instance);
                }

                foreach (var argument in invocation.Arguments)
                {
                    NoteUnjudged(argument.Value);
                }

                break;
        }
    }

    /// <summary>An assignment to a member of a value (<c>e.Refs = 1</c>): the method manages that value's count itself.</summary>
    private void NoteUpdatedMember(IOperation target)
    {
        if (OperationHelpers.WithoutConversions(target) is IMemberReferenceOperation { Instance: { } instance })
        {
            NoteUnjudged(instance);
        }
    }

    private void NoteUnjudged(IOperation operation)
    {
        ISymbol? symbol = OperationHelpers.WithoutConversions(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };
        if (symbol is not null)
        {
            (_unjudged ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default)).Add(symbol);
        }
    }

    private bool IsUnjudged(ISymbol symbol) => _unjudged is not null && _unjudged.Contains(symbol);

    private void SetSource(int slot, IOperation value, OwnershipState state)
    {
        if (state.Sources.Length != 0)
        {
            state.Sources[slot] = ProvenanceOf(value, state);
        }
    }

    private void AddSource(int slot, IOperation value, OwnershipState state)
    {
        if (state.Sources.Length != 0)
        {
            state.Sources[slot] |= ProvenanceOf(value, state);
        }
    }

    /// <summary>Where the value of an operation may come from, in the state before it is evaluated.</summary>
    private Provenance ProvenanceOf(IOperation value, OwnershipState state)
    {
        value = OperationHelpers.WithoutConversions(value);
        switch (value)
        {
            case ILocalReferenceOperation local:
                return IsUnjudged(local.Local) || VariableSlot(local.Local) is not (var localSlot and >= 0) ? Provenance.Other : state.Sources[localSlot];
            case IParameterReferenceOperation parameter:
                if (IsUnjudged(parameter.Parameter))
                {
                    return Provenance.Other;
                }

                return VariableSlot(parameter.Parameter) is var parameterSlot and >= 0 ? state.Sources[parameterSlot]
                    : IsBorrowedParameter(parameter.Parameter) ? Provenance.Borrowed : Provenance.Other;
            case IFlowCaptureReferenceOperation capture:
                return CaptureSlot(capture.Id) is var captureSlot and >= 0 ? state.Sources[captureSlot] : Provenance.Other;
            case IFieldReferenceOperation field:
                return IsUnjudged(field.Field) ? Provenance.Other : Provenance.Borrowed;
            case IPropertyReferenceOperation property when IsBorrowedSource(property):
                return IsUnjudged(property.Property) ? Provenance.Other : Provenance.Borrowed;
            default:
                return Provenance.Other;
        }
    }

    /// <summary>Reports a return of the checked method whose value is borrowed on every path that reaches it.</summary>
    private void CheckReturn(IOperation branchValue, ulong values, OwnershipState state)
    {
        // A tracked value is owned, handed on already, or released (TG0005 reports the return as a use after release).
        if (values != 0)
        {
            return;
        }

        // null or default: nothing was acquired, like a failed lookup; the caller has nothing to release.
        var returned = OperationHelpers.WithoutConversions(branchValue);
        if (IsNullConstant(returned) || ProvenanceOf(returned, state) != Provenance.Borrowed)
        {
            return;
        }

        var syntax = branchValue.Syntax;
        var exit = syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ReturnStatementSyntax or ArrowExpressionClauseSyntax) ?? syntax;
        _sink.Add(Diagnostic.Create(Descriptors.TG0013_ReturnsUnownedReference, syntax.GetLocation(), DisplayName(_checkedMethod!), ExitDescriber.LineOf(exit)));
    }

    private static string DisplayName(IMethodSymbol method) => method switch
    {
        { MethodKind: MethodKind.PropertyGet, AssociatedSymbol: IPropertySymbol property } => property.ContainingType.Name + "." + property.Name,
        { MethodKind: MethodKind.LocalFunction } => method.Name,
        _ => method.ContainingType.Name + "." + method.Name,
    };
}
