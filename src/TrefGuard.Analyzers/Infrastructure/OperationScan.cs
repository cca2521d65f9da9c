using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>Which analyses an operation block needs; the cheap gate before any control flow graph is built.</summary>
[Flags]
internal enum AnalysisNeeds
{
    None = 0,
    Ownership = 1,
    Locks = 2,
    Slots = 4,
}

/// <summary>
/// One walk over an operation block's tree: which annotated members it touches, and which variables lambdas or
/// local functions capture (the flow analyses cannot follow those, so they leave them alone).
/// </summary>
internal sealed class OperationScan
{
    private static readonly ISet<ISymbol> s_noCaptures = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

    private readonly AnnotationModel _annotations;
    private HashSet<ISymbol>? _captured;

    private OperationScan(AnnotationModel annotations) => _annotations = annotations;

    public AnalysisNeeds Needs { get; private set; }

    /// <summary>Locals and parameters referenced from a lambda or local function other than the one declaring them.</summary>
    public ISet<ISymbol> Captured => (ISet<ISymbol>?)_captured ?? s_noCaptures;

    /// <summary>Whether any annotated member appears in a lambda or local function (which runs on its own terms).</summary>
    public bool HasNestedFunctions { get; private set; }

    public static OperationScan Run(IOperation root, AnnotationModel annotations)
    {
        var scan = new OperationScan(annotations);
        scan.Walk(root, nestedFunction: null);
        return scan;
    }

    private void Walk(IOperation operation, ISymbol? nestedFunction)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                Note(_annotations.Get(invocation.TargetMethod));
                break;
            case IPropertyReferenceOperation property:
                Note(_annotations.Get(property.Property));
                break;
            case IFieldReferenceOperation field:
                Note(_annotations.Get(field.Field));
                break;
            case IObjectCreationOperation { Constructor: { } constructor }:
                Note(_annotations.Get(constructor));
                break;
            case ILocalReferenceOperation local when nestedFunction is not null && !SymbolEqualityComparer.Default.Equals(local.Local.ContainingSymbol, nestedFunction):
                (_captured ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default)).Add(local.Local);
                break;
            case IParameterReferenceOperation parameter when nestedFunction is not null && !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, nestedFunction):
                (_captured ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default)).Add(parameter.Parameter);
                break;
            case IAnonymousFunctionOperation lambda:
                HasNestedFunctions = true;
                Walk(lambda.Body, lambda.Symbol);
                return;
            case ILocalFunctionOperation localFunction:
                HasNestedFunctions = true;
                foreach (var child in localFunction.ChildOperations)
                {
                    Walk(child, localFunction.Symbol);
                }

                return;
        }

        foreach (var child in operation.ChildOperations)
        {
            Walk(child, nestedFunction);
        }
    }

    private void Note(MemberAnnotations annotations)
    {
        if (ReferenceEquals(annotations, MemberAnnotations.Empty))
        {
            return;
        }

        if (annotations.AffectsOwnership)
        {
            Needs |= AnalysisNeeds.Ownership;
        }

        if (annotations.AffectsLocks)
        {
            Needs |= AnalysisNeeds.Locks;
        }

        if (annotations.AffectsSlots)
        {
            Needs |= AnalysisNeeds.Slots;
        }
    }
}
