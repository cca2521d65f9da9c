using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

internal sealed partial class LockAnalysis
{
    private ulong[]? _heldBeforeCondition;
    private ulong[]? _unknownBeforeCondition;

    protected override void VisitOperation(IOperation operation, LockState state) => Evaluate(operation, state);

    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected override void VisitBranchValue(BasicBlock block, IOperation branchValue, LockState state)
    {
        if (block.ConditionKind != ControlFlowConditionKind.None && ConditionalAcquisition(branchValue, out _) is { } invocation)
        {
            // Remembered per block: a finally region run while following the first branch visits other blocks.
            _heldBeforeCondition ??= new ulong[Graph.Blocks.Length];
            _unknownBeforeCondition ??= new ulong[Graph.Blocks.Length];
            _heldBeforeCondition[block.Ordinal] = state.Held;
            _unknownBeforeCondition[block.Ordinal] = state.Unknown;
            EvaluateInvocation(invocation, state, conditionalAcquisition: true);
            return;
        }

        Evaluate(branchValue, state);
    }

    protected override void RefineForCondition(BasicBlock block, IOperation condition, bool conditionValue, LockState state)
    {
        if (ConditionalAcquisition(condition, out var negated) is not { } invocation || _heldBeforeCondition is null || _unknownBeforeCondition is null)
        {
            return;
        }

        if (conditionValue == negated)
        {
            // TryEnter returned false: the lock was not taken by it.
            var acquired = AnnotationsOf(invocation).AcquiresLocks;
            state.Held = (state.Held & ~acquired) | (_heldBeforeCondition[block.Ordinal] & acquired);
            state.Unknown = (state.Unknown & ~acquired) | (_unknownBeforeCondition[block.Ordinal] & acquired);
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected override void OnBranch(BasicBlock source, ControlFlowBranch branch, LockState state)
    {
        foreach (var region in branch.LeavingRegions)
        {
            foreach (var local in region.Locals)
            {
                if (VariableSlot(local) is var slot and >= 0)
                {
                    state.Clear(slot);
                }
            }

            foreach (var capture in region.CaptureIds)
            {
                if (CaptureSlot(capture) is var slot and >= 0)
                {
                    state.Clear(slot);
                }
            }
        }
    }

    /// <summary>A condition that is a bool-returning [AcquiresLock] call (<c>TryEnterReadLock</c>), possibly negated.</summary>
    private IInvocationOperation? ConditionalAcquisition(IOperation condition, out bool negated)
    {
        negated = false;
        condition = OperationHelpers.WithoutConversions(condition);
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            negated = !negated;
            condition = OperationHelpers.WithoutConversions(not.Operand);
        }

        return condition is IInvocationOperation invocation
            && invocation.TargetMethod.ReturnType.SpecialType == SpecialType.System_Boolean
            && AnnotationsOf(invocation).AcquiresLocks != 0
            ? invocation
            : null;
    }

    /// <summary>Applies an operation's effects and returns what is known of the value it produces.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private LockFacts Evaluate(IOperation operation, LockState state)
    {
        // By kind: the type tests of a pattern switch each walk the operation's interfaces, up to twenty of them a call.
        switch (operation.Kind)
        {
            case OperationKind.ExpressionStatement:
                Evaluate(((IExpressionStatementOperation)operation).Operation, state);
                return LockFacts.None;
            case OperationKind.Conversion:
                return Evaluate(((IConversionOperation)operation).Operand, state);
            case OperationKind.Parenthesized:
                return Evaluate(((IParenthesizedOperation)operation).Operand, state);
            case OperationKind.LocalReference:
                return VariableSlot(((ILocalReferenceOperation)operation).Local) is var localSlot and >= 0 ? state.Read(localSlot) : LockFacts.None;
            case OperationKind.ParameterReference:
                return VariableSlot(((IParameterReferenceOperation)operation).Parameter) is var parameterSlot and >= 0 ? state.Read(parameterSlot) : LockFacts.None;
            case OperationKind.FlowCaptureReference:
                return CaptureSlot(((IFlowCaptureReferenceOperation)operation).Id) is var referenceSlot and >= 0 ? state.Read(referenceSlot) : LockFacts.None;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                var captured = Evaluate(capture.Value, state);
                if (CaptureSlot(capture.Id) is var captureSlot and >= 0)
                {
                    state.Assign(captureSlot, captured);
                }

                return LockFacts.None;
            case OperationKind.SimpleAssignment:
                return EvaluateAssignment((ISimpleAssignmentOperation)operation, state);
            case OperationKind.Invocation:
                return EvaluateInvocation((IInvocationOperation)operation, state, conditionalAcquisition: false);
            case OperationKind.PropertyReference:
                var property = (IPropertyReferenceOperation)operation;
                return EvaluateMember(property, property.Property, property.Instance, property.Arguments, state);
            case OperationKind.FieldReference:
                var field = (IFieldReferenceOperation)operation;
                return EvaluateMember(field, field.Field, field.Instance, ImmutableArray<IArgumentOperation>.Empty, state);
            case OperationKind.ObjectCreation:
                EvaluateCreation((IObjectCreationOperation)operation, state);
                return LockFacts.None;

            // Null tests and identity compares only peek at a value (CLIENTS.md: "is the task gone?", "is it the
            // current task?"): they never dereference it, so a stale value may be peeked at.
            case OperationKind.IsNull:
                Evaluate(((IIsNullOperation)operation).Operand, state);
                return LockFacts.None;
            case OperationKind.Binary when ((IBinaryOperation)operation).OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals:
                var binary = (IBinaryOperation)operation;
                Evaluate(binary.LeftOperand, state);
                Evaluate(binary.RightOperand, state);
                return LockFacts.None;
            case OperationKind.IsType:
                Evaluate(((IIsTypeOperation)operation).ValueOperand, state);
                return LockFacts.None;
            case OperationKind.IsPattern:
                EvaluatePattern((IIsPatternOperation)operation, state);
                return LockFacts.None;

            case OperationKind.FlowAnonymousFunction or OperationKind.NameOf:
                return LockFacts.None;
            case OperationKind.Return or OperationKind.YieldReturn or OperationKind.YieldBreak or OperationKind.ArrayCreation or OperationKind.ArrayInitializer
                or OperationKind.Tuple or OperationKind.AnonymousObjectCreation or OperationKind.CollectionExpression or OperationKind.ObjectOrCollectionInitializer
                or OperationKind.DelegateCreation:
                // Stored or handed on, not dereferenced here: what happens to it later the analysis cannot follow.
                foreach (var child in operation.ChildOperations)
                {
                    Evaluate(child, state);
                }

                return LockFacts.None;
            default:
                foreach (var child in operation.ChildOperations)
                {
                    CheckUse(Evaluate(child, state), child, state);
                }

                return LockFacts.None;
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private LockFacts EvaluateAssignment(ISimpleAssignmentOperation assignment, LockState state)
    {
        switch (assignment.Target)
        {
            case ILocalReferenceOperation local when VariableSlot(local.Local) is var localSlot and >= 0:
            {
                var facts = Evaluate(assignment.Value, state);
                state.Assign(localSlot, facts);
                return facts;
            }

            case IParameterReferenceOperation parameter when VariableSlot(parameter.Parameter) is var parameterSlot and >= 0:
            {
                var facts = Evaluate(assignment.Value, state);
                state.Assign(parameterSlot, facts);
                return facts;
            }

            case IPropertyReferenceOperation property:
                // A write to a guarded member needs the lock as much as a read does.
                EvaluateMember(property, property.Property, property.Instance, property.Arguments, state);
                return Evaluate(assignment.Value, state);
            case IFieldReferenceOperation field:
                EvaluateMember(field, field.Field, field.Instance, ImmutableArray<IArgumentOperation>.Empty, state);
                return Evaluate(assignment.Value, state);
            case ILocalReferenceOperation or IParameterReferenceOperation or IDiscardOperation:
                return Evaluate(assignment.Value, state);
            default:
                foreach (var child in assignment.Target.ChildOperations)
                {
                    CheckUse(Evaluate(child, state), child, state);
                }

                return Evaluate(assignment.Value, state);
        }
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private LockFacts EvaluateMember(IOperation operation, ISymbol member, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, LockState state)
    {
        if (instance is not null)
        {
            CheckUse(Evaluate(instance, state), instance, state);
        }

        foreach (var argument in arguments)
        {
            CheckUse(Evaluate(argument.Value, state), argument.Value, state);
        }

        var annotations = _annotations.Get(member);
        var needed = annotations.GuardedBy | annotations.RequiresLocks;
        if (needed != 0 && !IsOwnConstruction(operation, member, instance))
        {
            CheckHeld(needed, operation, member, state);
        }

        if (annotations.ExcludesLocks != 0)
        {
            CheckExcluded(annotations.ExcludesLocks, operation, member, state);
        }

        var type = member switch
        {
            IPropertySymbol property => property.Type,
            IFieldSymbol field => field.Type,
            _ => null,
        };
        return annotations.AcquiresReference ? LockFacts.None : ScopedTo(needed, type, state);
    }

    [MethodImpl(JitOptions.AggressiveOptimization)]
    private LockFacts EvaluateInvocation(IInvocationOperation invocation, LockState state, bool conditionalAcquisition)
    {
        var method = invocation.TargetMethod;
        var annotations = AnnotationsOf(invocation);
        var instance = invocation.Instance;
        var receiver = instance is null ? LockFacts.None : Evaluate(instance, state);
        var isDispose = method.Parameters.Length == 0 && method.Name is "Dispose" or "DisposeAsync";
        if (instance is not null && !isDispose)
        {
            CheckUse(receiver, instance, state);
        }

        var peek = IsIdentityComparison(method);
        foreach (var argument in invocation.Arguments)
        {
            var facts = Evaluate(argument.Value, state);
            if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref)
            {
                // The callee may store anything there.
                if (TrackedSlot(argument.Value) is var slot and >= 0)
                {
                    state.Clear(slot);
                }
            }
            else if (!peek)
            {
                CheckUse(facts, argument.Value, state);
            }
        }

        if (annotations.RequiresLocks != 0)
        {
            CheckHeld(annotations.RequiresLocks, invocation, method, state);
        }

        if (annotations.ExcludesLocks != 0)
        {
            CheckExcluded(annotations.ExcludesLocks, invocation, method, state);
        }

        var released = annotations.ReleasesLocks;
        if (isDispose && instance is not null)
        {
            released |= receiver.Guard != 0 || TrackedSlot(instance) >= 0 ? receiver.Guard : _guardTypes.LocksOf(OperationHelpers.WithoutConversions(instance).Type);
        }

        if (released != 0)
        {
            Release(released, ScopeEndLine(invocation), state);
        }

        if (annotations.AssertsLocks != 0)
        {
            Acquire(annotations.AssertsLocks, ExitDescriber.LineOf(invocation.Syntax), state);
        }

        var acquired = annotations.AcquiresLocks;
        if (acquired != 0)
        {
            if (method.ReturnType.SpecialType == SpecialType.System_Boolean && !conditionalAcquisition)
            {
                // A TryEnter whose result is not tested on the spot: who knows whether it took the lock.
                state.Unknown |= acquired;
            }
            else
            {
                Acquire(acquired, ExitDescriber.LineOf(invocation.Syntax), state);
            }

            return method.ReturnsVoid || method.ReturnType.SpecialType == SpecialType.System_Boolean ? LockFacts.None : new LockFacts(acquired, 0, 0);
        }

        return annotations.AcquiresReference ? LockFacts.None : ScopedTo(annotations.RequiresLocks, method.ReturnType, state);
    }

    private void EvaluateCreation(IObjectCreationOperation creation, LockState state)
    {
        foreach (var argument in creation.Arguments)
        {
            CheckUse(Evaluate(argument.Value, state), argument.Value, state);
        }

        if (creation.Constructor is { } constructor)
        {
            var annotations = _annotations.Get(constructor);
            if (annotations.RequiresLocks != 0)
            {
                CheckHeld(annotations.RequiresLocks, creation, constructor, state);
            }

            if (annotations.ExcludesLocks != 0)
            {
                CheckExcluded(annotations.ExcludesLocks, creation, constructor, state);
            }
        }

        if (creation.Initializer is { } initializer)
        {
            Evaluate(initializer, state);
        }
    }

    private void EvaluatePattern(IIsPatternOperation pattern, LockState state)
    {
        var facts = Evaluate(pattern.Value, state);
        if (!TestsOnlyNullOrType(pattern.Pattern))
        {
            // A property or positional pattern reads members of the value.
            CheckUse(facts, pattern.Value, state);
        }

        BindPattern(pattern.Pattern, facts, state);
    }

    /// <summary>Declared pattern variables take the matched value; property subpatterns read (guarded) members.</summary>
    private void BindPattern(IPatternOperation pattern, LockFacts facts, LockState state)
    {
        switch (pattern)
        {
            case IDeclarationPatternOperation declaration:
                Bind(declaration.DeclaredSymbol, facts, state);
                break;
            case IRecursivePatternOperation recursive:
                foreach (var positional in recursive.DeconstructionSubpatterns)
                {
                    BindPattern(positional, LockFacts.None, state);
                }

                foreach (var property in recursive.PropertySubpatterns)
                {
                    var memberFacts = Evaluate(property.Member, state);
                    BindPattern(property.Pattern, memberFacts, state);
                }

                Bind(recursive.DeclaredSymbol, facts, state);
                break;
            case INegatedPatternOperation negated:
                BindPattern(negated.Pattern, facts, state);
                break;
            case IBinaryPatternOperation binary:
                BindPattern(binary.LeftPattern, facts, state);
                BindPattern(binary.RightPattern, facts, state);
                break;
            case IListPatternOperation list:
                foreach (var element in list.Patterns)
                {
                    BindPattern(element, LockFacts.None, state);
                }

                Bind(list.DeclaredSymbol, LockFacts.None, state);
                break;
        }
    }

    private void Bind(ISymbol? declared, LockFacts facts, LockState state)
    {
        if (declared is not null && VariableSlot(declared) is var slot and >= 0)
        {
            state.Assign(slot, facts);
        }
    }

    private static bool TestsOnlyNullOrType(IPatternOperation pattern) => pattern switch
    {
        IConstantPatternOperation or ITypePatternOperation or IDeclarationPatternOperation or IDiscardPatternOperation => true,
        INegatedPatternOperation negated => TestsOnlyNullOrType(negated.Pattern),
        IBinaryPatternOperation binary => TestsOnlyNullOrType(binary.LeftPattern) && TestsOnlyNullOrType(binary.RightPattern),
        IRecursivePatternOperation recursive => recursive.PropertySubpatterns.IsEmpty && recursive.DeconstructionSubpatterns.IsEmpty,
        _ => false,
    };

    private static bool IsIdentityComparison(IMethodSymbol method)
        => method.IsStatic && method.ContainingType?.SpecialType == SpecialType.System_Object && method.Name is "ReferenceEquals" or "Equals";

    private int TrackedSlot(IOperation operation) => OperationHelpers.WithoutConversions(operation) switch
    {
        ILocalReferenceOperation local => VariableSlot(local.Local),
        IParameterReferenceOperation parameter => VariableSlot(parameter.Parameter),
        IFlowCaptureReferenceOperation capture => CaptureSlot(capture.Id),
        _ => -1,
    };

    /// <summary>
    /// A constructor (or initializer) setting up its own object: nobody else can see it yet, so its guarded members
    /// need no lock (Clang's analysis skips constructors for the same reason).
    /// </summary>
    private bool IsOwnConstruction(IOperation access, ISymbol member, IOperation? instance)
    {
        // An object or with-initializer sets up the new object before anyone else can see it (the graph has
        // replaced its implicit receiver by a flow capture, so the syntax tells).
        if (instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }
            || (access.Syntax.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax initializer } assignment
                && assignment.Left == access.Syntax
                && (initializer.IsKind(SyntaxKind.ObjectInitializerExpression) || initializer.IsKind(SyntaxKind.WithInitializerExpression))))
        {
            return true;
        }

        var type = member.ContainingType;
        switch (_owner)
        {
            case IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                return !member.IsStatic && instance is not null && OperationHelpers.WithoutConversions(instance) is IInstanceReferenceOperation
                    && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, type);
            case IMethodSymbol { MethodKind: MethodKind.StaticConstructor } staticConstructor:
                return member.IsStatic && SymbolEqualityComparer.Default.Equals(staticConstructor.ContainingType, type);
            case IFieldSymbol or IPropertySymbol:
                return SymbolEqualityComparer.Default.Equals(_owner.ContainingType, type)
                    && (member.IsStatic || (instance is not null && OperationHelpers.WithoutConversions(instance) is IInstanceReferenceOperation));
            default:
                return false;
        }
    }

    /// <summary>
    /// What a guarded read or a [RequiresLock] call returns is only valid in the scope of the locks that protected
    /// it, when it is a reference (a task) rather than a copied value. Strings are immutable and stay valid.
    /// </summary>
    private static LockFacts ScopedTo(ulong locks, ITypeSymbol? type, LockState state)
    {
        var scoped = locks & (state.Held | state.Unknown);
        return scoped != 0 && type is { IsReferenceType: true } && type.SpecialType != SpecialType.System_String
            ? new LockFacts(0, scoped, 0)
            : LockFacts.None;
    }

    private void CheckHeld(ulong needed, IOperation operation, ISymbol member, LockState state)
    {
        var missing = needed & ~(state.Held | state.Unknown);
        if (missing == 0 || !IsReporting)
        {
            return;
        }

        var lockName = _annotations.GetFirstLockName(missing);
        _sink.Add(Diagnostic.Create(
            Descriptors.TG0002_UnlockedGuardedAccess,
            operation.Syntax.GetLocation(),
            Properties(lockName, variable: null),
            MemberDisplay(member),
            lockName));
    }

    private void CheckExcluded(ulong excluded, IOperation operation, ISymbol member, LockState state)
    {
        var held = excluded & state.Held;
        if (held == 0 || !IsReporting)
        {
            return;
        }

        var id = FirstBit(held);
        var lockName = _annotations.GetLockName(id);
        _sink.Add(Diagnostic.Create(
            Descriptors.TG0006_ExcludedLockHeld,
            operation.Syntax.GetLocation(),
            Properties(lockName, variable: null),
            MemberDisplay(member),
            lockName,
            state.TakenLine(id)));
    }

    /// <summary>A member access on, or an argument of, a value whose lock scope has ended: TG0009 at the use.</summary>
    private void CheckUse(LockFacts facts, IOperation use, LockState state)
    {
        var stale = facts.Stale & facts.Scoped;
        if (stale == 0 || !IsReporting)
        {
            return;
        }

        var id = FirstBit(stale);
        var lockName = _annotations.GetLockName(id);
        var syntax = OperationHelpers.WithoutConversions(use).Syntax;
        var variable = syntax.ToString();
        _sink.Add(Diagnostic.Create(
            Descriptors.TG0009_TaskUsedAfterUnlock,
            syntax.GetLocation(),
            Properties(lockName, variable),
            variable,
            lockName,
            state.ReleasedLine(id)));
    }

    private static ImmutableDictionary<string, string?> Properties(string lockName, string? variable)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(LockAnalyzerCommon.LockNameProperty, lockName);
        return variable is null ? properties : properties.Add(LockAnalyzerCommon.VariableProperty, variable);
    }

    private static void Acquire(ulong locks, int line, LockState state)
    {
        state.Held |= locks;
        state.Unknown &= ~locks;
        foreach (var id in BitMask.Bits(locks))
        {
            state.SetTakenLine(id, line);
        }
    }

    private static void Release(ulong locks, int line, LockState state)
    {
        state.Held &= ~locks;
        state.Unknown &= ~locks;
        foreach (var id in BitMask.Bits(locks))
        {
            state.SetReleasedLine(id, line);
        }

        state.MarkStale(locks);
    }

    /// <summary>
    /// The line where a release happens, as a reader sees it: the end of the <c>using</c> or <c>lock</c> statement, or
    /// of the block of a <c>using var</c>, for the Dispose/Exit the compiler inserts; the call's own line otherwise.
    /// </summary>
    private static int ScopeEndLine(IInvocationOperation invocation)
    {
        if (invocation.IsImplicit)
        {
            for (var ancestor = invocation.Syntax; ancestor is not null; ancestor = ancestor.Parent)
            {
                switch (ancestor)
                {
                    case UsingStatementSyntax or LockStatementSyntax:
                        return ExitDescriber.EndLineOf(ancestor);
                    case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } declaration:
                        return ExitDescriber.EndLineOf(declaration.Parent ?? declaration);
                    case StatementSyntax:
                        return ExitDescriber.LineOf(invocation.Syntax);
                }
            }
        }

        return ExitDescriber.LineOf(invocation.Syntax);
    }

    private static string MemberDisplay(ISymbol member) => member switch
    {
        IMethodSymbol { MethodKind: MethodKind.Constructor } constructor => "new " + constructor.ContainingType.Name,
        IMethodSymbol { AssociatedSymbol: { } associated } => associated.ContainingType.Name + "." + associated.Name,
        _ => member.ContainingType is { } type ? type.Name + "." + member.Name : member.Name,
    };

    private static int FirstBit(ulong mask)
    {
        foreach (var id in BitMask.Bits(mask))
        {
            return id;
        }

        return 0;
    }
}
