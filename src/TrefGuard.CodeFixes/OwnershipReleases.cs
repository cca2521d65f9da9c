using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>
/// How a value is released, found through the annotations rather than by name, so that a user's handle types
/// (a pool lease, a SafeHandle-style pair, an entity handle) get the same fixes as TaskRef and TaskStruct.
/// </summary>
internal sealed class OwnershipRelease
{
    private OwnershipRelease(ExpressionSyntax? target, string methodName)
    {
        Target = target;
        MethodName = methodName;
    }

    /// <summary>Null for <c>x.Put()</c>; else the receiver or type whose method takes the value: <c>pool.Return(x)</c>, <c>Handles.Close(x)</c>.</summary>
    public ExpressionSyntax? Target { get; }

    public string MethodName { get; }

    /// <summary>Marks the release statements a fix creates, so that <see cref="FinishAsync"/> can make them null-safe where the value may be null.</summary>
    public static SyntaxAnnotation Annotation { get; } = new("TrefGuard.OwnershipRelease");

    /// <summary>Like <see cref="Annotation"/>, for a release the analysis already knows may see null.</summary>
    public static SyntaxAnnotation ConditionalAnnotation { get; } = new("TrefGuard.OwnershipRelease.Conditional");

    public static async Task<AnnotationModel?> GetAnnotationsAsync(Document document, CancellationToken cancellationToken)
    {
        var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        return compilation is null ? null : AnnotationModel.GetOrCreate(compilation, document.Project.AnalyzerOptions, cancellationToken);
    }

    /// <summary>
    /// The release for a value of <paramref name="valueType"/>: the type's own [ReleasesReference] instance method;
    /// else a method of the acquiring call's receiver that takes it back (<c>pool.Rent</c> / <c>pool.Return(x)</c>);
    /// else a static method with a [ReleasesReference] parameter on the acquiring member's type or on the value's type.
    /// </summary>
    public static OwnershipRelease? Find(AnnotationModel annotations, SemanticModel model, int position, ITypeSymbol? valueType, IOperation? acquisition)
    {
        if (valueType is null || valueType.TypeKind == TypeKind.Error)
        {
            return null;
        }

        for (var type = valueType; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary, Parameters.Length: 0 } method
                    && annotations.Get(method).ReleasesThis && model.IsAccessible(position, method))
                {
                    return new OwnershipRelease(null, method.Name);
                }
            }
        }

        if (acquisition is IInvocationOperation { Instance: { } instance } && IsRepeatable(instance.Syntax)
            && instance.Type is { } receiverType && FindTaking(annotations, model, position, receiverType, valueType, wantStatic: false) is { } taking)
        {
            return new OwnershipRelease(((ExpressionSyntax)instance.Syntax).WithoutTrivia(), taking.Name);
        }

        var owners = new List<ITypeSymbol>(2);
        if (acquisition is IInvocationOperation { Instance: null, TargetMethod.ContainingType: { } declaring })
        {
            owners.Add(declaring);
        }

        owners.Add(valueType);
        foreach (var owner in owners)
        {
            if (FindTaking(annotations, model, position, owner, valueType, wantStatic: true) is { } staticRelease)
            {
                var typeName = SyntaxFactory.ParseTypeName(owner.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToMinimalDisplayString(model, position));
                return new OwnershipRelease(typeName, staticRelease.Name);
            }
        }

        return null;
    }

    /// <summary><c>x.Put();</c>, <c>pool.Return(x);</c> or <c>Type.Release(x);</c>, annotated for <see cref="FinishAsync"/>.</summary>
    public StatementSyntax Statement(string variable, bool mayBeNull = false)
    {
        ExpressionSyntax call = Target is null
            ? SyntaxFactory.InvocationExpression(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(variable), SyntaxFactory.IdentifierName(MethodName)))
            : SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Target, SyntaxFactory.IdentifierName(MethodName)),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(variable)))));
        return SyntaxFactory.ExpressionStatement(call)
            .WithAdditionalAnnotations(mayBeNull ? ConditionalAnnotation : Annotation, Formatter.Annotation);
    }

    /// <summary>
    /// Makes each release a fix created null-safe where the compiler's nullable analysis (or the ownership analysis)
    /// says the value may be null there: <c>x?.Put();</c>, or <c>if (x is not null) pool.Return(x);</c>.
    /// </summary>
    public static async Task<Document> FinishAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var releases = root.GetAnnotatedNodes(Annotation).Concat(root.GetAnnotatedNodes(ConditionalAnnotation)).OfType<ExpressionStatementSyntax>().ToList();
        if (releases.Count == 0)
        {
            return document;
        }

        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return document;
        }

        var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
        foreach (var release in releases)
        {
            if (release.Expression is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation)
            {
                continue;
            }

            var forced = release.HasAnnotation(ConditionalAnnotation);
            if (invocation.ArgumentList.Arguments.Count == 0 && access.Expression is IdentifierNameSyntax receiver)
            {
                if (forced || MayBeNull(model, receiver, cancellationToken))
                {
                    var conditional = SyntaxFactory.ConditionalAccessExpression(
                        receiver,
                        SyntaxFactory.InvocationExpression(SyntaxFactory.MemberBindingExpression(access.Name), invocation.ArgumentList));
                    replacements.Add(release, release.WithExpression(conditional).WithoutAnnotations(Annotation).WithoutAnnotations(ConditionalAnnotation));
                }
            }
            else if (invocation.ArgumentList.Arguments.Count == 1 && invocation.ArgumentList.Arguments[0].Expression is IdentifierNameSyntax argument
                && (forced || MayBeNull(model, argument, cancellationToken)))
            {
                var test = SyntaxFactory.IsPatternExpression(argument, SyntaxFactory.UnaryPattern(SyntaxFactory.Token(SyntaxKind.NotKeyword), SyntaxFactory.ConstantPattern(SyntaxFactory.LiteralExpression(SyntaxKind.NullLiteralExpression))));
                var guarded = SyntaxFactory.IfStatement(test, release.WithoutAnnotations(Annotation).WithoutAnnotations(ConditionalAnnotation)).WithAdditionalAnnotations(Formatter.Annotation);
                replacements.Add(release, guarded);
            }
        }

        if (replacements.Count == 0)
        {
            return document;
        }

        return document.WithSyntaxRoot(root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]));
    }

    private static bool MayBeNull(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
        => model.GetTypeInfo(expression, cancellationToken).Nullability.FlowState == NullableFlowState.MaybeNull;

    private static IMethodSymbol? FindTaking(AnnotationModel annotations, SemanticModel model, int position, ITypeSymbol owner, ITypeSymbol valueType, bool wantStatic)
    {
        for (var type = owner; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, Parameters.Length: 1 } method && method.IsStatic == wantStatic
                    && (annotations.Get(method).GetParameter(0) & ParameterAnnotation.ReleasesReference) != 0
                    && method.Parameters[0].RefKind == RefKind.None
                    && Accepts(model.Compilation, method.Parameters[0].Type, valueType)
                    && model.IsAccessible(position, method))
                {
                    return method;
                }
            }
        }

        return null;
    }

    private static bool Accepts(Compilation compilation, ITypeSymbol parameterType, ITypeSymbol valueType)
    {
        var conversion = compilation.ClassifyCommonConversion(valueType, parameterType);
        return conversion.IsIdentity || (conversion.IsImplicit && conversion.IsReference);
    }

    /// <summary>A receiver that can be written again at another place with the same meaning: names, <c>this</c>, member accesses of those.</summary>
    private static bool IsRepeatable(SyntaxNode syntax) => syntax switch
    {
        IdentifierNameSyntax or ThisExpressionSyntax or GenericNameSyntax or PredefinedTypeSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax => true,
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access => IsRepeatable(access.Expression),
        _ => false,
    };
}
