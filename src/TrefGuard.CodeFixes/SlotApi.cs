using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.CodeFixes;

/// <summary>Which slot operation a fix calls; the slot API's method is found by its annotations, not its name.</summary>
internal enum SlotOperation
{
    /// <summary>One ref [InitializesSlot] parameter (Tref.Init).</summary>
    Init,

    /// <summary>A ref [RequiresInitializedSlot] parameter and a [TransfersOwnership] one (Tref.Set).</summary>
    Set,

    /// <summary>One ref [RequiresInitializedSlot] parameter and nothing else (Tref.Reset).</summary>
    Reset,

    /// <summary>One ref [FinalizesSlot] parameter (Tref.Fini).</summary>
    Fini,
}

/// <summary>
/// The slot API a diagnostic names (<see cref="SlotAnalyzerCommon.SlotApi"/>, e.g. <c>TrefGuard.Tref</c>, or a user's
/// own annotated type) and the calls the slot fixers generate against it.
/// </summary>
internal sealed class SlotApi
{
    private SlotApi(INamedTypeSymbol type, AnnotationModel annotations)
    {
        Type = type;
        Annotations = annotations;
    }

    public INamedTypeSymbol Type { get; }

    public AnnotationModel Annotations { get; }

    /// <summary>The API a diagnostic names, in <paramref name="document"/>'s compilation; null when it cannot be resolved.</summary>
    public static async Task<SlotApi?> FromDiagnosticAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(SlotAnalyzerCommon.SlotApi, out var id) || id is null)
        {
            return null;
        }

        var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null
            || DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is not INamedTypeSymbol type
            || AnnotationModel.GetOrCreate(compilation, document.Project.AnalyzerOptions, cancellationToken) is not { } annotations)
        {
            return null;
        }

        return new SlotApi(type, annotations);
    }

    /// <summary>
    /// The static method of the API that performs <paramref name="operation"/> on a slot of <paramref name="slotType"/>
    /// (any slot type when null); a method named like the runtime's (Init, Set, Reset, Fini) wins a tie.
    /// </summary>
    public IMethodSymbol? Find(SlotOperation operation, ITypeSymbol? slotType)
    {
        IMethodSymbol? found = null;
        foreach (var member in Type.GetMembers())
        {
            if (member is not IMethodSymbol { IsStatic: true, MethodKind: MethodKind.Ordinary, IsGenericMethod: false } method
                || method.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected
                || !Matches(method, operation, slotType))
            {
                continue;
            }

            if (found is null || (method.Name == operation.ToString() && found.Name != operation.ToString()))
            {
                found = method;
            }
        }

        return found;
    }

    private bool Matches(IMethodSymbol method, SlotOperation operation, ITypeSymbol? slotType)
    {
        var annotations = Annotations.Get(method);
        var parameters = method.Parameters;
        var expected = operation == SlotOperation.Set ? 2 : 1;
        if (parameters.Length != expected || parameters[0].RefKind != RefKind.Ref
            || (slotType is not null && !SymbolEqualityComparer.Default.Equals(parameters[0].Type, slotType)))
        {
            return false;
        }

        var slot = annotations.GetParameter(0);
        return operation switch
        {
            SlotOperation.Init => (slot & ParameterAnnotation.InitializesSlot) != 0,
            SlotOperation.Set => (slot & ParameterAnnotation.RequiresInitializedSlot) != 0
                && (annotations.GetParameter(1) & ParameterAnnotation.TransfersOwnership) != 0
                && parameters[1].RefKind == RefKind.None,
            SlotOperation.Reset => (slot & ParameterAnnotation.RequiresInitializedSlot) != 0 && (slot & ParameterAnnotation.FinalizesSlot) == 0,
            SlotOperation.Fini => (slot & ParameterAnnotation.FinalizesSlot) != 0,
            _ => false,
        };
    }

    /// <summary><c>Api.Method(ref slot, extra…)</c>, the API's name simplified where the statement lands.</summary>
    public ExpressionSyntax Call(IMethodSymbol method, ExpressionSyntax slot, params ExpressionSyntax[] extra)
    {
        var arguments = new SeparatedSyntaxList<ArgumentSyntax>().Add(
            SyntaxFactory.Argument(null, SyntaxFactory.Token(SyntaxKind.RefKeyword), slot.WithoutTrivia()));
        foreach (var argument in extra)
        {
            arguments = arguments.Add(SyntaxFactory.Argument(argument));
        }

        var type = SyntaxFactory.ParseTypeName(Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation);
        return SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, type, SyntaxFactory.IdentifierName(method.Name)),
            SyntaxFactory.ArgumentList(arguments));
    }

    public StatementSyntax CallStatement(IMethodSymbol method, ExpressionSyntax slot, params ExpressionSyntax[] extra)
        => SyntaxFactory.ExpressionStatement(Call(method, slot, extra));

    /// <summary><c>this.field</c> or <c>Type.field</c>, simplified to <c>field</c> where nothing shadows it.</summary>
    public static ExpressionSyntax FieldAccess(IFieldSymbol field)
    {
        ExpressionSyntax receiver = field.IsStatic
            ? SyntaxFactory.ParseTypeName(field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            : SyntaxFactory.ThisExpression();
        return SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName(field.Name))
            .WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>A field's place among its type's members: declaration order, across the files of a partial type.</summary>
    public static int MemberIndex(IFieldSymbol field)
    {
        var members = field.ContainingType.GetMembers();
        for (var i = 0; i < members.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(members[i], field))
            {
                return i;
            }
        }

        return members.Length;
    }
}
