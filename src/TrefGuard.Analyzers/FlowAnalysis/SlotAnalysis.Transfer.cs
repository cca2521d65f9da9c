using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

internal sealed partial class SlotAnalysis
{
    protected override void VisitOperation(IOperation operation, SlotState state) => Walk(operation, state);

    protected override void RefineForCondition(BasicBlock block, IOperation condition, bool conditionValue, SlotState state)
    {
        if (!TryGetNullTest(condition, negated: false, out var variable, out var nullWhenTrue))
        {
            return;
        }

        if (conditionValue == nullWhenTrue)
        {
            // A local this method definitely initialized cannot be null: the branch is dead, and refining it would
            // only join a false "uninitialized" into the live paths. A field or ref parameter is initialized by
            // assumption (construction, the caller), which a null test may prove wrong (something finalized it).
            if (state.IsMustInitialized(variable) && _variableSymbols[variable] is ILocalSymbol)
            {
                return;
            }

            // Null: an initialized slot never is, so it holds nothing to leak and must be initialized again before use.
            var wasSlot = state.IsMustInitialized(variable) || state.IsMayInitialized(variable) || state.IsMayCleared(variable);
            state.SetAll(variable, must: false, may: false, cleared: wasSlot);
        }
        else
        {
            // Non-null: it holds a reference, so it was initialized (and an assignment would leak that reference).
            state.SetInitialized(variable);
        }
    }

    private bool TryGetNullTest(IOperation condition, bool negated, out int variable, out bool nullWhenTrue)
    {
        variable = -1;
        nullWhenTrue = false;
        switch (condition)
        {
            case IConversionOperation or IParenthesizedOperation:
                return TryGetNullTest(Resolve(condition), negated, out variable, out nullWhenTrue);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return TryGetNullTest(not.Operand, !negated, out variable, out nullWhenTrue);
            case IIsNullOperation isNull:
                variable = VariableOf(isNull.Operand);
                nullWhenTrue = !negated;
                return variable >= 0;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                when IsNullConstant(binary.RightOperand) || IsNullConstant(binary.LeftOperand):
                variable = VariableOf(IsNullConstant(binary.RightOperand) ? binary.LeftOperand : binary.RightOperand);
                nullWhenTrue = (binary.OperatorKind == BinaryOperatorKind.Equals) != negated;
                return variable >= 0;
            case IIsPatternOperation pattern:
                variable = VariableOf(pattern.Value);
                switch (pattern.Pattern)
                {
                    case IConstantPatternOperation constant when IsNullConstant(constant.Value):
                        nullWhenTrue = !negated;
                        return variable >= 0;
                    case INegatedPatternOperation { Pattern: IConstantPatternOperation constant } when IsNullConstant(constant.Value):
                        nullWhenTrue = negated;
                        return variable >= 0;
                    case IRecursivePatternOperation { DeconstructionSubpatterns.IsEmpty: true, PropertySubpatterns.IsEmpty: true } recursive
                        when recursive.MatchedType is null || SameType(recursive.MatchedType, pattern.Value.Type):
                    case IDeclarationPatternOperation declaration
                        when declaration.MatchesNull is false && (declaration.MatchedType is null || SameType(declaration.MatchedType, pattern.Value.Type)):
                    case ITypePatternOperation type when SameType(type.MatchedType, pattern.Value.Type):
                        // `is { }`, `is TaskRef r`: of the slot's own type, they fail for null only.
                        nullWhenTrue = negated;
                        return variable >= 0;
                    default:
                        return false;
                }

            default:
                return false;
        }
    }

    private static bool SameType(ITypeSymbol? a, ITypeSymbol? b)
        => a is not null && b is not null && SymbolEqualityComparer.Default.Equals(a.WithNullableAnnotation(NullableAnnotation.NotAnnotated), b.WithNullableAnnotation(NullableAnnotation.NotAnnotated));

    private static bool IsNullConstant(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation.ConstantValue.HasValue && operation.ConstantValue.Value is null;
    }

    /// <summary>Evaluates an operation in evaluation order: operands first, then the operation's own effect.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Walk(IOperation operation, SlotState state)
    {
        switch (operation)
        {
            case IFlowAnonymousFunctionOperation:
                // Runs later, on its own terms (analysed as its own graph).
                return;
            case IInvocationOperation invocation:
                if (invocation.Instance is { } instance)
                {
                    Walk(instance, state);
                }

                foreach (var argument in invocation.Arguments)
                {
                    Walk(argument.Value, state);
                }

                ApplyCall(invocation.TargetMethod, invocation.Arguments, invocation, state);
                ApplyConstructionEffects(invocation, state);
                return;
            case IObjectCreationOperation creation:
                foreach (var argument in creation.Arguments)
                {
                    Walk(argument.Value, state);
                }

                if (creation.Constructor is { } constructor)
                {
                    ApplyCall(constructor, creation.Arguments, creation, state);
                }

                if (creation.Initializer is { } initializer)
                {
                    Walk(initializer, state);
                }

                return;
            case ISimpleAssignmentOperation assignment:
                Walk(assignment.Value, state);
                foreach (var child in assignment.Target.ChildOperations)
                {
                    Walk(child, state);
                }

                ApplyAssignment(assignment, state);
                return;
            default:
                foreach (var child in operation.ChildOperations)
                {
                    Walk(child, state);
                }

                return;
        }
    }

    private void ApplyCall(IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments, IOperation call, SlotState state)
    {
        MemberAnnotations? annotations = null;
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { RefKind: RefKind.Ref or RefKind.Out } parameter)
            {
                continue;
            }

            var variable = VariableOf(argument.Value);
            if (variable < 0)
            {
                continue;
            }

            annotations ??= _annotations.Get(method);
            var flags = parameter.RefKind == RefKind.Ref ? annotations.GetParameter(parameter.Ordinal) : ParameterAnnotation.None;
            if ((flags & (ParameterAnnotation.RequiresInitializedSlot | ParameterAnnotation.FinalizesSlot)) != 0)
            {
                if (!state.IsMustInitialized(variable) && IsReporting)
                {
                    ReportUninitialized(variable, method, argument, call, state);
                }

                if ((flags & ParameterAnnotation.FinalizesSlot) != 0)
                {
                    state.SetCleared(variable);
                }
                else
                {
                    // Had it not been initialized the call would have thrown: report the mistake once.
                    state.SetInitialized(variable);
                }
            }
            else if ((flags & ParameterAnnotation.InitializesSlot) != 0)
            {
                state.SetInitialized(variable);
            }
            else
            {
                // An unannotated method may initialize, finalize or replace it: stop following it.
                state.SetUnknown(variable);
            }
        }
    }

    /// <summary>
    /// What a call does to the type's slot fields besides its arguments: a chained <c>this(…)</c> leaves them as
    /// that constructor does; a helper of the type that initializes a slot field (an <c>InitSlots()</c> called from
    /// a constructor, a <c>Reopen()</c>) counts as initializing it.
    /// </summary>
    private void ApplyConstructionEffects(IInvocationOperation invocation, SlotState state)
    {
        var method = invocation.TargetMethod;
        if (!SymbolEqualityComparer.Default.Equals(method.ContainingType?.OriginalDefinition, _context.Type))
        {
            return;
        }

        var onThis = method.IsStatic || IsThis(invocation.Instance);
        if (!onThis)
        {
            return;
        }

        if (method.MethodKind == MethodKind.Constructor)
        {
            if (_kind == SlotGraphKind.InstanceConstructor && _context.GetConstructorExit(method.OriginalDefinition) is { } chained)
            {
                for (var i = 0; i < _context.Fields.Length; i++)
                {
                    if (!_context.Fields[i].IsStatic)
                    {
                        state.SetAll(i, chained.IsMustInitialized(i), chained.IsMayInitialized(i), chained.IsMayCleared(i));
                    }
                }
            }

            return;
        }

        foreach (var field in _context.GetFieldsInitializedBy(method.OriginalDefinition))
        {
            if (!state.IsMustInitialized(field) || state.IsMayCleared(field))
            {
                state.SetInitialized(field);
            }
        }
    }

    private void ApplyAssignment(ISimpleAssignmentOperation assignment, SlotState state)
    {
        if (assignment.IsRef)
        {
            return;
        }

        var variable = VariableOf(assignment.Target);
        if (variable < 0)
        {
            return;
        }

        if (Resolve(assignment.Target) is ILocalReferenceOperation { IsDeclaration: true })
        {
            // A declaration (run again by a loop) makes a fresh variable: there is nothing in it yet.
            state.SetUninitialized(variable);
            return;
        }

        if (state.IsMayInitialized(variable) && IsReporting && !assignment.IsImplicit)
        {
            _sink.Add(Diagnostic.Create(
                Descriptors.TG0007_SlotOverwritten,
                assignment.Syntax.GetLocation(),
                Properties(variable, api: null),
                _variableSymbols[variable].Name));
        }
    }

    private void ReportUninitialized(int variable, IMethodSymbol method, IArgumentOperation argument, IOperation call, SlotState state)
    {
        var properties = Properties(variable, method.ContainingType).ToBuilder();
        properties[SlotAnalyzerCommon.SlotArgument] = ArgumentIndex(argument).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var symbol = _variableSymbols[variable];
        if (state.IsMayCleared(variable))
        {
            properties[SlotAnalyzerCommon.Fix] = SlotAnalyzerCommon.FixBeforeStatement;
        }
        else if (symbol is IFieldSymbol field)
        {
            properties[SlotAnalyzerCommon.Fix] = SlotAnalyzerCommon.FixConstructors;
            var inItsConstructor = field.IsStatic ? _kind == SlotGraphKind.StaticConstructor : _kind == SlotGraphKind.InstanceConstructor;
            properties[SlotAnalyzerCommon.Constructors] = inItsConstructor
                ? _context.DescribeConstructorToFix((IMethodSymbol)_owner)
                : _context.DescribeConstructorsLacking(variable);
        }
        else
        {
            properties[SlotAnalyzerCommon.Fix] = symbol is ILocalSymbol ? SlotAnalyzerCommon.FixAfterDeclaration : SlotAnalyzerCommon.FixBeforeStatement;
        }

        _sink.Add(Diagnostic.Create(
            Descriptors.TG0003_UninitializedSlot,
            call.Syntax.GetLocation(),
            properties.ToImmutable(),
            symbol.Name,
            method.Name));
    }
}
