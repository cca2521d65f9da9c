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
using Microsoft.CodeAnalysis.Editing;
using TrefGuard.Analyzers;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0006: move the lock-taking call (the <c>Put</c>) after the lock's scope — after the <c>using</c>, <c>lock</c> or
/// try/finally statement that holds it, or after the statement that releases a lock taken by hand; a
/// <c>using var</c> guard is first turned into a <c>using</c> statement over the rest of its block. Where the call
/// has a variant for callers that hold the lock (<c>Tref.Kill</c> → <c>Tref.KillLocked</c>), calling that is offered
/// too. Offered only where the move keeps every path that released before releasing after.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ExcludedLockHeldFixer)), Shared]
public sealed class ExcludedLockHeldFixer : CodeFixProvider
{
    /// <summary>Move the call after the scope of the lock.</summary>
    public const string MoveAfterLockScopeKey = "TrefGuard.TG0006.MoveAfterLockScope";

    /// <summary>Call the <c>XLocked</c> variant meant for callers that hold the lock.</summary>
    public const string UseLockedVariantKey = "TrefGuard.TG0006.UseLockedVariant";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.ExcludedLockHeld);

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
            if (lockBit == 0 || loaded.Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call)
            {
                continue;
            }

            if (MoveAfterLockScope(loaded, call, lockBit, context.CancellationToken) is { } move)
            {
                context.RegisterCodeFix(move, diagnostic);
            }

            if (UseLockedVariant(loaded, call, lockBit, context.CancellationToken) is { } variant)
            {
                context.RegisterCodeFix(variant, diagnostic);
            }
        }
    }

    private static CodeAction? MoveAfterLockScope(LockFixDocument loaded, InvocationExpressionSyntax call, ulong lockBit, CancellationToken cancellationToken)
    {
        if (call.Parent is not ExpressionStatementSyntax moved || moved.Parent is not (BlockSyntax or SwitchSectionSyntax))
        {
            return null;
        }

        // Outwards from the call, through plain blocks and statements that hold no lock, to the scope that holds it.
        StatementSyntax current = moved;
        while (true)
        {
            if (FindInStatementList(loaded, current, moved, lockBit, cancellationToken, out var action))
            {
                return action;
            }

            if (current.Parent is not BlockSyntax block)
            {
                return null;
            }

            if (block.Parent is BlockSyntax)
            {
                current = block;
                continue;
            }

            if (block.Parent is not StatementSyntax owner || !IsLockScope(loaded, owner, block, lockBit, cancellationToken, out var isScope))
            {
                return null;
            }

            if (isScope)
            {
                return MoveAfter(loaded, moved, owner, region: owner, lockBit, cancellationToken);
            }

            if (owner.Parent is not (BlockSyntax or SwitchSectionSyntax))
            {
                return null;
            }

            current = owner;
        }
    }

    /// <summary>
    /// Whether <paramref name="statement"/>, entered through <paramref name="body"/>, can be looked through or holds
    /// the lock (<paramref name="isScope"/>): a <c>using</c> whose resource takes it, a <c>lock</c> statement whose
    /// Monitor.Enter takes it, a try whose finally releases it. Control flow statements (if, loops, switch, catch)
    /// make the call conditional or repeated: false, the call is not moved across them.
    /// </summary>
    private static bool IsLockScope(LockFixDocument loaded, StatementSyntax statement, BlockSyntax body, ulong lockBit, CancellationToken cancellationToken, out bool isScope)
    {
        isScope = false;
        switch (statement)
        {
            case UsingStatementSyntax { AwaitKeyword.RawKind: 0 } usingStatement when usingStatement.Statement == body:
                var resource = (SyntaxNode?)usingStatement.Expression ?? usingStatement.Declaration;
                isScope = resource is not null && (LockFixSyntax.LockEffects(loaded, new[] { resource }, cancellationToken).Acquires & lockBit) != 0;
                return true;
            case LockStatementSyntax lockStatement when lockStatement.Statement == body:
                isScope = (MonitorEnterLocks(loaded) & lockBit) != 0;
                return true;
            case TryStatementSyntax { Catches.Count: 0 } tryStatement when tryStatement.Block == body:
                isScope = tryStatement.Finally is { } finallyClause && ReleasesIn(loaded, finallyClause.Block, lockBit, cancellationToken);
                return true;
            case CheckedStatementSyntax or UnsafeStatementSyntax:
                return true;
            default:
                return false;
        }
    }

    /// <summary>The locks the lowering of a <c>lock</c> statement takes, through Monitor.Enter(object, ref bool).</summary>
    private static ulong MonitorEnterLocks(LockFixDocument loaded)
    {
        ulong locks = 0;
        if (loaded.Model.Compilation.GetTypeByMetadataName("System.Threading.Monitor") is { } monitor)
        {
            foreach (var enter in monitor.GetMembers("Enter").OfType<IMethodSymbol>())
            {
                if (enter.Parameters.Length == 2 && enter.Parameters[1].RefKind == RefKind.Ref)
                {
                    locks |= loaded.Annotations.Get(enter).AcquiresLocks;
                }
            }
        }

        return locks;
    }

    /// <summary>Whether a statement releases the lock: a [ReleasesLock] call, or Dispose of a guard that holds it.</summary>
    private static bool ReleasesIn(LockFixDocument loaded, SyntaxNode node, ulong lockBit, CancellationToken cancellationToken)
    {
        foreach (var invocation in node.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).OfType<InvocationExpressionSyntax>())
        {
            if (loaded.Model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
            {
                continue;
            }

            if ((loaded.Annotations.Get(method).ReleasesLocks & lockBit) != 0)
            {
                return true;
            }

            if (method.Name == "Dispose" && method.Parameters.Length == 0 && invocation.Expression is MemberAccessExpressionSyntax access
                && loaded.Model.GetSymbolInfo(access.Expression, cancellationToken).Symbol is ILocalSymbol guard
                && GuardLocks(loaded, guard, cancellationToken) is var locks && (locks & lockBit) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The locks a guard local was given by its declaration (<c>var g = table.ReadLock();</c>).</summary>
    private static ulong GuardLocks(LockFixDocument loaded, ILocalSymbol guard, CancellationToken cancellationToken)
    {
        foreach (var reference in guard.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value })
            {
                return LockFixSyntax.LockEffects(loaded, new[] { value }, cancellationToken).Acquires;
            }
        }

        return 0;
    }

    /// <summary>
    /// In the statement list that holds <paramref name="current"/>, a lock taken before it and released (or going
    /// out of scope) after it: a <c>using var</c> guard, or a guard or void acquisition released by a later statement.
    /// True when the list has such a lock; <paramref name="action"/> is then the move, or null when it cannot be made.
    /// </summary>
    private static bool FindInStatementList(LockFixDocument loaded, StatementSyntax current, ExpressionStatementSyntax moved, ulong lockBit, CancellationToken cancellationToken, out CodeAction? action)
    {
        action = null;
        if (!LockFixSyntax.TryGetStatementList(current, out var container, out var statements, out var index))
        {
            return false;
        }

        for (var j = index - 1; j >= 0; j--)
        {
            var earlier = statements[j];
            var effects = LockFixSyntax.LockEffects(loaded, new[] { earlier }, cancellationToken);
            if ((effects.Acquires & lockBit) != 0)
            {
                if (earlier is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0, AwaitKeyword.RawKind: 0 })
                {
                    action = current != moved ? null
                        : SplitUsingDeclaration(loaded, container, statements, j, index, moved, lockBit, cancellationToken)
                            ?? RestructureUsingDeclaration(loaded, container, statements, j, index, moved, cancellationToken);
                    return true;
                }

                if (earlier is LocalDeclarationStatementSyntax or ExpressionStatementSyntax)
                {
                    for (var k = index + 1; k < statements.Count; k++)
                    {
                        if (ReleasesIn(loaded, statements[k], lockBit, cancellationToken))
                        {
                            action = MoveAfter(loaded, moved, statements[k], region: null, lockBit, cancellationToken, regionStatements: (statements, index, k));
                            return true;
                        }
                    }
                }

                return true;
            }

            if ((effects.Releases & lockBit) != 0 || ReleasesIn(loaded, earlier, lockBit, cancellationToken))
            {
                break;
            }
        }

        return false;
    }

    /// <summary>
    /// Removes <paramref name="moved"/> and inserts it after <paramref name="anchor"/> (after calls already moved
    /// there, so that several keep their order). The move must not skip the call on a path that used to make it (a
    /// jump out after it), nor take it out of the scope of, or past a change to, a local it uses.
    /// </summary>
    private static CodeAction? MoveAfter(LockFixDocument loaded, ExpressionStatementSyntax moved, StatementSyntax anchor, SyntaxNode? region, ulong lockBit, CancellationToken cancellationToken, (SyntaxList<StatementSyntax> List, int From, int To)? regionStatements = null)
    {
        if (!LockFixSyntax.TryGetStatementList(anchor, out _, out var siblings, out var anchorIndex))
        {
            return null;
        }

        var regionNodes = region is not null
            ? new[] { region }
            : Enumerable.Range(regionStatements!.Value.From, regionStatements.Value.To - regionStatements.Value.From + 1).Select(i => (SyntaxNode)regionStatements.Value.List[i]).ToArray();
        if (regionNodes.Any(node => LockFixSyntax.HasJumpOut(node, moved.Span.End)))
        {
            return null;
        }

        var model = loaded.Model;
        foreach (var identifier in moved.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is not { } variable || variable is not (ILocalSymbol or IParameterSymbol))
            {
                continue;
            }

            if (region is not null && variable.DeclaringSyntaxReferences.Any(r => region.Span.Contains(r.Span)))
            {
                return null;
            }

            if (regionNodes.Any(node => IsWrittenAfter(model, node, variable, moved.Span.End, cancellationToken)))
            {
                return null;
            }
        }

        // After calls already moved behind the same scope.
        var insertAfter = anchor;
        for (var i = anchorIndex + 1; i < siblings.Count; i++)
        {
            if (siblings[i] is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax following }
                && (loaded.AnnotationsOf(following, cancellationToken).ExcludesLocks & lockBit) != 0)
            {
                insertAfter = siblings[i];
                continue;
            }

            break;
        }

        // A blank line after the closing brace of the scope, as after any block; none between moved calls.
        var leading = insertAfter == anchor && anchor.GetLastToken().IsKind(SyntaxKind.CloseBraceToken)
            ? TriviaList(LockFixSyntax.EndOfLine(anchor), ElasticMarker)
            : TriviaList(ElasticMarker);
        var editor = new SyntaxEditor(loaded.Root, loaded.Document.Project.Solution.Services);
        editor.RemoveNode(moved, SyntaxRemoveOptions.KeepUnbalancedDirectives);
        editor.InsertAfter(insertAfter, LockFixSyntax.Formatted(moved.WithLeadingTrivia(leading)));
        return loaded.CreateAction($"Move '{moved.Expression}' after the lock's scope", MoveAfterLockScopeKey, editor.GetChangedRoot());
    }

    private static bool IsWrittenAfter(SemanticModel model, SyntaxNode region, ISymbol variable, int after, CancellationToken cancellationToken)
    {
        foreach (var identifier in LockFixSyntax.References(model, region, variable, cancellationToken))
        {
            if (identifier.SpanStart < after)
            {
                continue;
            }

            switch (identifier.Parent)
            {
                case AssignmentExpressionSyntax assignment when assignment.Left == identifier:
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }:
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>using var g = X; A; Put(); B;</c>, where B needs no lock, becomes <c>using (var g = X) { A } Put(); B;</c>:
    /// the lock is released at the call, the call and what follows keep their order and their paths. Locals that A
    /// declares and the rest uses are declared before the <c>using</c> and assigned inside it.
    /// </summary>
    private static CodeAction? SplitUsingDeclaration(LockFixDocument loaded, SyntaxNode container, SyntaxList<StatementSyntax> statements, int usingIndex, int movedIndex, ExpressionStatementSyntax moved, ulong lockBit, CancellationToken cancellationToken)
    {
        var declaration = (LocalDeclarationStatementSyntax)statements[usingIndex];
        var model = loaded.Model;
        var inside = new List<StatementSyntax>();
        for (var i = usingIndex + 1; i < movedIndex; i++)
        {
            inside.Add(statements[i]);
        }

        var rest = new List<StatementSyntax> { moved };
        for (var i = movedIndex + 1; i < statements.Count; i++)
        {
            rest.Add(statements[i]);
        }

        var guards = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var variable in declaration.Declaration.Variables)
        {
            if (model.GetDeclaredSymbol(variable, cancellationToken) is { } guard)
            {
                guards.Add(guard);
            }
        }

        if (rest.Any(statement => NeedsLock(loaded, statement, lockBit, cancellationToken) || LockFixSyntax.ReferencesAny(model, statement, guards, cancellationToken))
            || inside.Concat(rest).Any(statement => statement.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).Any(n => n is LabeledStatementSyntax or GotoStatementSyntax)))
        {
            return null;
        }

        var hoisted = new List<StatementSyntax>();
        var newInside = new List<StatementSyntax>();
        foreach (var statement in inside)
        {
            var declared = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var node in statement.DescendantNodesAndSelf())
            {
                if (node is VariableDeclaratorSyntax or SingleVariableDesignationSyntax or LocalFunctionStatementSyntax && model.GetDeclaredSymbol(node, cancellationToken) is { } symbol)
                {
                    declared.Add(symbol);
                }
            }

            if (!rest.Any(later => LockFixSyntax.ReferencesAny(model, later, declared, cancellationToken)))
            {
                // Values read under the lock and stored outside it would be used after it (TG0009).
                if (AssignsScopedOutside(loaded, statement, rest, lockBit, cancellationToken))
                {
                    return null;
                }

                newInside.Add(statement);
                continue;
            }

            if (statement is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, IsConst: false, Declaration: { Variables.Count: 1 } local }
                || local.Variables[0] is not { Initializer: { } initializer } declarator
                || declared.Count != 1
                || model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol { IsRef: false } hoistedLocal
                || (hoistedLocal.Type.IsReferenceType && hoistedLocal.Type.SpecialType != SpecialType.System_String && ReadsLockScoped(loaded, initializer.Value, lockBit, cancellationToken)))
            {
                return null;
            }

            // A var local is nullable by declaration; its type as the initializer's flow state says is what the
            // code meant (string, not string?).
            var hoistedType = hoistedLocal.Type;
            if (hoistedType.IsReferenceType && model.GetTypeInfo(initializer.Value, cancellationToken).Nullability.FlowState == NullableFlowState.NotNull)
            {
                hoistedType = hoistedType.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
            }

            var type = local.Type.IsVar
                ? ParseTypeName(hoistedType.ToMinimalDisplayString(model, declaration.SpanStart))
                : local.Type.WithoutTrivia();
            hoisted.Add(LocalDeclarationStatement(VariableDeclaration(type, SingletonSeparatedList(VariableDeclarator(declarator.Identifier.WithoutTrivia())))));
            newInside.Add(ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName(declarator.Identifier.WithoutTrivia()), initializer.Value.WithoutTrivia()))
                .WithTriviaFrom(statement));
        }

        var usingStatement = UsingStatement(declaration.Declaration.WithoutTrivia(), null, newInside.Count == 0 ? Block() : LockFixSyntax.BlockOf(newInside));
        var replacement = new List<StatementSyntax>();
        replacement.AddRange(hoisted.Select(LockFixSyntax.Formatted));
        replacement.Add(LockFixSyntax.Formatted(usingStatement));
        replacement[0] = replacement[0].WithLeadingTrivia(declaration.GetLeadingTrivia());
        replacement.Add(LockFixSyntax.Formatted(moved.WithLeadingTrivia(LockFixSyntax.EndOfLine(moved), ElasticMarker)));
        var newContainer = LockFixSyntax.WithStatements(container, LockFixSyntax.ReplaceRange(statements, usingIndex, movedIndex, replacement));
        return loaded.CreateAction($"Move '{moved.Expression}' after the lock's scope", MoveAfterLockScopeKey, loaded.Root.ReplaceNode(container, newContainer));
    }

    /// <summary>A guarded read or a [RequiresLock] call of the lock (lambdas excluded).</summary>
    private static bool NeedsLock(LockFixDocument loaded, SyntaxNode node, ulong lockBit, CancellationToken cancellationToken)
    {
        foreach (var descendant in node.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)))
        {
            if (descendant is MemberAccessExpressionSyntax or MemberBindingExpressionSyntax or InvocationExpressionSyntax or IdentifierNameSyntax or ObjectCreationExpressionSyntax
                && loaded.AnnotationsOf(descendant, cancellationToken) is var annotations
                && ((annotations.GuardedBy | annotations.RequiresLocks) & lockBit) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ReadsLockScoped(LockFixDocument loaded, ExpressionSyntax value, ulong lockBit, CancellationToken cancellationToken)
        => NeedsLock(loaded, value, lockBit, cancellationToken);

    /// <summary>Whether the statement stores a lock-scoped value into a local declared before it that the rest uses.</summary>
    private static bool AssignsScopedOutside(LockFixDocument loaded, StatementSyntax statement, List<StatementSyntax> rest, ulong lockBit, CancellationToken cancellationToken)
    {
        foreach (var assignment in statement.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).OfType<AssignmentExpressionSyntax>())
        {
            if (loaded.Model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is ILocalSymbol { Type: { IsReferenceType: true, SpecialType: not SpecialType.System_String } } target
                && ReadsLockScoped(loaded, assignment.Right, lockBit, cancellationToken)
                && rest.Any(later => LockFixSyntax.ReferencesAny(loaded.Model, later, new HashSet<ISymbol>(SymbolEqualityComparer.Default) { target }, cancellationToken)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>using var g = X; A; Put(); B;</c> (to the end of the block) becomes <c>using (var g = X) { A; B; } Put();</c>:
    /// the guard is released where it was, and the call lands after it.
    /// </summary>
    private static CodeAction? RestructureUsingDeclaration(LockFixDocument loaded, SyntaxNode container, SyntaxList<StatementSyntax> statements, int usingIndex, int movedIndex, ExpressionStatementSyntax moved, CancellationToken cancellationToken)
    {
        var declaration = (LocalDeclarationStatementSyntax)statements[usingIndex];
        var model = loaded.Model;
        var rest = new List<StatementSyntax>();
        for (var i = usingIndex + 1; i < statements.Count; i++)
        {
            rest.Add(statements[i]);
        }

        if (rest.Skip(movedIndex - usingIndex).Any(statement => LockFixSyntax.HasJumpOut(statement, statement.SpanStart))
            || rest.Any(statement => statement.DescendantNodesAndSelf(n => !LockFixSyntax.IsFunction(n)).Any(n => n is LabeledStatementSyntax or GotoStatementSyntax)))
        {
            return null;
        }

        foreach (var identifier in moved.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is not { } variable || variable is not (ILocalSymbol or IParameterSymbol))
            {
                continue;
            }

            if (variable.DeclaringSyntaxReferences.Any(r => declaration.Span.Contains(r.Span) || rest.Any(s => s.Span.Contains(r.Span)))
                || rest.Any(statement => IsWrittenAfter(model, statement, variable, moved.Span.End, cancellationToken)))
            {
                return null;
            }
        }

        // Calls to move that follow in the same list keep their order after the new using statement.
        var body = rest.Where(statement => statement != moved).ToList();
        var usingStatement = UsingStatement(declaration.Declaration.WithoutTrivia(), null, body.Count == 0 ? Block() : LockFixSyntax.BlockOf(body))
            .WithLeadingTrivia(declaration.GetLeadingTrivia());
        var replacement = new StatementSyntax[]
        {
            LockFixSyntax.Formatted(usingStatement),
            LockFixSyntax.Formatted(moved.WithoutLeadingTrivia()),
        };
        var newContainer = LockFixSyntax.WithStatements(container, LockFixSyntax.ReplaceRange(statements, usingIndex, statements.Count - 1, replacement));
        return loaded.CreateAction($"Move '{moved.Expression}' after the lock's scope", MoveAfterLockScopeKey, loaded.Root.ReplaceNode(container, newContainer));
    }

    private static CodeAction? UseLockedVariant(LockFixDocument loaded, InvocationExpressionSyntax call, ulong lockBit, CancellationToken cancellationToken)
    {
        if (loaded.Model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var name = method.Name + "Locked";
        var variant = method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(candidate =>
            candidate.IsStatic == method.IsStatic
            && candidate.Parameters.Length == method.Parameters.Length
            && candidate.Parameters.Zip(method.Parameters, (a, b) => a.RefKind == b.RefKind && SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same)
            && loaded.Model.IsAccessible(call.SpanStart, candidate)
            && loaded.Annotations.Get(candidate) is var annotations && (annotations.ExcludesLocks & lockBit) == 0 && (annotations.RequiresLocks & lockBit) != 0);
        SimpleNameSyntax? oldName = call.Expression switch
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
        return loaded.CreateAction($"Call '{variant.Name}', meant for callers that hold the lock", UseLockedVariantKey, newRoot);
    }
}
