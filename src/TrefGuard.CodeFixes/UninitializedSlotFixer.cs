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
using TrefGuard.Analyzers;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0003: initialize the slot with the [InitializesSlot] method of the failing call's type (<c>Tref.Init(ref …)</c>):
/// a local right after its declaration; a slot that was finalized or found null right before the failing statement;
/// a field at the start of every constructor that leaves it uninitialized, creating a constructor (or a static one)
/// when the type declares none. A type with a primary constructor gets no fix: its primary constructor, which every
/// constructor runs, has no body to call Init from.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UninitializedSlotFixer)), Shared]
public sealed class UninitializedSlotFixer : CodeFixProvider
{
    /// <summary>Insert the [InitializesSlot] call.</summary>
    public const string InsertInitKey = "TrefGuard.TG0003.InsertInit";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UninitializedSlot);

    public override FixAllProvider GetFixAllProvider() => new SlotFixAllProvider("Initialize every slot before its use", ApplyAsync);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var solution = context.Document.Project.Solution;
        foreach (var diagnostic in context.Diagnostics)
        {
            var planned = await PlanAsync(solution, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (planned is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(planned.Value.Title, cancellationToken => ApplyAsync(solution, ImmutableArray.Create(diagnostic), cancellationToken), InsertInitKey),
                diagnostic);
        }
    }

    private static async Task<Solution> ApplyAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var edits = new List<SlotEdit>();
        foreach (var diagnostic in diagnostics)
        {
            if (await PlanAsync(solution, diagnostic, cancellationToken).ConfigureAwait(false) is { } planned)
            {
                edits.AddRange(planned.Edits);
            }
        }

        return await SlotFixPlan.ApplyAsync(solution, edits, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Title, List<SlotEdit> Edits)?> PlanAsync(Solution solution, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(diagnostic.Location.SourceTree);
        if (document is null
            || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
            || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
            || await SlotApi.FromDiagnosticAsync(document, diagnostic, cancellationToken).ConfigureAwait(false) is not { } api
            || !diagnostic.Properties.TryGetValue(SlotAnalyzerCommon.SlotArgument, out var indexText)
            || !int.TryParse(indexText, out var index)
            || !diagnostic.Properties.TryGetValue(SlotAnalyzerCommon.Fix, out var fix))
        {
            return null;
        }

        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation
            || index < 0 || index >= invocation.ArgumentList.Arguments.Count)
        {
            return null;
        }

        var slotExpression = invocation.ArgumentList.Arguments[index].Expression;
        var slot = model.GetSymbolInfo(slotExpression, cancellationToken).Symbol;
        var slotType = slot switch
        {
            IFieldSymbol field => field.Type,
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        if (slotType is null || api.Find(SlotOperation.Init, slotType) is not { } init)
        {
            return null;
        }

        var title = $"Initialize '{slot!.Name}' with {api.Type.Name}.{init.Name}";
        var edits = new List<SlotEdit>();
        switch (fix)
        {
            case SlotAnalyzerCommon.FixAfterDeclaration when slot is ILocalSymbol local && AfterDeclaration(document, model, local, api, init, cancellationToken) is { } after:
                edits.Add(after);
                break;
            case SlotAnalyzerCommon.FixAfterDeclaration:
            case SlotAnalyzerCommon.FixBeforeStatement:
                if (SlotSyntax.FindInsertionAnchor(invocation) is not { } anchor)
                {
                    return null;
                }

                edits.Add(new SlotEdit(document.Id, SlotEditKind.Before, anchor, slotExpression.ToString(), slotExpression.SpanStart, api.CallStatement(init, slotExpression)));
                break;
            case SlotAnalyzerCommon.FixConstructors when slot is IFieldSymbol field:
                if (!await PlanConstructorsAsync(solution, diagnostic, field.OriginalDefinition, api, init, edits, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                break;
            default:
                return null;
        }

        return (title, edits);
    }

    /// <summary>
    /// Right after the local's declaration, which precedes every use: one initialization however many uses fail.
    /// Initializations of locals of the same declaration stay in declaration order whatever order they are fixed in.
    /// </summary>
    private static SlotEdit? AfterDeclaration(Document document, SemanticModel model, ILocalSymbol local, SlotApi api, IMethodSymbol init, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer: not null } declarator
            || declarator.Parent is not VariableDeclarationSyntax { Parent: LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0 } statement } declaration
            || !SlotSyntax.CanInsertAfter(statement))
        {
            return null;
        }

        var order = declaration.Variables.IndexOf(declarator);
        var call = api.CallStatement(init, SyntaxFactory.IdentifierName(local.Name));
        var siblings = statement.Parent switch
        {
            BlockSyntax block => block.Statements,
            SwitchSectionSyntax section => section.Statements,
            _ => default,
        };
        var anchor = (StatementSyntax)statement;
        for (var i = siblings.IndexOf(statement) + 1; i > 0 && i < siblings.Count; i++)
        {
            if (InitializedSymbol(siblings[i], api.Annotations, model, cancellationToken) is not ILocalSymbol other
                || other.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax otherDeclarator
                || otherDeclarator.Parent != declaration)
            {
                break;
            }

            if (declaration.Variables.IndexOf(otherDeclarator) > order)
            {
                return new SlotEdit(document.Id, SlotEditKind.Before, siblings[i], local.Name, order, call);
            }

            anchor = siblings[i];
        }

        return new SlotEdit(document.Id, SlotEditKind.After, anchor, local.Name, order, call);
    }

    /// <summary>The field's initialization at the start of each constructor the diagnostic names, or in a new one.</summary>
    private static async Task<bool> PlanConstructorsAsync(Solution solution, Diagnostic diagnostic, IFieldSymbol field, SlotApi api, IMethodSymbol init, List<SlotEdit> edits, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(SlotAnalyzerCommon.Constructors, out var constructors) || string.IsNullOrEmpty(constructors)
            || constructors == SlotAnalyzerCommon.PrimaryConstructor)
        {
            return false;
        }

        var order = SlotApi.MemberIndex(field);
        var statement = api.CallStatement(init, SlotApi.FieldAccess(field));
        if (constructors == SlotAnalyzerCommon.NewConstructor)
        {
            return NewConstructor(solution, field, statement, order, edits, cancellationToken);
        }

        var compilation = api.Annotations.Compilation;
        foreach (var id in constructors!.Split(SlotAnalyzerCommon.ConstructorSeparator))
        {
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is not IMethodSymbol constructor
                || constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not ConstructorDeclarationSyntax declaration
                || !SlotSyntax.CanEditBody(declaration)
                || solution.GetDocument(declaration.SyntaxTree) is not { } document
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
            {
                return false;
            }

            if (declaration.Body is not { Statements: { Count: > 0 } statements })
            {
                edits.Add(new SlotEdit(document.Id, SlotEditKind.BodyStart, declaration, field.Name, order, statement));
                continue;
            }

            // The constructor's leading initializations stay in field order, so that fixing one field at a time and
            // fixing them all at once give the same constructor.
            var leading = 0;
            SlotEdit? placed = null;
            while (leading < statements.Count && InitializedSymbol(statements[leading], api.Annotations, model, cancellationToken) is IFieldSymbol initialized
                && SymbolEqualityComparer.Default.Equals(initialized.ContainingType, field.ContainingType))
            {
                if (placed is null && SlotApi.MemberIndex(initialized) > order)
                {
                    placed = new SlotEdit(document.Id, SlotEditKind.Before, statements[leading], field.Name, order, statement);
                }

                leading++;
            }

            edits.Add(placed
                ?? (leading > 0
                    ? new SlotEdit(document.Id, SlotEditKind.After, statements[leading - 1], field.Name, order, statement)
                    : new SlotEdit(document.Id, SlotEditKind.Before, statements[0], field.Name, order, statement)));

            // An initialization later in the body would now initialize the slot twice, leaking what the first stored.
            for (var i = leading; i < statements.Count; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(InitializedSymbol(statements[i], api.Annotations, model, cancellationToken), field))
                {
                    edits.Add(new SlotEdit(document.Id, SlotEditKind.Remove, statements[i], string.Empty, 0, null));
                }
            }
        }

        return true;
    }

    /// <summary>The variable a statement passes to an [InitializesSlot] parameter, if it is such a call.</summary>
    private static ISymbol? InitializedSymbol(StatementSyntax statement, AnnotationModel annotations, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation }
            || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var parameters = annotations.Get(method);
        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            if (argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword)
                && model.GetSymbolInfo(argument.Expression, cancellationToken).Symbol is { } variable
                && DetermineParameter(method, invocation, argument) is { } parameter
                && (parameters.GetParameter(parameter.Ordinal) & ParameterAnnotation.InitializesSlot) != 0)
            {
                return variable.OriginalDefinition;
            }
        }

        return null;
    }

    private static IParameterSymbol? DetermineParameter(IMethodSymbol method, InvocationExpressionSyntax invocation, ArgumentSyntax argument)
    {
        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText);
        }

        var index = invocation.ArgumentList.Arguments.IndexOf(argument);
        return index >= 0 && index < method.Parameters.Length ? method.Parameters[index] : null;
    }

    /// <summary>A constructor (static for a static field) that initializes the field, in the declaration that declares it.</summary>
    private static bool NewConstructor(Solution solution, IFieldSymbol field, StatementSyntax statement, int order, List<SlotEdit> edits, CancellationToken cancellationToken)
    {
        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type
            || type.ParameterList is not null
            || type is InterfaceDeclarationSyntax
            || solution.GetDocument(type.SyntaxTree) is not { } document)
        {
            return false;
        }

        var isStatic = field.IsStatic;
        var modifier = isStatic
            ? SyntaxKind.StaticKeyword
            : field.ContainingType.IsAbstract ? SyntaxKind.ProtectedKeyword : SyntaxKind.PublicKeyword;
        var name = type.Identifier.WithoutTrivia();
        var lastField = type.Members.OfType<FieldDeclarationSyntax>().LastOrDefault();
        edits.Add(new SlotEdit(document.Id, SlotEditKind.NewMember, type, field.Name, order, statement)
        {
            Group = isStatic ? "static constructor" : "constructor",
            InsertAfter = lastField,
            CreateMember = statements => SyntaxFactory.ConstructorDeclaration(name)
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(modifier)))
                .WithBody(SyntaxFactory.Block(statements))
                .WithAdditionalAnnotations(Formatter.Annotation),
        });
        return true;
    }
}
