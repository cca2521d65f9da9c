using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

internal sealed partial class OwnershipAnalysis
{
    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected override void VisitOperation(IOperation operation, OwnershipState state)
    {
        var result = Evaluate(operation, state);
        if (result != 0 && DiscardedAcquisition(operation) is { } acquisition)
        {
            var owned = result & state.Owned();
            if (owned != 0)
            {
                if (IsReporting)
                {
                    _sink.Add(Diagnostic.Create(Descriptors.TG0008_DiscardedAcquisition, acquisition.Syntax.GetLocation(), MemberName(acquisition)));
                }

                Escape(owned, state);
            }
        }

        // A value no variable holds any more is lost at the end of the statement that made it.
        LoseUnreferenced(state, operation.Syntax);
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected override void VisitBranchValue(BasicBlock block, IOperation branchValue, OwnershipState state)
    {
        _lastNullTested = 0;
        var semantics = block.FallThroughSuccessor?.Semantics;
        if (block.ConditionKind != ControlFlowConditionKind.None)
        {
            EvaluateCondition(branchValue, state, negated: false);
            return;
        }

        var values = Evaluate(branchValue, state);
        if (semantics == ControlFlowBranchSemantics.Return)
        {
            // Returned: the caller owns it now. Returning a released reference is a use after release.
            CheckUse(values, branchValue, state);
            if (_checkedMethod is not null && IsReporting)
            {
                CheckReturn(branchValue, values, state);
            }

            Escape(values, state);
        }
    }

    protected override void RefineForCondition(BasicBlock block, IOperation condition, bool conditionValue, OwnershipState state)
    {
        if (_successFlags is not null)
        {
            RefineForSuccessFlag(condition, conditionValue, state);
        }

        if (_lastNullTested == 0)
        {
            return;
        }

        // On the branch where the tested value is null there is nothing to release.
        var isNull = conditionValue != _lastNullTestIsNegated;
        if (isNull)
        {
            foreach (var value in BitMask.Bits(_lastNullTested))
            {
                if ((state.Flags[value] & OwnershipFlags.Owned) != 0)
                {
                    state.Flags[value] = (state.Flags[value] & ~OwnershipFlags.Owned) | OwnershipFlags.Null;
                }
            }
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void EvaluateCondition(IOperation condition, OwnershipState state, bool negated)
    {
        condition = OperationHelpers.WithoutConversions(condition);
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                EvaluateCondition(not.Operand, state, !negated);
                return;
            case IIsNullOperation isNull:
                SetNullTest(Evaluate(isNull.Operand, state), negated);
                return;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                when IsNullConstant(binary.RightOperand) || IsNullConstant(binary.LeftOperand):
                var tested = IsNullConstant(binary.RightOperand) ? binary.LeftOperand : binary.RightOperand;
                SetNullTest(Evaluate(tested, state), negated ^ (binary.OperatorKind == BinaryOperatorKind.NotEquals));
                return;
            case IIsPatternOperation pattern:
                var values = Evaluate(pattern.Value, state);
                BindPattern(pattern.Pattern, pattern.Value, values, state);
                if (MatchesOnlyNull(pattern.Pattern, out var matchesNull))
                {
                    SetNullTest(values, negated ^ !matchesNull);
                }

                return;
            default:
                Evaluate(condition, state);
                return;
        }
    }

    private void SetNullTest(ulong values, bool negated)
    {
        _lastNullTested = values;
        _lastNullTestIsNegated = negated;
    }

    /// <summary>
    /// For a pattern that decides nullness alone, whether it matches null (<c>is null</c>) or non-null
    /// (<c>is not null</c>, <c>is { }</c>, <c>is T t</c>). A type pattern fails for null, which is all that matters here.
    /// </summary>
    private static bool MatchesOnlyNull(IPatternOperation pattern, out bool matchesNull)
    {
        switch (pattern)
        {
            case IConstantPatternOperation constant when IsNullConstant(constant.Value):
                matchesNull = true;
                return true;
            case INegatedPatternOperation negated when MatchesOnlyNull(negated.Pattern, out var innerMatchesNull):
                // `is not null`, `is not { } t`: the opposite of what the inner pattern decides.
                matchesNull = !innerMatchesNull;
                return true;
            case IRecursivePatternOperation or IDeclarationPatternOperation or ITypePatternOperation:
                matchesNull = false;
                return true;
            default:
                matchesNull = false;
                return false;
        }
    }

    private void BindPattern(IPatternOperation pattern, IOperation tested, ulong values, OwnershipState state)
    {
        while (pattern is INegatedPatternOperation negated)
        {
            pattern = negated.Pattern;
        }

        var declared = pattern switch
        {
            IDeclarationPatternOperation declaration => declaration.DeclaredSymbol,
            IRecursivePatternOperation recursive => recursive.DeclaredSymbol,
            _ => null,
        };
        if (declared is not null && VariableSlot(declared) is var slot and >= 0)
        {
            state.PointsTo[slot] = values;
            SetSource(slot, tested, state);
            NameValues(values, declared.Name, null);
        }
    }

    private static bool IsNullConstant(IOperation operation)
    {
        operation = OperationHelpers.WithoutConversions(operation);
        return operation.ConstantValue.HasValue && operation.ConstantValue.Value is null;
    }

    /// <summary>Evaluates an operation for its effects, and returns the values it may evaluate to.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private ulong Evaluate(IOperation operation, OwnershipState state)
    {
        // By kind: the type tests of a pattern switch each walk the operation's interfaces, up to twenty of them a call.
        switch (operation.Kind)
        {
            case OperationKind.ExpressionStatement:
                return Evaluate(((IExpressionStatementOperation)operation).Operation, state);
            case OperationKind.Conversion:
                return Evaluate(((IConversionOperation)operation).Operand, state);
            case OperationKind.Parenthesized:
                return Evaluate(((IParenthesizedOperation)operation).Operand, state);
            case OperationKind.LocalReference:
                return VariableSlot(((ILocalReferenceOperation)operation).Local) is var localSlot and >= 0 ? state.PointsTo[localSlot] : 0;
            case OperationKind.ParameterReference:
                return VariableSlot(((IParameterReferenceOperation)operation).Parameter) is var parameterSlot and >= 0 ? state.PointsTo[parameterSlot] : 0;
            case OperationKind.FlowCaptureReference:
                return CaptureSlot(((IFlowCaptureReferenceOperation)operation).Id) is var referenceSlot and >= 0 ? state.PointsTo[referenceSlot] : 0;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                var captured = Evaluate(capture.Value, state);
                if (CaptureSlot(capture.Id) is var captureSlot and >= 0)
                {
                    state.PointsTo[captureSlot] = captured;
                    SetSource(captureSlot, capture.Value, state);
                }
                else
                {
                    Escape(captured, state);
                }

                return 0;
            case OperationKind.SimpleAssignment:
                return EvaluateAssignment((ISimpleAssignmentOperation)operation, state);
            case OperationKind.CoalesceAssignment:
            {
                var coalesce = (ICoalesceAssignmentOperation)operation;
                // `x ??= Get()`: a local may now hold the value (or still its old one); anything else stores it away.
                var target = coalesce.Target;
                var old = Evaluate(target, state);
                var assigned = Evaluate(coalesce.Value, state);
                if (TrackableVariable(target) is { } variable && VariableSlot(variable) is var slot and >= 0)
                {
                    state.PointsTo[slot] |= assigned;
                    AddSource(slot, coalesce.Value, state);
                    NameValues(assigned, variable.Name, null);
                }
                else
                {
                    Escape(assigned, state);
                }

                return old | assigned;
            }
            case OperationKind.Invocation:
                return EvaluateInvocation((IInvocationOperation)operation, state);
            case OperationKind.PropertyReference:
                var property = (IPropertyReferenceOperation)operation;
                var receiver = property.Instance is null ? 0 : Evaluate(property.Instance, state);
                foreach (var argument in property.Arguments)
                {
                    CheckUse(Evaluate(argument.Value, state), argument, state);
                }

                CheckUse(receiver, property, state);
                return _annotations.Get(property.Property).AcquiresReference ? Acquire(property, state) : 0;
            case OperationKind.FieldReference:
                var field = (IFieldReferenceOperation)operation;
                CheckUse(field.Instance is null ? 0 : Evaluate(field.Instance, state), field, state);
                return 0;
            case OperationKind.ObjectCreation:
                return EvaluateCreation((IObjectCreationOperation)operation, state);
            case OperationKind.IsNull:
                Evaluate(((IIsNullOperation)operation).Operand, state);
                return 0;
            case OperationKind.Binary when ((IBinaryOperation)operation).OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals:
                var binary = (IBinaryOperation)operation;
                // An identity compare or null test is a peek, not a use (CLIENTS.md: "is it the current task?").
                Evaluate(binary.LeftOperand, state);
                Evaluate(binary.RightOperand, state);
                return 0;
            case OperationKind.IsPattern:
                var pattern = (IIsPatternOperation)operation;
                var tested = Evaluate(pattern.Value, state);
                BindPattern(pattern.Pattern, pattern.Value, tested, state);
                if (!MatchesOnlyNull(pattern.Pattern, out _))
                {
                    CheckUse(tested, pattern, state);
                }

                return 0;
            case OperationKind.FlowAnonymousFunction:
                return 0;
            case OperationKind.Return or OperationKind.YieldReturn or OperationKind.YieldBreak when ((IReturnOperation)operation).ReturnedValue is { } returnedValue:
                // yield return: the consumer of the iterator owns what it yields.
                Escape(Evaluate(returnedValue, state), state);
                return 0;
            case OperationKind.ArrayCreation or OperationKind.ArrayInitializer or OperationKind.Tuple or OperationKind.AnonymousObjectCreation
                or OperationKind.CollectionExpression or OperationKind.ObjectOrCollectionInitializer or OperationKind.DelegateCreation
                or OperationKind.InterpolatedStringHandlerCreation or OperationKind.With:
                // Stored into something the analysis cannot follow: silence over noise.
                foreach (var child in operation.ChildOperations)
                {
                    Escape(Evaluate(child, state), state);
                }

                return 0;
            case OperationKind.Await:
                var awaited = (IAwaitOperation)operation;
                CheckUse(Evaluate(awaited.Operation, state), awaited, state);
                if (IsReporting)
                {
                    NoteThrowPoint(awaited, 0, state);
                }

                return 0;
            default:
                foreach (var child in operation.ChildOperations)
                {
                    CheckUse(Evaluate(child, state), child, state);
                }

                return 0;
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private ulong EvaluateAssignment(ISimpleAssignmentOperation assignment, OwnershipState state)
    {
        switch (assignment.Target)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation when TrackableVariable(assignment.Target) is { } variable && VariableSlot(variable) is var slot and >= 0:
            {
                var previous = state.PointsTo[slot];
                var ownedBefore = previous & state.Owned();
                _acquired = 0;
                _movedToOlder = 0;
                var values = Evaluate(assignment.Value, state);

                // The same acquisition site run again (a loop) makes a new reference under the same value: the
                // one the variable held before is lost unless another variable still holds it. With an older twin,
                // the variable held the twin by the time the site ran, and the twin is what is lost.
                var moved = _movedToOlder;
                previous = WithMovedToOlder(previous, moved);
                state.PointsTo[slot] = 0;
                var reacquired = ownedBefore & _acquired & ~moved & ~state.Referenced();
                state.PointsTo[slot] = values;
                SetSource(slot, assignment.Value, state);
                NameValues(values, variable.Name, assignment.Syntax as VariableDeclaratorSyntax);
                var unreferenced = previous & ~values & ~state.Referenced();
                var lost = unreferenced & state.Owned();
                if (lost != 0)
                {
                    LoseValues(lost, state, Reassignment(assignment));
                }

                if (reacquired != 0)
                {
                    // The new reference stays owned; only the old one is reported.
                    NoteLeaks(reacquired, state, Reassignment(assignment));
                }

                // What no variable holds any more is forgotten (see Forget), but for what a catch handler still owns:
                // that is lost at the handler's next branch, which reports it.
                if (_hasLoops)
                {
                    Forget(unreferenced & ~state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned), state);
                }

                return values;
            }

            case IDiscardOperation:
                return Evaluate(assignment.Value, state);

            case ILocalReferenceOperation or IParameterReferenceOperation:
            {
                // A captured or ref variable: whoever else sees it may release it.
                var values = Evaluate(assignment.Value, state);
                Escape(values, state);
                return values;
            }

            default:
            {
                // A field, property, array element or ref: stored where this method's flow cannot follow it.
                foreach (var child in assignment.Target.ChildOperations)
                {
                    CheckUse(Evaluate(child, state), child, state);
                }

                var values = Evaluate(assignment.Value, state);
                CheckUse(values, assignment, state);
                Escape(values, state);
                return values;
            }
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private ulong EvaluateInvocation(IInvocationOperation invocation, OwnershipState state)
    {
        var receiver = invocation.Instance is null ? 0 : Evaluate(invocation.Instance, state);
        var arguments = invocation.Arguments;
        var argumentValues = arguments.Length == 0 ? System.Array.Empty<ulong>() : new ulong[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            argumentValues[i] = Evaluate(arguments[i].Value, state);
        }

        var method = invocation.TargetMethod;
        var annotations = AnnotationsOf(invocation);

        // Dispose ends the object's own ownership; it does not balance a count taken through the receiver
        // (SafeHandle.Dispose is no DangerousRelease).
        var releasedReceiver = annotations.ReleasesThis ? receiver
            : method.Name == "Dispose" && method.Parameters.Length == 0 ? receiver & ~_receiverValues
            : 0;
        var storesIntoCollection = invocation.Instance is not null && !annotations.AffectsOwnership && IsStoringCall(method) && IsCollection(invocation.Instance.Type);

        // What the call releases or takes over is not leaked if the call itself throws.
        var consumed = releasedReceiver;
        for (var i = 0; i < arguments.Length; i++)
        {
            var parameterAnnotation = arguments[i].Parameter is { } parameter ? annotations.GetParameter(parameter.Ordinal) : ParameterAnnotation.None;
            if ((parameterAnnotation & (ParameterAnnotation.ReleasesReference | ParameterAnnotation.TransfersOwnership)) != 0 || storesIntoCollection)
            {
                consumed |= argumentValues[i];
            }
        }

        // A fluent call on a temporary hands it straight on (`Get().WithName(…)`): the chain, not the caller of the
        // call, decides what becomes of it, so an exception from the call is not this temporary's leak to report.
        var aliased = annotations.AffectsOwnership || storesIntoCollection ? 0 : Aliased(invocation, receiver, argumentValues);
        consumed |= aliased & ~ReferencedByVariables(state);

        // Nullable<T>'s members (the lowering of `?? false`, GetValueOrDefault) cannot throw.
        if (IsReporting && method.ContainingType?.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
        {
            NoteThrowPoint(invocation, consumed, state);
        }

        if (releasedReceiver != 0)
        {
            Release(releasedReceiver, invocation, state);
        }

        CheckUse(receiver & ~releasedReceiver, invocation, state);

        for (var i = 0; i < arguments.Length; i++)
        {
            var values = argumentValues[i];
            if (values == 0)
            {
                continue;
            }

            var parameterAnnotation = arguments[i].Parameter is { } parameter ? annotations.GetParameter(parameter.Ordinal) : ParameterAnnotation.None;
            if ((parameterAnnotation & ParameterAnnotation.ReleasesReference) != 0)
            {
                Release(values, arguments[i], state);
            }
            else if ((parameterAnnotation & ParameterAnnotation.TransfersOwnership) != 0 || storesIntoCollection)
            {
                CheckUse(values, arguments[i], state);
                Escape(values, state);
            }
            else if (arguments[i].Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                // The callee may replace or release it: the analysis cannot follow.
                Escape(values, state);
            }
            else if (StoresThroughRef(invocation, i))
            {
                // Interlocked.Exchange(ref _slot, r), Volatile.Write(ref _slot, r): stored where the flow cannot follow.
                CheckUse(values, arguments[i], state);
                Escape(values, state);
            }
            else
            {
                CheckUse(values, arguments[i], state);
            }
        }

        if (annotations.AcquiresReference)
        {
            return IsReceiverAcquisition(invocation, annotations) ? AcquireThroughReceiver(invocation, state) : Acquire(invocation, state);
        }

        return aliased;
    }

    /// <summary>
    /// Whether argument <paramref name="index"/> goes to a call that also takes a <c>ref</c> to a location of a type
    /// the argument fits: the shape of Interlocked.Exchange, CompareExchange and Volatile.Write, which store the value.
    /// </summary>
    private static bool StoresThroughRef(IInvocationOperation invocation, int index)
    {
        var argumentType = OperationHelpers.WithoutConversions(invocation.Arguments[index].Value).Type;
        if (argumentType is null)
        {
            return false;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: RefKind.Ref } parameter && Fits(argumentType, parameter.Type)
                && OperationHelpers.WithoutConversions(argument.Value) is not (ILocalReferenceOperation or IParameterReferenceOperation))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The values some local or parameter holds (flow captures, which hold temporaries, left out).</summary>
    private ulong ReferencedByVariables(OwnershipState state)
    {
        ulong referenced = 0;
        for (var i = 0; i < _variableSlots.Count; i++)
        {
            referenced |= state.PointsTo[i];
        }

        return referenced;
    }

    /// <summary>
    /// What an unannotated call may hand back of what it was given: a fluent call (<c>r.WithName(…)</c>, an
    /// extension returning its receiver) returns the same reference, so the result keeps the owned values whose
    /// type fits the return type; ownership follows the result (returned, stored) instead of being reported lost.
    /// </summary>
    private static ulong Aliased(IInvocationOperation invocation, ulong receiver, ulong[] argumentValues)
    {
        var returnType = invocation.TargetMethod.ReturnType;
        if (!returnType.IsReferenceType || returnType.SpecialType == SpecialType.System_Object)
        {
            return 0;
        }

        ulong aliased = 0;
        if (receiver != 0 && invocation.Instance is { } instance && Fits(OperationHelpers.WithoutConversions(instance).Type, returnType))
        {
            aliased |= receiver;
        }

        for (var i = 0; i < argumentValues.Length; i++)
        {
            if (argumentValues[i] != 0 && Fits(OperationHelpers.WithoutConversions(invocation.Arguments[i].Value).Type, returnType))
            {
                aliased |= argumentValues[i];
            }
        }

        return aliased;
    }

    private static bool Fits(ITypeSymbol? type, ITypeSymbol target)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, target))
            {
                return true;
            }
        }

        if (type is not null && target.TypeKind == TypeKind.Interface)
        {
            foreach (var implemented in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(implemented, target))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private ulong EvaluateCreation(IObjectCreationOperation creation, OwnershipState state)
    {
        ulong consumed = 0;
        foreach (var argument in creation.Arguments)
        {
            // A constructor that is handed a reference usually keeps it (the CA2000 convention): it owns it now.
            var values = Evaluate(argument.Value, state);
            CheckUse(values, argument, state);
            consumed |= values;
        }

        // The compiler's own `throw new SwitchExpressionException()` after an exhaustive switch expression is no
        // path users can take.
        if (IsReporting && !creation.IsImplicit)
        {
            NoteThrowPoint(creation, consumed, state);
        }

        Escape(consumed, state);

        if (creation.Initializer is { } initializer)
        {
            Evaluate(initializer, state);
        }

        return creation.Constructor is { } constructor && _annotations.Get(constructor).AcquiresReference ? Acquire(creation, state) : 0;
    }

    /// <summary>The annotations of the called member; for an interface method, those of the receiver's implementation.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private MemberAnnotations AnnotationsOf(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var annotations = _annotations.Get(method);
        if (annotations.IsEmpty && method.ContainingType?.TypeKind == TypeKind.Interface && invocation.Instance is { } instance
            && OperationHelpers.WithoutConversions(instance).Type is { } receiverType && receiverType.FindImplementationForInterfaceMember(method) is { } implementation)
        {
            annotations = _annotations.Get(implementation);
        }

        return annotations;
    }

    /// <summary>
    /// A collection method that keeps its argument (Add, Insert, Push, Enqueue, TryAdd, GetOrAdd, …). Lookups such as
    /// Contains or IndexOf only borrow it: treating them as stores would silence a real leak.
    /// </summary>
    private static bool IsStoringCall(IMethodSymbol method)
    {
        var name = method.Name;
        return name.StartsWith("Add", System.StringComparison.Ordinal)
            || name.StartsWith("Insert", System.StringComparison.Ordinal)
            || name.StartsWith("Push", System.StringComparison.Ordinal)
            || name.StartsWith("Enqueue", System.StringComparison.Ordinal)
            || name.StartsWith("TryAdd", System.StringComparison.Ordinal)
            || name.StartsWith("TryUpdate", System.StringComparison.Ordinal)
            || name is "GetOrAdd" or "Append" or "Prepend" or "Set" or "TrySet" or "Write" or "TryWrite" or "Post" or "SendAsync";
    }

    private static bool IsCollection(ITypeSymbol? type)
    {
        if (type is null || type.SpecialType == SpecialType.System_String)
        {
            return false;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (implemented.SpecialType == SpecialType.System_Collections_IEnumerable)
            {
                return true;
            }
        }

        return false;
    }

    private ulong Acquire(IOperation acquisition, OwnershipState state)
    {
        if (!_valueIds.TryGetValue(acquisition, out var value))
        {
            return 0;
        }

        MoveEarlierReference(value, state);
        state.Flags[value] = OwnershipFlags.Owned;
        state.ReleaseNode[value] = null;
        _acquired |= 1UL << value;
        return 1UL << value;
    }

    /// <summary>The line of the release a message names (made only for the message).</summary>
    private static int ReleaseLineOf(OwnershipState state, int value)
        => state.ReleaseNode[value] is { } node ? ExitDescriber.LineOf(node) : 0;

    private static ExitDescription Reassignment(ISimpleAssignmentOperation assignment)
        => new(OwnershipAnalyzerCommon.ExitReassignment, ExitDescriber.LineOf(assignment.Syntax), assignment.Syntax);

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void Release(ulong values, IOperation release, OwnershipState state)
    {
        foreach (var value in BitMask.Bits(values))
        {
            var flags = state.Flags[value];
            if ((flags & OwnershipFlags.Released) != 0 && IsReporting)
            {
                var properties = (flags & (OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) != 0
                    ? ImmutableDictionary<string, string?>.Empty.Add(OwnershipAnalyzerCommon.MayBeOwned, OwnershipAnalyzerCommon.True)
                    : ImmutableDictionary<string, string?>.Empty;
                _sink.Add(Diagnostic.Create(Descriptors.TG0004_DoublePut, release.Syntax.GetLocation(), ReleaseLocations(state, value), properties, _values[value].Name, ReleaseLineOf(state, value)));
            }

            if ((flags & (OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned | OwnershipFlags.Released)) != 0)
            {
                state.Flags[value] = (flags & ~(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) | OwnershipFlags.Released;
                state.ReleaseNode[value] = release.Syntax;
            }
        }
    }

    private void CheckUse(ulong values, IOperation use, OwnershipState state)
    {
        // A receiver whose count was released is still a valid object (a SafeHandle after DangerousRelease).
        values &= ~_receiverValues;
        if (values == 0 || !IsReporting)
        {
            return;
        }

        foreach (var value in BitMask.Bits(values))
        {
            if ((state.Flags[value] & OwnershipFlags.Released) != 0)
            {
                _sink.Add(Diagnostic.Create(Descriptors.TG0005_UseAfterPut, use.Syntax.GetLocation(), ReleaseLocations(state, value), _values[value].Name, ReleaseLineOf(state, value)));
                return;
            }
        }
    }

    /// <summary>The earlier release, for the fixers (AdditionalLocations[0] of TG0004 and TG0005).</summary>
    private static Location[] ReleaseLocations(OwnershipState state, int value)
        => state.ReleaseNode[value] is { } node ? new[] { node.GetLocation() } : System.Array.Empty<Location>();

    /// <summary>
    /// Values nothing holds any more, and that are not still to be reported as lost: whatever became of them
    /// (released, moved, or lost and just reported), no later use or release can reach them. Remembered as released,
    /// one would join, at a loop's head, with the value its variable holds by then, and make that value's uses look
    /// like uses after a release (<c>r.Put(); r = null;</c> or <c>r.Put(); r = Get();</c> at the end of a loop body).
    /// </summary>
    private static void Forget(ulong values, OwnershipState state)
    {
        foreach (var value in BitMask.Bits(values))
        {
            state.Flags[value] = OwnershipFlags.Unacquired;
            state.ReleaseNode[value] = null;
        }
    }

    private static void Escape(ulong values, OwnershipState state)
    {
        foreach (var value in BitMask.Bits(values))
        {
            var flags = state.Flags[value];
            if ((flags & (OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) != 0)
            {
                state.Flags[value] = (flags & ~(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) | OwnershipFlags.Escaped;
            }
        }
    }

    private void NameValues(ulong values, string name, VariableDeclaratorSyntax? declarator)
    {
        foreach (var value in BitMask.Bits(values))
        {
            var info = _values[value];
            if (!info.NameFromVariable)
            {
                info.Name = name;
                info.NameFromVariable = true;
                if (declarator is not null)
                {
                    info.Location = declarator.GetLocation();
                }
            }
        }
    }

    private IOperation? DiscardedAcquisition(IOperation operation)
    {
        if (operation is not IExpressionStatementOperation statement)
        {
            return null;
        }

        var discarded = OperationHelpers.WithoutConversions(statement.Operation);
        if (discarded is ISimpleAssignmentOperation { Target: IDiscardOperation } discard)
        {
            discarded = OperationHelpers.WithoutConversions(discard.Value);
        }

        return IsAcquisition(discarded) ? discarded : null;
    }

    private static string MemberName(IOperation operation) => operation switch
    {
        IInvocationOperation invocation => invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name,
        IPropertyReferenceOperation property => property.Property.ContainingType.Name + "." + property.Property.Name,
        IObjectCreationOperation creation => "new " + creation.Type?.Name,
        _ => operation.Syntax.ToString(),
    };


}
