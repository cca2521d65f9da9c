using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>
/// Counts taken through a receiver: a void [AcquiresReference] instance method (SafeHandle.DangerousAddRef) returns
/// nothing to own, so the count it takes is owned through the variable it was called on, and the receiver's
/// [ReleasesReference] method (DangerousRelease) gives it back. The variable stays an ordinary object: using it after
/// the release is no TG0005, and Dispose does not balance the count.
/// </summary>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>A call of a void [AcquiresReference] instance method: it acquires a count on its receiver.</summary>
    private static bool IsReceiverAcquisition(IInvocationOperation invocation, MemberAnnotations annotations)
        => annotations.AcquiresReference && invocation.Instance is not null && invocation.TargetMethod is { IsStatic: false, ReturnsVoid: true };

    /// <summary>
    /// Registers the count of a receiver acquisition as a value of its receiver variable, and the <c>ref bool</c>
    /// variable the call reports success in. A receiver the flow cannot follow (a field, <c>this</c>, a captured
    /// variable) is left alone: whoever else sees it may release the count.
    /// </summary>
    private void ScanReceiverAcquisition(IInvocationOperation invocation)
    {
        if (_valueIds.ContainsKey(invocation) || _values.Count >= MaxValues
            || TrackableVariable(OperationHelpers.WithoutConversions(invocation.Instance!)) is not { } receiver)
        {
            return;
        }

        SlotOf(receiver);
        var value = _values.Count;
        _valueIds.Add(invocation, value);
        _values.Add(new ValueInfo(invocation, invocation.Syntax.GetLocation(), receiver.Name, nameFromVariable: true));
        _receiverValues |= 1UL << value;

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: RefKind.Ref or RefKind.Out, Type.SpecialType: SpecialType.System_Boolean }
                && TrackableVariable(OperationHelpers.WithoutConversions(argument.Value)) is { } flag)
            {
                _successFlags ??= new Dictionary<ISymbol, ulong>(SymbolEqualityComparer.Default);
                _successFlags[flag] = (_successFlags.TryGetValue(flag, out var values) ? values : 0) | (1UL << value);
            }
        }
    }

    /// <summary>
    /// The count a receiver acquisition takes, held by the receiver variable. A receiver that still owns a count (or
    /// another owned value) is given up: two counts on one variable are more than a release can tell apart.
    /// </summary>
    private ulong AcquireThroughReceiver(IInvocationOperation invocation, OwnershipState state)
    {
        if (!_valueIds.ContainsKey(invocation)
            || TrackableVariable(OperationHelpers.WithoutConversions(invocation.Instance!)) is not { } receiver
            || VariableSlot(receiver) is not (var slot and >= 0))
        {
            return 0;
        }

        var held = state.PointsTo[slot];
        if ((held & state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) != 0)
        {
            Escape(held, state);
            return 0;
        }

        state.PointsTo[slot] = Acquire(invocation, state);
        return 0;
    }

    /// <summary>
    /// <c>if (success)</c> after <c>h.DangerousAddRef(ref success)</c>: the call sets the flag exactly when it took the
    /// count, so on the branch where the flag is false there is nothing to release.
    /// </summary>
    private void RefineForSuccessFlag(IOperation condition, bool conditionValue, OwnershipState state)
    {
        var negated = false;
        condition = OperationHelpers.WithoutConversions(condition);
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            negated = !negated;
            condition = OperationHelpers.WithoutConversions(not.Operand);
        }

        if (conditionValue != negated || TrackableVariable(condition) is not { } flag || !_successFlags!.TryGetValue(flag, out var acquired))
        {
            return;
        }

        foreach (var value in BitMask.Bits(acquired))
        {
            if ((state.Flags[value] & (OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) != 0)
            {
                state.Flags[value] = (state.Flags[value] & ~(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) | OwnershipFlags.Unacquired;
            }
        }
    }
}
