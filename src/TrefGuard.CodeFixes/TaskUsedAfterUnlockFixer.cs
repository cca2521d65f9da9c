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
using TrefGuard.Analyzers;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0009: pin the task inside the lock and release it after its last use: <c>t = r.Task;</c> becomes
/// <c>t = r.Task?.Get();</c>, and the code from the lock's scope to the last use of <c>t</c> goes into a try whose
/// finally does <c>t?.Put();</c>, so that no path (nor an exception) leaks the pin.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TaskUsedAfterUnlockFixer)), Shared]
public sealed class TaskUsedAfterUnlockFixer : CodeFixProvider
{
    /// <summary>Pin the value with its [AcquiresReference] getter inside the lock and release it after use.</summary>
    public const string PinInsideLockKey = "TrefGuard.TG0009.PinInsideLock";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.TaskUsedAfterUnlock);

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
            var lockBit = loaded.LockBit(diagnostic);
            if (lockBit != 0
                && loaded.Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is IdentifierNameSyntax use
                && PinInsideLock(loaded, use, lockBit, context.CancellationToken) is { } action)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    private static CodeAction? PinInsideLock(LockFixDocument loaded, IdentifierNameSyntax use, ulong lockBit, CancellationToken cancellationToken)
    {
        var model = loaded.Model;
        if (model.GetSymbolInfo(use, cancellationToken).Symbol is not ILocalSymbol { IsRef: false } local
            || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
            || declarator.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax) is not { } function)
        {
            return null;
        }

        // The one write that stores a lock-scoped value; any other may only be a null initializer.
        var write = FindScopedWrite(loaded, function, local, declarator, lockBit, cancellationToken);
        if (write is null || write.SpanStart > use.SpanStart || LockFixSyntax.CrossesFunction(write, function)
            || FindPinMethods(loaded, write, local.Type, lockBit, cancellationToken) is not { } pin)
        {
            return null;
        }

        // The block that holds the write and every later use; the statement of the write in it; the last use.
        var laterUses = LockFixSyntax.References(model, function, local, cancellationToken).Where(reference => reference.SpanStart > write.Span.End).ToList();
        if (laterUses.Any(reference => LockFixSyntax.CrossesFunction(reference, function)))
        {
            return null;
        }

        StatementSyntax? written = null;
        SyntaxNode? container = null;
        SyntaxList<StatementSyntax> statements = default;
        int writtenIndex = -1;
        for (var statement = write.FirstAncestorOrSelf<StatementSyntax>(); statement is not null; statement = statement.Parent?.FirstAncestorOrSelf<StatementSyntax>())
        {
            if (LockFixSyntax.TryGetStatementList(statement, out var list, out var listStatements, out var index)
                && laterUses.All(reference => list.Span.Contains(reference.Span) && !statement.Span.Contains(reference.Span)))
            {
                written = statement;
                container = list;
                statements = listStatements;
                writtenIndex = index;
                break;
            }

            if (statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax)
            {
                // Pinned once per iteration, put once: the earlier pins would leak.
                return null;
            }
        }

        if (written is null || container is null)
        {
            return null;
        }

        var last = -1;
        for (var i = statements.Count - 1; i > writtenIndex; i--)
        {
            if (laterUses.Any(reference => statements[i].Span.Contains(reference.Span)))
            {
                last = i;
                break;
            }
        }

        if (last < 0)
        {
            return null;
        }

        // A write that is the statement itself (a declaration, an assignment) is followed at once by the try. A write
        // nested in the lock's statement puts that statement in the try as well, so that nothing between the pin and
        // the try (the rest of the lock's scope, an early return) can lose it; the variable then needs a value on entry.
        var writeIsStatement = written is LocalDeclarationStatementSyntax || (written is ExpressionStatementSyntax expressionStatement && expressionStatement.Expression == write.Parent);
        var first = writeIsStatement ? writtenIndex + 1 : writtenIndex;
        if (!writeIsStatement)
        {
            // Other tasks read in the same lock scope will want the same try: cover their uses too, so that their fix
            // adds its release to this finally instead of nesting another try.
            foreach (var sibling in ScopedSiblings(loaded, written, local, lockBit, cancellationToken))
            {
                last = System.Math.Max(last, LockFixSyntax.LastReference(model, statements, writtenIndex + 1, sibling, cancellationToken));
            }
        }

        last = LockFixSyntax.ExtendOverDeclaredLocals(model, statements, first, last, cancellationToken);

        // The range already ends a try/finally (another variable pinned by this fix): release in its finally too.
        var existingTry = container is BlockSyntax { Parent: TryStatementSyntax { Catches.Count: 0, Finally: not null } enclosingTry } && enclosingTry.Block == container
            && last == statements.Count - 1 && !enclosingTry.Span.Contains(declarator.Span)
            ? enclosingTry
            : null;
        var needsInitializer = declarator.Initializer is null && (existingTry is not null || !writeIsStatement);
        if (needsInitializer
            && (declarator.Parent is not VariableDeclarationSyntax { Type: { IsVar: false } } || local.Type.NullableAnnotation != NullableAnnotation.Annotated))
        {
            return null;
        }

        var range = new List<StatementSyntax>();
        for (var i = first; i <= last; i++)
        {
            range.Add(statements[i]);
        }

        if (range.Any(statement => statement.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).Any(n => n is LabeledStatementSyntax or GotoStatementSyntax))
            || laterUses.Any(reference => !IsBorrowingUse(loaded, reference, pin.Release, cancellationToken)))
        {
            return null;
        }

        var mayBeNull = model.GetTypeInfo(write, cancellationToken).Nullability.FlowState != NullableFlowState.NotNull
            || local.Type.NullableAnnotation == NullableAnnotation.Annotated;
        var pinned = PinExpression(write, pin.Get.Name, mayBeNull);
        var release = ExpressionStatement(mayBeNull
            ? ConditionalAccessExpression(IdentifierName(local.Name), InvocationExpression(MemberBindingExpression(IdentifierName(pin.Release.Name))))
            : InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, IdentifierName(local.Name), IdentifierName(pin.Release.Name))));

        // First the pin (and the initializer the finally needs), then the try around the range of the edited list.
        var tracked = loaded.Root.TrackNodes(container, write, declarator);
        var trackedWrite = tracked.GetCurrentNode(write)!;
        var trackedDeclarator = tracked.GetCurrentNode(declarator)!;
        var edited = tracked.ReplaceNodes(
            needsInitializer ? new SyntaxNode[] { trackedWrite, trackedDeclarator } : new SyntaxNode[] { trackedWrite },
            (original, rewritten) => original == trackedWrite
                ? pinned.WithTriviaFrom(original)
                : ((VariableDeclaratorSyntax)rewritten).WithInitializer(EqualsValueClause(LiteralExpression(SyntaxKind.NullLiteralExpression))));
        var editedContainer = edited.GetCurrentNode(container)!;
        var title = $"Pin '{local.Name}' with {pin.Get.Name}() inside the lock and {pin.Release.Name}() it after use";
        if (existingTry is not null && editedContainer.Parent is TryStatementSyntax { Finally: { } editedFinally } editedTry)
        {
            var merged = editedTry.WithFinally(editedFinally.WithBlock(editedFinally.Block.AddStatements(release)));
            return loaded.CreateAction(title, PinInsideLockKey, edited.ReplaceNode(editedTry, LockFixSyntax.Formatted(merged)));
        }

        var editedStatements = editedContainer switch
        {
            BlockSyntax block => block.Statements,
            SwitchSectionSyntax section => section.Statements,
            _ => default,
        };
        var body = new List<StatementSyntax>();
        for (var i = first; i <= last; i++)
        {
            body.Add(editedStatements[i]);
        }

        var tryStatement = LockFixSyntax.Formatted(TryStatement(LockFixSyntax.BlockOf(body), default, FinallyClause(Block(release)))
            .WithLeadingTrivia(body[0].GetLeadingTrivia()));
        var newContainer = LockFixSyntax.WithStatements(editedContainer, LockFixSyntax.ReplaceRange(editedStatements, first, last, new[] { tryStatement }));
        var newRoot = edited.ReplaceNode(editedContainer, newContainer);
        return loaded.CreateAction(title, PinInsideLockKey, newRoot);
    }

    /// <summary>
    /// The expression stored into <paramref name="local"/> that reads a member guarded by the lock (or calls one that
    /// requires it); null unless it is the only write besides a null or default initializer.
    /// </summary>
    private static ExpressionSyntax? FindScopedWrite(LockFixDocument loaded, SyntaxNode function, ILocalSymbol local, VariableDeclaratorSyntax declarator, ulong lockBit, CancellationToken cancellationToken)
    {
        var writes = new List<ExpressionSyntax>();
        if (declarator.Initializer?.Value is { } initial && !IsNullOrDefault(initial))
        {
            writes.Add(initial);
        }

        foreach (var reference in LockFixSyntax.References(loaded.Model, function, local, cancellationToken))
        {
            switch (reference.Parent)
            {
                case AssignmentExpressionSyntax assignment when assignment.Left == reference:
                    if (!assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
                    {
                        return null;
                    }

                    writes.Add(assignment.Right);
                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }:
                    return null;
            }
        }

        if (writes.Count != 1)
        {
            return null;
        }

        return ScopedTarget(loaded, writes[0], lockBit, cancellationToken) ? writes[0] : null;
    }

    /// <summary>Other locals, declared outside <paramref name="scope"/>, that it assigns a lock-scoped value.</summary>
    private static IEnumerable<ILocalSymbol> ScopedSiblings(LockFixDocument loaded, StatementSyntax scope, ILocalSymbol local, ulong lockBit, CancellationToken cancellationToken)
    {
        foreach (var assignment in scope.DescendantNodes(n => !LockFixSyntax.IsFunction(n)).OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && loaded.Model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is ILocalSymbol sibling
                && !SymbolEqualityComparer.Default.Equals(sibling, local)
                && !sibling.DeclaringSyntaxReferences.Any(r => scope.Span.Contains(r.Span))
                && ScopedTarget(loaded, assignment.Right, lockBit, cancellationToken))
            {
                yield return sibling;
            }
        }
    }

    private static bool ScopedTarget(LockFixDocument loaded, ExpressionSyntax value, ulong lockBit, CancellationToken cancellationToken)
    {
        var target = LockFixSyntax.StripParentheses(value) switch
        {
            ConditionalAccessExpressionSyntax conditional => WhenNotNullTarget(conditional),
            var other => other,
        };
        var annotations = target is MemberAccessExpressionSyntax or InvocationExpressionSyntax or IdentifierNameSyntax or MemberBindingExpressionSyntax
            ? loaded.AnnotationsOf(target, cancellationToken)
            : null;
        return annotations is not null && ((annotations.GuardedBy | annotations.RequiresLocks) & lockBit) != 0 && !annotations.AcquiresReference;
    }

    private static ExpressionSyntax WhenNotNullTarget(ConditionalAccessExpressionSyntax conditional)
    {
        var whenNotNull = conditional.WhenNotNull;
        while (whenNotNull is ConditionalAccessExpressionSyntax nested)
        {
            whenNotNull = nested.WhenNotNull;
        }

        return whenNotNull;
    }

    private static bool IsNullOrDefault(ExpressionSyntax expression)
        => LockFixSyntax.StripParentheses(expression) is LiteralExpressionSyntax literal
            && (literal.IsKind(SyntaxKind.NullLiteralExpression) || literal.IsKind(SyntaxKind.DefaultLiteralExpression))
            || expression is DefaultExpressionSyntax;

    /// <summary>The value type's pin (an [AcquiresReference] method returning the same type, callable under the lock) and release.</summary>
    private static (IMethodSymbol Get, IMethodSymbol Release)? FindPinMethods(LockFixDocument loaded, SyntaxNode at, ITypeSymbol type, ulong lockBit, CancellationToken cancellationToken)
    {
        var bare = type.WithNullableAnnotation(NullableAnnotation.None);
        var get = LockFixSyntax.FindMethod(loaded.Model, at.SpanStart, type, method =>
            loaded.Annotations.Get(method) is { AcquiresReference: true } annotations
            && (annotations.ExcludesLocks & lockBit) == 0 && annotations.RequiresLocks == 0
            && SymbolEqualityComparer.Default.Equals(method.ReturnType.WithNullableAnnotation(NullableAnnotation.None), bare));
        var release = LockFixSyntax.FindMethod(loaded.Model, at.SpanStart, type, method =>
            method.ReturnsVoid && loaded.Annotations.Get(method) is { ReleasesThis: true, RequiresLocks: 0 });
        return get is null || release is null ? null : (get, release);
    }

    /// <summary><c>e</c> becomes <c>e?.Get()</c> (or <c>e.Get()</c> when it cannot be null), parenthesized where needed.</summary>
    private static ExpressionSyntax PinExpression(ExpressionSyntax write, string get, bool mayBeNull)
    {
        var receiver = write.WithoutTrivia();
        if (receiver is not (MemberAccessExpressionSyntax or InvocationExpressionSyntax or IdentifierNameSyntax or ConditionalAccessExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax))
        {
            receiver = ParenthesizedExpression(receiver);
        }

        if (receiver is ConditionalAccessExpressionSyntax || mayBeNull)
        {
            return ConditionalAccessExpression(receiver, InvocationExpression(MemberBindingExpression(IdentifierName(get))));
        }

        return InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, IdentifierName(get)));
    }

    /// <summary>A use the pinned value serves: a member access, an argument, a null test or compare, an interpolation.</summary>
    private static bool IsBorrowingUse(LockFixDocument loaded, IdentifierNameSyntax reference, IMethodSymbol release, CancellationToken cancellationToken)
    {
        ExpressionSyntax use = reference;
        while (use.Parent is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression })
        {
            use = (ExpressionSyntax)use.Parent;
        }

        switch (use.Parent)
        {
            case MemberAccessExpressionSyntax access when access.Expression == use:
                return !SymbolEqualityComparer.Default.Equals(loaded.Model.GetSymbolInfo(access, cancellationToken).Symbol, release);
            case ConditionalAccessExpressionSyntax conditional when conditional.Expression == use:
                return conditional.WhenNotNull is not InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding }
                    || !SymbolEqualityComparer.Default.Equals(loaded.Model.GetSymbolInfo(binding, cancellationToken).Symbol, release);
            case ArgumentSyntax { RefKindKeyword.RawKind: 0 }:
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression):
            case IsPatternExpressionSyntax:
            case InterpolationSyntax:
                return true;
            default:
                return false;
        }
    }
}
