using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TrefGuard.Analyzers;

namespace TrefGuard.CodeFixes;

/// <summary>TG0010: release the reference in a finally block, so that an exception cannot skip the release.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LeakOnExceptionFixer)), Shared]
public sealed class LeakOnExceptionFixer : CodeFixProvider
{
    /// <summary>Wrap the rest of the variable's scope in try/finally, moving its releases into the finally.</summary>
    public const string ReleaseInFinallyKey = "TrefGuard.TG0010.ReleaseInFinally";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LeakOnException);

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
            if (OwnershipSyntax.DeclaratorAt(loaded.Root, span) is not { } declarator)
            {
                await RegisterForReceiverAsync(context, loaded, diagnostic).ConfigureAwait(false);
                continue;
            }

            var acquisition = OwnershipSyntax.InitializerAcquisition(loaded.Model, declarator, context.CancellationToken);
            var valueType = acquisition?.Type ?? (loaded.Model.GetDeclaredSymbol(declarator, context.CancellationToken) as ILocalSymbol)?.Type;
            if (OwnershipRelease.Find(loaded.Annotations, loaded.Model, span.Start, valueType, acquisition) is not { } release)
            {
                continue;
            }

            var action = await loaded.TryCreateActionAsync(
                $"Release '{declarator.Identifier.ValueText}' in a finally block",
                ReleaseInFinallyKey,
                editor => OwnershipTryFinally.TryApply(editor, loaded.Model, loaded.Annotations, declarator, release, mayBeNull: false, context.CancellationToken),
                context.CancellationToken).ConfigureAwait(false);
            if (action is not null)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    /// <summary>A count taken through a receiver (<c>h.DangerousAddRef(ref ok);</c>): the rest of the block goes into the try.</summary>
    private static async Task RegisterForReceiverAsync(CodeFixContext context, OwnershipFixDocument loaded, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        if (OwnershipSyntax.ExpressionAt(loaded.Root, span) is not { Parent: ExpressionStatementSyntax statement } expression
            || MissedPutFixer.ReceiverOf(loaded.Model.GetOperation(expression, context.CancellationToken)) is not { } receiver
            || OwnershipSyntax.Referenced(receiver) is not { } variable
            || OwnershipRelease.Find(loaded.Annotations, loaded.Model, span.Start, receiver.Type, acquisition: null) is not { } release)
        {
            return;
        }

        var action = await loaded.TryCreateActionAsync(
            $"Release '{variable.Name}' in a finally block",
            ReleaseInFinallyKey,
            editor => OwnershipTryFinally.TryApplyAfterReceiverAcquisition(editor, loaded.Model, loaded.Annotations, statement, variable, release, context.CancellationToken),
            context.CancellationToken).ConfigureAwait(false);
        if (action is not null)
        {
            context.RegisterCodeFix(action, diagnostic);
        }
    }
}
