using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using TrefGuard.Analyzers;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0005: move the release after the last use. The release and the uses must be statements of one block, and
/// nothing between them may leave the block early (those paths would lose their release) or take a lock that the
/// release would then run under. A returned expression that uses the value is computed before the release.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseAfterPutFixer)), Shared]
public sealed class UseAfterPutFixer : CodeFixProvider
{
    /// <summary>Move the release statement after the statement that uses the value last.</summary>
    public const string MoveReleaseAfterUseKey = "TrefGuard.TG0005.MoveReleaseAfterUse";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UseAfterPut);

    public override FixAllProvider GetFixAllProvider() => SequentialFixAllProvider.Ownership;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var loaded = await OwnershipFixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.AdditionalLocations.Count == 0
                || OwnershipFixes.ReleaseStatementAt(loaded.Root, diagnostic.AdditionalLocations[0].SourceSpan) is not { } release)
            {
                continue;
            }

            var use = loaded.Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var action = await loaded.TryCreateActionAsync(
                "Release after the last use",
                MoveReleaseAfterUseKey,
                editor => TryMove(editor, loaded, release, use, context.CancellationToken),
                context.CancellationToken).ConfigureAwait(false);
            if (action is not null)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    private static bool TryMove(SyntaxEditor editor, OwnershipFixDocument loaded, ExpressionStatementSyntax release, SyntaxNode use, CancellationToken cancellationToken)
    {
        if (release.Parent is not BlockSyntax block)
        {
            return false;
        }

        var useStatement = use.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent == block);
        var statements = block.Statements;
        var releaseIndex = statements.IndexOf(release);
        var useIndex = useStatement is null ? -1 : statements.IndexOf(useStatement);
        if (useIndex <= releaseIndex || ReleasedVariable(loaded, release, cancellationToken) is not { } variable)
        {
            return false;
        }

        // Move past the last statement of the block that still reads the variable, so that every use is fixed at once.
        var last = useIndex;
        for (var i = useIndex + 1; i < statements.Count; i++)
        {
            if (OwnershipSyntax.Mentions(loaded.Model, statements[i], variable, cancellationToken))
            {
                last = i;
            }
        }

        for (var i = releaseIndex + 1; i <= last; i++)
        {
            var statement = statements[i];
            var isFinalReturn = i == last && statement is ReturnStatementSyntax;
            if ((!isFinalReturn && OwnershipSyntax.CanJumpOut(statement))
                || statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } or UsingStatementSyntax or LockStatementSyntax or LabeledStatementSyntax or LocalFunctionStatementSyntax
                || ContainsRelease(loaded, statement, variable, cancellationToken)
                || HandsOn(loaded, statement, variable, cancellationToken))
            {
                return false;
            }
        }

        var moved = release.WithoutTrivia()
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithTrailingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);
        if (statements[last] is ReturnStatementSyntax { Expression: { } returned } returnStatement)
        {
            if (OwnershipSyntax.CanJumpOut(returned) || loaded.Model.GetTypeInfo(returned, cancellationToken).Type is not { TypeKind: not TypeKind.Error }
                || returned is ImplicitObjectCreationExpressionSyntax or CollectionExpressionSyntax)
            {
                return false;
            }

            var result = OwnershipSyntax.UniqueName(loaded.Model, returnStatement, "result", new HashSet<string>());
            editor.InsertBefore(returnStatement, new StatementSyntax[] { OwnershipSyntax.DeclareVar(result, returned), moved });
            editor.ReplaceNode(returnStatement, returnStatement.WithExpression(SyntaxFactory.IdentifierName(result).WithTriviaFrom(returned)));
        }
        else if (statements[last] is ReturnStatementSyntax)
        {
            return false;
        }
        else
        {
            editor.InsertAfter(statements[last], moved);
        }

        editor.RemoveNode(release, OwnershipSyntax.RemoveOptions(release));
        return true;
    }

    private static ISymbol? ReleasedVariable(OwnershipFixDocument loaded, ExpressionStatementSyntax release, CancellationToken cancellationToken)
    {
        foreach (var identifier in release.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (loaded.Model.GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol and (ILocalSymbol or IParameterSymbol)
                && OwnershipSyntax.ReleaseStatementOf(loaded.Model, loaded.Annotations, release, symbol, cancellationToken) is not null)
            {
                return symbol;
            }
        }

        return null;
    }

    /// <summary>Whether the statement returns, transfers or stores the variable: a release after it would release what is no longer owned.</summary>
    private static bool HandsOn(OwnershipFixDocument loaded, StatementSyntax statement, ISymbol variable, CancellationToken cancellationToken)
    {
        var none = new List<ExpressionStatementSyntax>();
        foreach (var identifier in statement.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == variable.Name
                && SymbolEqualityComparer.Default.Equals(loaded.Model.GetSymbolInfo(identifier, cancellationToken).Symbol, variable)
                && !OwnershipTryFinally.IsBorrowOrRelease(loaded.Model, loaded.Annotations, identifier, none, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsRelease(OwnershipFixDocument loaded, StatementSyntax statement, ISymbol variable, CancellationToken cancellationToken)
        => statement.DescendantNodesAndSelf().OfType<ExpressionStatementSyntax>()
            .Any(s => OwnershipSyntax.ReleaseStatementOf(loaded.Model, loaded.Annotations, s, variable, cancellationToken) is not null);
}
