using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TrefGuard.Analyzers;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0013: take a reference for the caller before handing it out: <c>return _r;</c> becomes <c>return _r.Get();</c>.
/// The method is the value type's own [AcquiresReference] instance method without parameters that returns the same
/// type (TaskRef.Get, TaskStruct.Get, a handle's AddRef), found through the annotations; a type without one (a pool
/// lease, whose Rent is on the pool) gets no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReturnsUnownedReferenceFixer)), Shared]
public sealed class ReturnsUnownedReferenceFixer : CodeFixProvider
{
    /// <summary><c>return x;</c> becomes <c>return x.Get();</c> (<c>x?.Get()</c> where x may be null).</summary>
    public const string TakeReferenceKey = "TrefGuard.TG0013.TakeReference";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.ReturnsUnownedReference);

    // Each fix rewrites its own returned expression, and no two diagnostics share one: the edits merge cleanly.
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var loaded = await OwnershipFixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var span = diagnostic.Location.SourceSpan;
            if (OwnershipSyntax.ExpressionAt(loaded.Root, span) is not { } returned
                || loaded.Model.GetTypeInfo(returned, context.CancellationToken) is not { Type: { TypeKind: not TypeKind.Error } type } typeInfo
                || FindAcquisition(loaded.Annotations, loaded.Model, span.Start, type) is not { } acquire)
            {
                continue;
            }

            var mayBeNull = type.IsReferenceType && typeInfo.Nullability.FlowState == NullableFlowState.MaybeNull;
            var action = await loaded.TryCreateActionAsync(
                $"Return a reference of its own: '{acquire.Name}()'",
                TakeReferenceKey,
                editor =>
                {
                    editor.ReplaceNode(returned, Acquiring(returned, acquire.Name, mayBeNull).WithTriviaFrom(returned));
                    return true;
                },
                context.CancellationToken).ConfigureAwait(false);
            if (action is not null)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    /// <summary>An accessible [AcquiresReference] instance method of the type without parameters whose result is that type.</summary>
    private static IMethodSymbol? FindAcquisition(AnnotationModel annotations, SemanticModel model, int position, ITypeSymbol valueType)
    {
        for (var type = valueType; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary, Parameters.IsEmpty: true, IsGenericMethod: false, ReturnsVoid: false } method
                    && annotations.Get(method).AcquiresReference
                    && IsSameOrDerived(method.ReturnType, valueType)
                    && model.IsAccessible(position, method))
                {
                    return method;
                }
            }
        }

        return null;
    }

    private static bool IsSameOrDerived(ITypeSymbol type, ITypeSymbol target)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.WithNullableAnnotation(NullableAnnotation.None), target.WithNullableAnnotation(NullableAnnotation.None)))
            {
                return true;
            }
        }

        return false;
    }

    private static ExpressionSyntax Acquiring(ExpressionSyntax returned, string methodName, bool mayBeNull)
    {
        var receiver = returned.WithoutTrivia();
        if (!IsPrimary(receiver))
        {
            receiver = SyntaxFactory.ParenthesizedExpression(receiver);
        }

        var name = SyntaxFactory.IdentifierName(methodName);
        return mayBeNull
            ? SyntaxFactory.ConditionalAccessExpression(receiver, SyntaxFactory.InvocationExpression(SyntaxFactory.MemberBindingExpression(name)))
            : SyntaxFactory.InvocationExpression(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, name));
    }

    /// <summary>An expression that <c>.Get()</c> can follow without changing what it applies to.</summary>
    private static bool IsPrimary(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax or GenericNameSyntax or ThisExpressionSyntax or ParenthesizedExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax => true,
        MemberAccessExpressionSyntax access => access.IsKind(SyntaxKind.SimpleMemberAccessExpression),
        PostfixUnaryExpressionSyntax postfix => postfix.IsKind(SyntaxKind.SuppressNullableWarningExpression),
        _ => false,
    };
}
