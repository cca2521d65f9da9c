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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using TrefGuard.Analyzers;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0011: finalize the field with the slot API's [FinalizesSlot] method (<c>Tref.Fini(ref _field);</c>) where the
/// owner is disposed: inside <c>if (disposing)</c> of its <c>Dispose(bool)</c>, else at the end of its
/// <c>Dispose()</c> (before a trailing base call), its explicit <c>IDisposable.Dispose()</c>, or its
/// <c>DisposeAsync</c>. Without any, it creates one: an override of the base class's virtual <c>Dispose(bool)</c>
/// or <c>Dispose()</c>, or else <c>public void Dispose()</c> with <c>IDisposable</c> added to the base list (and
/// <c>using System;</c> where needed). A base class that implements IDisposable with a non-virtual Dispose gets
/// no fix: hiding it would not be called through the interface.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SlotNeverFinalizedFixer)), Shared]
public sealed class SlotNeverFinalizedFixer : CodeFixProvider
{
    /// <summary>Add the [FinalizesSlot] call to Dispose (creating Dispose if needed).</summary>
    public const string FiniInDisposeKey = "TrefGuard.TG0011.FiniInDispose";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SlotNeverFinalized);

    public override FixAllProvider GetFixAllProvider() => new SlotFixAllProvider("Finalize every slot field in Dispose", ApplyAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var solution = context.Document.Project.Solution;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (await PlanAsync(solution, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } planned)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(planned.Title, cancellationToken => ApplyAsync(solution, ImmutableArray.Create(diagnostic), cancellationToken), FiniInDisposeKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var edits = new List<SlotEdit>();
        foreach (var diagnostic in diagnostics)
        {
            if (await PlanAsync(solution, diagnostic, cancellationToken).ConfigureAwait(false) is { } planned)
            {
                edits.Add(planned.Edit);
            }
        }

        return await SlotFixPlan.ApplyAsync(solution, edits, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Title, SlotEdit Edit)?> PlanAsync(Solution solution, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(diagnostic.Location.SourceTree);
        if (document is null
            || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
            || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
            || await SlotApi.FromDiagnosticAsync(document, diagnostic, cancellationToken).ConfigureAwait(false) is not { } api
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<VariableDeclaratorSyntax>() is not { } declarator
            || model.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol field
            || api.Find(SlotOperation.Fini, field.Type) is not { } fini)
        {
            return null;
        }

        var type = field.ContainingType;
        var order = SlotApi.MemberIndex(field);
        var statement = api.CallStatement(fini, SlotApi.FieldAccess(field));
        var title = $"Finalize '{field.Name}' with {api.Type.Name}.{fini.Name} in Dispose";

        if (ExistingDisposal(type, cancellationToken) is { } existing)
        {
            if (solution.GetDocument(existing.SyntaxTree) is not { } target)
            {
                return null;
            }

            if (existing is MethodDeclarationSyntax { ParameterList.Parameters.Count: 1, Body: { } body } disposeBool
                && DisposingBlock(disposeBool, body) is { } disposing)
            {
                return (title, new SlotEdit(target.Id, SlotEditKind.BlockEnd, disposing, field.Name, order, statement));
            }

            return (title, new SlotEdit(target.Id, SlotEditKind.BodyEnd, existing, field.Name, order, statement));
        }

        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || declaration is InterfaceDeclarationSyntax
            || solution.GetDocument(declaration.SyntaxTree) is not { } home
            || NewDisposal(type, model.Compilation) is not { } create)
        {
            return null;
        }

        return (title, new SlotEdit(home.Id, SlotEditKind.NewMember, declaration, field.Name, order, statement)
        {
            Group = "dispose",
            InsertAfter = declaration.Members.LastOrDefault(),
            CreateMember = create.Member,
            UpdateDeclaration = create.AddInterface ? AddDisposable : null,
        });
    }

    /// <summary>The disposal method of the type the fix adds to, in order of preference; null when there is none to edit.</summary>
    private static BaseMethodDeclarationSyntax? ExistingDisposal(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var methods = type.GetMembers().OfType<IMethodSymbol>().Where(m => !m.IsAbstract && !m.IsStatic).ToList();
        var candidates = new IMethodSymbol?[]
        {
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.Ordinary && m.Name == "Dispose" && m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Boolean),
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.Ordinary && m.Name == "Dispose" && m.Parameters.Length == 0),
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.ExplicitInterfaceImplementation && m.ExplicitInterfaceImplementations.Any(i => i.Name == "Dispose")),
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.Ordinary && m.Name == "DisposeAsyncCore" && m.Parameters.Length == 0),
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.Ordinary && m.Name == "DisposeAsync" && m.Parameters.Length == 0),
            methods.FirstOrDefault(m => m.MethodKind == MethodKind.ExplicitInterfaceImplementation && m.ExplicitInterfaceImplementations.Any(i => i.Name == "DisposeAsync")),
        };
        foreach (var candidate in candidates)
        {
            if (candidate?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is BaseMethodDeclarationSyntax syntax && SlotSyntax.CanEditBody(syntax))
            {
                return syntax;
            }
        }

        return null;
    }

    /// <summary>The block of a top-level <c>if (disposing) { … }</c> in <c>Dispose(bool disposing)</c>.</summary>
    private static BlockSyntax? DisposingBlock(MethodDeclarationSyntax method, BlockSyntax body)
    {
        var name = method.ParameterList.Parameters[0].Identifier.ValueText;
        foreach (var statement in body.Statements)
        {
            if (statement is IfStatementSyntax { Condition: IdentifierNameSyntax condition, Statement: BlockSyntax block, Else: null } && condition.Identifier.ValueText == name)
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>What to create when the type has no disposal method: an override of the base's, or Dispose + IDisposable.</summary>
    private static (System.Func<IReadOnlyList<StatementSyntax>, MemberDeclarationSyntax> Member, bool AddInterface)? NewDisposal(INamedTypeSymbol type, Compilation compilation)
    {
        var disposable = compilation.GetSpecialType(SpecialType.System_IDisposable);
        for (var baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            foreach (var member in baseType.GetMembers("Dispose"))
            {
                if (member is not IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } method
                    || method.DeclaredAccessibility == Accessibility.Private
                    || !(method.IsVirtual || method.IsAbstract || method.IsOverride) || method.IsSealed)
                {
                    continue;
                }

                if (method.Parameters.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean)
                {
                    var parameter = method.Parameters[0].Name;
                    return (statements => Override(method, statements, disposing: parameter), false);
                }

                if (method.Parameters.Length == 0)
                {
                    return (statements => Override(method, statements, disposing: null), false);
                }
            }

            if (baseType.Interfaces.Contains(disposable, SymbolEqualityComparer.Default))
            {
                // The base implements IDisposable but offers nothing to override.
                return null;
            }
        }

        var implements = type.AllInterfaces.Contains(disposable, SymbolEqualityComparer.Default);
        return (statements => SyntaxFactory.MethodDeclaration(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword)), "Dispose")
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PublicKeyword)))
            .WithBody(SyntaxFactory.Block(statements))
            .WithAdditionalAnnotations(Formatter.Annotation), !implements);
    }

    private static MemberDeclarationSyntax Override(IMethodSymbol method, IReadOnlyList<StatementSyntax> statements, string? disposing)
    {
        var modifiers = new List<SyntaxToken>();
        switch (method.DeclaredAccessibility)
        {
            case Accessibility.Public:
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.PublicKeyword));
                break;
            case Accessibility.ProtectedOrInternal:
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.ProtectedKeyword));
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.InternalKeyword));
                break;
            case Accessibility.Internal:
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.InternalKeyword));
                break;
            default:
                modifiers.Add(SyntaxFactory.Token(SyntaxKind.ProtectedKeyword));
                break;
        }

        modifiers.Add(SyntaxFactory.Token(SyntaxKind.OverrideKeyword));
        var body = new List<StatementSyntax>();
        var parameters = SyntaxFactory.ParameterList();
        var baseArguments = SyntaxFactory.ArgumentList();
        if (disposing is not null)
        {
            parameters = parameters.AddParameters(SyntaxFactory.Parameter(SyntaxFactory.Identifier(disposing)).WithType(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.BoolKeyword))));
            baseArguments = baseArguments.AddArguments(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(disposing)));
            body.Add(SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName(disposing), SyntaxFactory.Block(statements)));
        }
        else
        {
            body.AddRange(statements);
        }

        if (!method.IsAbstract)
        {
            body.Add(SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.BaseExpression(), SyntaxFactory.IdentifierName("Dispose")),
                baseArguments)));
        }

        return SyntaxFactory.MethodDeclaration(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword)), "Dispose")
            .WithModifiers(SyntaxFactory.TokenList(modifiers))
            .WithParameterList(parameters)
            .WithBody(SyntaxFactory.Block(body))
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>Adds <c>IDisposable</c> to the declaration's base list, keeping the line break before the open brace.</summary>
    private static TypeDeclarationSyntax AddDisposable(TypeDeclarationSyntax declaration)
    {
        var type = SyntaxFactory.SimpleBaseType(
            SyntaxFactory.ParseTypeName("global::System.IDisposable").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
        if (declaration.BaseList is { } baseList)
        {
            var last = baseList.Types.Last();
            var updated = baseList.Types.Replace(last, last.WithoutTrailingTrivia()).Add(type.WithTrailingTrivia(last.GetTrailingTrivia()));
            return declaration.WithBaseList(baseList.WithTypes(updated));
        }

        // The base list goes after the last token of the header, which carries the line break.
        var header = declaration.ParameterList?.CloseParenToken ?? declaration.TypeParameterList?.GreaterThanToken ?? declaration.Identifier;
        var trailing = header.TrailingTrivia;
        var withoutBreak = declaration.ReplaceToken(header, header.WithTrailingTrivia(SyntaxFactory.Space));
        var list = SyntaxFactory.BaseList(SyntaxFactory.SingletonSeparatedList<BaseTypeSyntax>(type.WithTrailingTrivia(trailing)))
            .WithColonToken(SyntaxFactory.Token(SyntaxKind.ColonToken).WithTrailingTrivia(SyntaxFactory.Space));
        return withoutBreak.WithBaseList(list);
    }
}
