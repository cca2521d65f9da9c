using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0002: make the guarded access legal. Where the read is only a null test, peek with the lock-free member
/// (<c>r.Task != null</c> → <c>r.IsAlive</c>); where a task is read into a local, pin it with the locking getter
/// (<c>var t = r.Task;</c> → <c>var t = r.GetTask();</c> and put it in a finally); otherwise take the lock around the
/// statement (<c>using (table.ReadLock()) { … }</c>) through an expression in scope whose type can take it; and for
/// a <c>XLocked</c> method, call the <c>X</c> that takes the lock itself.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnlockedGuardedAccessFixer)), Shared]
public sealed class UnlockedGuardedAccessFixer : CodeFixProvider
{
    /// <summary>Replace a null test of the guarded member by its lock-free peek (<c>IsAlive</c>).</summary>
    public const string UseIsAliveKey = "TrefGuard.TG0002.UseIsAlive";

    /// <summary>Read the task pinned through the locking getter (<c>GetTask()</c>) and put it on the way out.</summary>
    public const string UsePinnedGetterKey = "TrefGuard.TG0002.UsePinnedGetter";

    /// <summary>Take the lock (preferably its read side) around the statement.</summary>
    public const string TakeLockKey = "TrefGuard.TG0002.TakeLock";

    /// <summary>Call the variant of an <c>XLocked</c> method that takes the lock itself.</summary>
    public const string UseLockingVariantKey = "TrefGuard.TG0002.UseLockingVariant";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UnlockedGuardedAccess);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAllProvider.Locks;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var loaded = await LockFixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = loaded.Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var lockBit = loaded.LockBit(diagnostic);
            if (node is not ExpressionSyntax access || lockBit == 0)
            {
                continue;
            }

            foreach (var action in new[]
            {
                UseIsAlive(loaded, access, context.CancellationToken),
                UsePinnedGetter(loaded, access, context.CancellationToken),
                TakeLock(loaded, access, lockBit, context.CancellationToken),
                UseLockingVariant(loaded, access, lockBit, context.CancellationToken),
            })
            {
                if (action is not null)
                {
                    context.RegisterCodeFix(action, diagnostic);
                }
            }
        }
    }

    private static CodeAction? UseIsAlive(LockFixDocument loaded, ExpressionSyntax access, CancellationToken cancellationToken)
    {
        if (access is not MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } memberAccess
            || !IsOnlyNullTest(memberAccess, out var test, out var whenAlive)
            || loaded.Model.GetSymbolInfo(memberAccess, cancellationToken).Symbol is not { } member
            || FindAlivePeek(loaded, memberAccess, member) is not { } peek)
        {
            return null;
        }

        ExpressionSyntax replacement = MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, memberAccess.Expression.WithoutTrivia(), IdentifierName(peek.Name));
        if (!whenAlive)
        {
            replacement = PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, replacement);
        }

        var newRoot = loaded.Root.ReplaceNode(test, replacement.WithTriviaFrom(test));
        return loaded.CreateAction($"Use '{peek.Name}' (a lock-free peek)", UseIsAliveKey, newRoot);
    }

    /// <summary>
    /// <c>x.M == null</c>, <c>x.M != null</c>, <c>x.M is null</c>, <c>x.M is not null</c>, <c>x.M is { }</c>: the
    /// whole test, and whether it is true when the member is non-null.
    /// </summary>
    private static bool IsOnlyNullTest(ExpressionSyntax access, out ExpressionSyntax test, out bool whenNonNull)
    {
        var operand = access;
        while (operand.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            operand = parenthesized;
        }

        switch (operand.Parent)
        {
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression):
                var other = binary.Left == operand ? binary.Right : binary.Left;
                test = binary;
                whenNonNull = binary.IsKind(SyntaxKind.NotEqualsExpression);
                return LockFixSyntax.StripParentheses(other).IsKind(SyntaxKind.NullLiteralExpression);
            case IsPatternExpressionSyntax isPattern when isPattern.Expression == operand:
                test = isPattern;
                switch (isPattern.Pattern)
                {
                    case ConstantPatternSyntax constant when constant.Expression.IsKind(SyntaxKind.NullLiteralExpression):
                        whenNonNull = false;
                        return true;
                    case UnaryPatternSyntax { Pattern: ConstantPatternSyntax constant } when constant.Expression.IsKind(SyntaxKind.NullLiteralExpression):
                        whenNonNull = true;
                        return true;
                    case RecursivePatternSyntax { Type: null, PositionalPatternClause: null, Designation: null, PropertyPatternClause.Subpatterns.Count: 0 }:
                        whenNonNull = true;
                        return true;
                }

                break;
        }

        test = access;
        whenNonNull = false;
        return false;
    }

    /// <summary>
    /// The lock-free bool property that answers "is there a value?" for a guarded member: <c>IsAlive</c>,
    /// <c>Has{Member}</c> or <c>Is{Member}Alive</c>, itself neither guarded nor lock-requiring.
    /// </summary>
    private static IPropertySymbol? FindAlivePeek(LockFixDocument loaded, MemberAccessExpressionSyntax access, ISymbol member)
    {
        var type = loaded.Model.GetTypeInfo(access.Expression).Type;
        var names = new[] { "IsAlive", "Has" + member.Name, "Is" + member.Name + "Alive" };
        foreach (var name in names)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                foreach (var candidate in current.GetMembers(name))
                {
                    if (candidate is IPropertySymbol { IsStatic: false, GetMethod: not null, Parameters.Length: 0 } property
                        && property.Type.SpecialType == SpecialType.System_Boolean
                        && loaded.Model.IsAccessible(access.SpanStart, property)
                        && loaded.Annotations.Get(property) is { GuardedBy: 0, RequiresLocks: 0 })
                    {
                        return property;
                    }
                }
            }
        }

        return null;
    }

    private static CodeAction? UsePinnedGetter(LockFixDocument loaded, ExpressionSyntax access, CancellationToken cancellationToken)
    {
        var model = loaded.Model;
        if (access is not MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } memberAccess
            || memberAccess.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } declaration
            || declaration.Parent is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, IsConst: false } statement
            || !LockFixSyntax.TryGetStatementList(statement, out var container, out var statements, out var index)
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local
            || model.GetSymbolInfo(memberAccess, cancellationToken).Symbol is not { } member)
        {
            return null;
        }

        var memberType = member switch
        {
            IPropertySymbol property => property.Type,
            IFieldSymbol field => field.Type,
            _ => null,
        };
        var receiverType = model.GetTypeInfo(memberAccess.Expression, cancellationToken).Type;
        var getter = LockFixSyntax.FindMethod(model, statement.SpanStart, receiverType, method =>
            loaded.Annotations.Get(method) is { AcquiresReference: true, RequiresLocks: 0, GuardedBy: 0 }
            && memberType is not null
            && SymbolEqualityComparer.Default.Equals(method.ReturnType.WithNullableAnnotation(NullableAnnotation.None), memberType.WithNullableAnnotation(NullableAnnotation.None)));
        var release = LockFixSyntax.FindMethod(model, statement.SpanStart, memberType, method =>
            method.ReturnsVoid && loaded.Annotations.Get(method) is { ReleasesThis: true, RequiresLocks: 0 });
        if (getter is null || release is null)
        {
            return null;
        }

        // Every later use must be one the pinned task can serve and the finally can outlive: a member access, an
        // argument, a null test. Returning or storing it would hand out a task the finally puts.
        var last = LockFixSyntax.LastReference(model, statements, index + 1, local, cancellationToken);
        if (last >= 0)
        {
            last = LockFixSyntax.ExtendOverDeclaredLocals(model, statements, index + 1, last, cancellationToken);
            for (var i = index + 1; i <= last; i++)
            {
                foreach (var reference in LockFixSyntax.References(model, statements[i], local, cancellationToken))
                {
                    if (!IsBorrowingUse(loaded, reference, release, cancellationToken) || LockFixSyntax.CrossesFunction(reference, statements[i].Parent!))
                    {
                        return null;
                    }
                }
            }
        }

        var pinned = InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, memberAccess.Expression.WithoutTrivia(), IdentifierName(getter.Name)));
        var newStatement = statement.ReplaceNode(memberAccess, pinned.WithTriviaFrom(memberAccess));
        var put = ReleaseStatement(local.Name, release.Name, getter.ReturnType.NullableAnnotation != NullableAnnotation.NotAnnotated);
        IEnumerable<StatementSyntax> replacement;
        if (last < 0)
        {
            replacement = new[] { newStatement, LockFixSyntax.Formatted(put) };
            last = index;
        }
        else
        {
            var body = new List<StatementSyntax>();
            for (var i = index + 1; i <= last; i++)
            {
                body.Add(statements[i]);
            }

            var tryStatement = TryStatement(LockFixSyntax.BlockOf(body), default, FinallyClause(Block(put)))
                .WithLeadingTrivia(body[0].GetLeadingTrivia());
            replacement = new StatementSyntax[] { newStatement, LockFixSyntax.Formatted(tryStatement) };
        }

        var newContainer = LockFixSyntax.WithStatements(container, LockFixSyntax.ReplaceRange(statements, index, last, replacement));
        var newRoot = loaded.Root.ReplaceNode(container, newContainer);
        return loaded.CreateAction($"Pin it with '{getter.Name}()' and '{release.Name}()' it afterwards", UsePinnedGetterKey, newRoot);
    }

    private static bool IsBorrowingUse(LockFixDocument loaded, IdentifierNameSyntax reference, IMethodSymbol release, CancellationToken cancellationToken)
    {
        ExpressionSyntax use = reference;
        while (use.Parent is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
        {
            use = (ExpressionSyntax)use.Parent;
        }

        switch (use.Parent)
        {
            case MemberAccessExpressionSyntax memberAccess when memberAccess.Expression == use:
            case ConditionalAccessExpressionSyntax conditional when conditional.Expression == use:
                // The task's own release would now be a second one.
                var accessed = use.Parent is MemberAccessExpressionSyntax access
                    ? loaded.Model.GetSymbolInfo(access, cancellationToken).Symbol
                    : (((ConditionalAccessExpressionSyntax)use.Parent).WhenNotNull as InvocationExpressionSyntax)?.Expression is MemberBindingExpressionSyntax binding
                        ? loaded.Model.GetSymbolInfo(binding, cancellationToken).Symbol
                        : null;
                return !SymbolEqualityComparer.Default.Equals(accessed, release);
            case ArgumentSyntax { RefKindKeyword.RawKind: 0 } argument:
                return loaded.Model.GetOperation(argument, cancellationToken) is not IArgumentOperation { Parameter: { } parameter }
                    || !HasOwnershipParameterAnnotation(loaded, parameter);
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression):
            case IsPatternExpressionSyntax:
            case InterpolationSyntax:
                return true;
            default:
                return false;
        }
    }

    private static bool HasOwnershipParameterAnnotation(LockFixDocument loaded, IParameterSymbol parameter)
        => parameter.ContainingSymbol is { } method
            && (loaded.Annotations.Get(method).GetParameter(parameter.Ordinal) & (Analyzers.Infrastructure.ParameterAnnotation.ReleasesReference | Analyzers.Infrastructure.ParameterAnnotation.TransfersOwnership)) != 0;

    private static StatementSyntax ReleaseStatement(string variable, string release, bool mayBeNull)
    {
        ExpressionSyntax call = mayBeNull
            ? ConditionalAccessExpression(IdentifierName(variable), InvocationExpression(MemberBindingExpression(IdentifierName(release))))
            : InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, IdentifierName(variable), IdentifierName(release)));
        return ExpressionStatement(call);
    }

    private static CodeAction? TakeLock(LockFixDocument loaded, ExpressionSyntax access, ulong lockBit, CancellationToken cancellationToken)
    {
        var statement = access.FirstAncestorOrSelf<StatementSyntax>();
        var member = access.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        if (statement is null || (member is not null && !member.Span.Contains(statement.Span)))
        {
            return member is null ? null : TakeLockInExpressionBody(loaded, access, member, lockBit, cancellationToken);
        }

        if (statement is LocalFunctionStatementSyntax || LockFixSyntax.CrossesFunction(access, statement))
        {
            return null;
        }

        if (!LockFixSyntax.TryGetStatementList(statement, out var container, out var statements, out var index))
        {
            // An embedded statement (the body of an if or a loop) declares nothing: wrap it alone.
            var single = new[] { statement };
            return CanRunUnderTheLock(loaded, single, after: null, lockBit, cancellationToken)
                && FindAcquirer(loaded, statement, lockBit, cancellationToken) is { } embeddedLock
                ? loaded.CreateAction(Title(embeddedLock), TakeLockKey, loaded.Root.ReplaceNode(statement, Wrap(embeddedLock, single).WithTriviaFrom(statement)))
                : null;
        }

        var last = LockFixSyntax.ExtendOverDeclaredLocals(loaded.Model, statements, index, index, cancellationToken);
        var range = new List<StatementSyntax>();
        for (var i = index; i <= last; i++)
        {
            range.Add(statements[i]);
        }

        if (!CanRunUnderTheLock(loaded, range, statements.Skip(last + 1).ToList(), lockBit, cancellationToken)
            || FindAcquirer(loaded, statement, lockBit, cancellationToken) is not { } acquirer)
        {
            return null;
        }

        var wrapped = Wrap(acquirer, range)
            .WithLeadingTrivia(range[0].GetLeadingTrivia())
            .WithTrailingTrivia(range[range.Count - 1].GetTrailingTrivia());
        var newContainer = LockFixSyntax.WithStatements(container, LockFixSyntax.ReplaceRange(statements, index, last, new[] { wrapped }));
        return loaded.CreateAction(Title(acquirer), TakeLockKey, loaded.Root.ReplaceNode(container, newContainer));
    }

    /// <summary><c>T M() => expr;</c> becomes <c>T M() { using (x.ReadLock()) { return expr; } }</c>, likewise for properties and accessors.</summary>
    private static CodeAction? TakeLockInExpressionBody(LockFixDocument loaded, ExpressionSyntax access, SyntaxNode member, ulong lockBit, CancellationToken cancellationToken)
    {
        var arrow = access.FirstAncestorOrSelf<ArrowExpressionClauseSyntax>();
        if (arrow is null || LockFixSyntax.CrossesFunction(access, arrow))
        {
            return null;
        }

        var owner = arrow.Parent;
        var symbol = owner is null ? null : loaded.Model.GetDeclaredSymbol(owner, cancellationToken);
        var method = symbol switch
        {
            IMethodSymbol m => m,
            IPropertySymbol p => p.GetMethod,
            _ => null,
        };
        if (method is null || method.IsAsync)
        {
            return null;
        }

        StatementSyntax body = method.ReturnsVoid ? ExpressionStatement(arrow.Expression) : ReturnStatement(arrow.Expression);
        if (!CanRunUnderTheLock(loaded, new[] { body }, after: null, lockBit, cancellationToken, checkNodes: new SyntaxNode[] { arrow.Expression })
            || FindAcquirer(loaded, arrow, lockBit, cancellationToken) is not { } acquirer)
        {
            return null;
        }

        var block = LockFixSyntax.Formatted(Block(Wrap(acquirer, new[] { body })));
        SyntaxNode? replacement = owner switch
        {
            BaseMethodDeclarationSyntax m => m.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block),
            AccessorDeclarationSyntax a => a.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block),
            PropertyDeclarationSyntax p => p.WithExpressionBody(null).WithSemicolonToken(default)
                .WithAccessorList(AccessorList(SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block)))),
            IndexerDeclarationSyntax i => i.WithExpressionBody(null).WithSemicolonToken(default)
                .WithAccessorList(AccessorList(SingletonList(AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block)))),
            _ => null,
        };
        if (owner is null || replacement is null)
        {
            return null;
        }

        replacement = LockFixSyntax.Formatted(replacement.WithTrailingTrivia(owner.GetTrailingTrivia()));
        return loaded.CreateAction(Title(acquirer), TakeLockKey, loaded.Root.ReplaceNode(owner, replacement));
    }

    private static UsingStatementSyntax Wrap(ExpressionSyntax acquire, IReadOnlyList<StatementSyntax> statements)
        => LockFixSyntax.Formatted(UsingStatement(null, acquire, LockFixSyntax.BlockOf(statements)));

    private static string Title(ExpressionSyntax acquirer) => $"Take the lock around the statement (using ({acquirer}))";

    /// <summary>
    /// Whether the statements can run under the lock and leave clean code: nothing in them takes the lock again or
    /// must not run under it, nothing awaits or yields while the guard is live, and no task read in them is left in a
    /// variable that code after the new lock scope uses (that would trade TG0002 for TG0009).
    /// </summary>
    private static bool CanRunUnderTheLock(LockFixDocument loaded, IReadOnlyList<StatementSyntax> statements, IReadOnlyList<StatementSyntax>? after, ulong lockBit, CancellationToken cancellationToken, IReadOnlyList<SyntaxNode>? checkNodes = null)
    {
        var nodes = checkNodes ?? statements;
        if (LockFixSyntax.CannotBeMovedIntoABlock(statements))
        {
            return false;
        }

        var (acquires, excludes, releases) = LockFixSyntax.LockEffects(loaded, nodes, cancellationToken);
        if (((acquires | excludes | releases) & lockBit) != 0)
        {
            return false;
        }

        var model = loaded.Model;
        foreach (var node in nodes)
        {
            foreach (var assignment in node.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).OfType<AssignmentExpressionSyntax>())
            {
                if (model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is not ILocalSymbol { Type: { IsReferenceType: true, SpecialType: not SpecialType.System_String } } target
                    || target.DeclaringSyntaxReferences.Any(r => nodes.Any(n => n.Span.Contains(r.Span)))
                    || !ReadsGuarded(loaded, assignment.Right, cancellationToken))
                {
                    continue;
                }

                // Null: the code after the new scope is not known, so assume it uses the variable.
                var set = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { target };
                if (after is null || after.Any(statement => LockFixSyntax.ReferencesAny(model, statement, set, cancellationToken)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool ReadsGuarded(LockFixDocument loaded, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        foreach (var node in expression.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)))
        {
            if (node is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax or InvocationExpressionSyntax or IdentifierNameSyntax
                && loaded.AnnotationsOf(node, cancellationToken) is { } annotations
                && (annotations.GuardedBy | annotations.RequiresLocks) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An expression in scope at <paramref name="at"/> whose type has a parameterless [AcquiresLock] method for the lock
    /// that returns a disposable guard: a local, parameter, field or property, <c>this</c>, or a property of one of
    /// those (<c>task.Table</c>). Read locks are preferred, then the nearest expression.
    /// </summary>
    private static ExpressionSyntax? FindAcquirer(LockFixDocument loaded, SyntaxNode at, ulong lockBit, CancellationToken cancellationToken)
    {
        var model = loaded.Model;
        var position = at.SpanStart;
        var enclosing = model.GetEnclosingSymbol(position, cancellationToken);
        while (enclosing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } nested)
        {
            enclosing = nested.ContainingSymbol;
        }

        var isStatic = enclosing?.IsStatic ?? true;
        var containingType = enclosing?.ContainingType;
        ExpressionSyntax? best = null;
        var bestRank = int.MaxValue;

        void Consider(ExpressionSyntax? receiver, ITypeSymbol? type, int depth, bool staticOnly)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                foreach (var candidate in current.GetMembers())
                {
                    if (candidate is not IMethodSymbol { MethodKind: MethodKind.Ordinary, Parameters.Length: 0, IsGenericMethod: false, ReturnsVoid: false } method
                        || (staticOnly && !method.IsStatic) || (receiver is not null && method.IsStatic)
                        || (loaded.Annotations.Get(method).AcquiresLocks & lockBit) == 0
                        || !IsDisposableGuard(model, position, method.ReturnType)
                        || !model.IsAccessible(position, method))
                    {
                        continue;
                    }

                    var rank = (method.Name.IndexOf("Read", System.StringComparison.Ordinal) >= 0 ? 0 : 10) + depth;
                    if (rank < bestRank)
                    {
                        bestRank = rank;
                        ExpressionSyntax call = receiver is null
                            ? InvocationExpression(IdentifierName(method.Name))
                            : InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, IdentifierName(method.Name)));
                        best = call;
                    }
                }
            }
        }

        if (containingType is not null)
        {
            Consider(null, containingType, 0, staticOnly: isStatic);
        }

        var reachable = new List<(ExpressionSyntax Expression, ITypeSymbol Type, int Depth)>();
        foreach (var symbol in model.LookupSymbols(position))
        {
            switch (symbol)
            {
                case ILocalSymbol local when local.NullableAnnotation != NullableAnnotation.Annotated && IsAssignedBefore(local, position):
                    reachable.Add((IdentifierName(local.Name), local.Type, 0));
                    break;
                case IParameterSymbol parameter when parameter.RefKind != RefKind.Out && parameter.NullableAnnotation != NullableAnnotation.Annotated:
                    reachable.Add((IdentifierName(parameter.Name), parameter.Type, 0));
                    break;
                case IFieldSymbol field when !field.IsImplicitlyDeclared && (!isStatic || field.IsStatic) && field.NullableAnnotation != NullableAnnotation.Annotated
                    && SymbolEqualityComparer.Default.Equals(field.ContainingType, containingType):
                    reachable.Add((IdentifierName(field.Name), field.Type, 1));
                    break;
                case IPropertySymbol { IsIndexer: false, GetMethod: not null } property when (!isStatic || property.IsStatic) && property.NullableAnnotation != NullableAnnotation.Annotated
                    && SymbolEqualityComparer.Default.Equals(property.ContainingType, containingType):
                    reachable.Add((IdentifierName(property.Name), property.Type, 1));
                    break;
            }
        }

        foreach (var (expression, type, depth) in reachable)
        {
            Consider(expression, type, depth, staticOnly: false);
        }

        if (best is not null)
        {
            return best;
        }

        foreach (var (expression, type, _) in reachable)
        {
            foreach (var member in type.GetMembers())
            {
                var (memberType, nullable) = member switch
                {
                    IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: not null } property => (property.Type, property.NullableAnnotation),
                    IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field => (field.Type, field.NullableAnnotation),
                    _ => (null, NullableAnnotation.None),
                };
                if (memberType is not null && nullable != NullableAnnotation.Annotated && model.IsAccessible(position, member)
                    && loaded.Annotations.Get(member) is { GuardedBy: 0, RequiresLocks: 0 })
                {
                    Consider(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, expression, IdentifierName(member.Name)), memberType, 2, staticOnly: false);
                }
            }
        }

        return best;
    }

    /// <summary>Only locals that a declaration before the position definitely assigns (an initializer or a foreach variable).</summary>
    private static bool IsAssignedBefore(ILocalSymbol local, int position)
    {
        foreach (var reference in local.DeclaringSyntaxReferences)
        {
            if (reference.Span.End > position)
            {
                return false;
            }

            var syntax = reference.GetSyntax();
            return syntax is VariableDeclaratorSyntax { Initializer: not null } || syntax is ForEachStatementSyntax;
        }

        return false;
    }

    private static bool IsDisposableGuard(SemanticModel model, int position, ITypeSymbol type)
    {
        if (type.SpecialType != SpecialType.None)
        {
            return false;
        }

        if (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable))
        {
            return true;
        }

        // A ref struct guard is disposed by pattern: a public parameterless Dispose.
        return type.IsRefLikeType && type.GetMembers("Dispose").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsStatic && model.IsAccessible(position, m));
    }

    private static CodeAction? UseLockingVariant(LockFixDocument loaded, ExpressionSyntax access, ulong lockBit, CancellationToken cancellationToken)
    {
        const string Suffix = "Locked";
        if (access is not InvocationExpressionSyntax invocation
            || loaded.Model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method
            || !method.Name.EndsWith(Suffix, System.StringComparison.Ordinal) || method.Name.Length == Suffix.Length)
        {
            return null;
        }

        var name = method.Name.Substring(0, method.Name.Length - Suffix.Length);
        var variant = method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(candidate =>
            candidate.IsStatic == method.IsStatic
            && candidate.Parameters.Length == method.Parameters.Length
            && candidate.Parameters.Zip(method.Parameters, (a, b) => a.RefKind == b.RefKind && SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same)
            && loaded.Model.IsAccessible(invocation.SpanStart, candidate)
            && loaded.Annotations.Get(candidate) is var annotations && (annotations.RequiresLocks & lockBit) == 0 && (annotations.ExcludesLocks & lockBit) != 0);
        SimpleNameSyntax? oldName = invocation.Expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.Name,
            IdentifierNameSyntax identifier => identifier,
            _ => null,
        };
        if (variant is null || oldName is not IdentifierNameSyntax)
        {
            return null;
        }

        var newRoot = loaded.Root.ReplaceNode(oldName, IdentifierName(variant.Name).WithTriviaFrom(oldName));
        return loaded.CreateAction($"Call '{variant.Name}', which takes the lock itself", UseLockingVariantKey, newRoot);
    }

}
