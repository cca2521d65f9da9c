using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using TrefGuard.Analyzers;

namespace TrefGuard.CodeFixes;

/// <summary>TG0008: bind the discarded reference to a local and release it, so that the count it carries is given back.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DiscardedAcquisitionFixer)), Shared]
public sealed class DiscardedAcquisitionFixer : CodeFixProvider
{
    /// <summary><c>Get();</c> becomes <c>var r = Get(); r.Put();</c>.</summary>
    public const string BindAndReleaseKey = "TrefGuard.TG0008.BindAndRelease";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.DiscardedAcquisition);

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
            var span = diagnostic.Location.SourceSpan;
            if (OwnershipSyntax.ExpressionAt(loaded.Root, span) is not { } expression)
            {
                continue;
            }

            var acquisition = OwnershipSyntax.Strip(loaded.Model.GetOperation(expression, context.CancellationToken));
            var valueType = acquisition?.Type;
            if (OwnershipRelease.Find(loaded.Annotations, loaded.Model, span.Start, valueType, acquisition) is not { } release)
            {
                continue;
            }

            var action = await loaded.TryCreateActionAsync(
                "Keep the reference in a local and release it",
                BindAndReleaseKey,
                editor => OwnershipBinding.TryBindDiscarded(editor, loaded.Model, expression, release, valueType, mayBeNull: false, context.CancellationToken),
                context.CancellationToken).ConfigureAwait(false);
            if (action is not null)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }
}
