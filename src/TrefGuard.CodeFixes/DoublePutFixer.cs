using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TrefGuard.Analyzers;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.CodeFixes;

/// <summary>
/// TG0004: remove the second release. Only offered where every path reaching it has already released the value:
/// where some path still owns it, removing the release would leak there instead.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DoublePutFixer)), Shared]
public sealed class DoublePutFixer : CodeFixProvider
{
    /// <summary>Delete the release statement that releases the value again.</summary>
    public const string RemoveSecondReleaseKey = "TrefGuard.TG0004.RemoveSecondRelease";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.DoublePut);

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
            if (diagnostic.Properties.ContainsKey(OwnershipAnalyzerCommon.MayBeOwned)
                || OwnershipFixes.ReleaseStatementAt(loaded.Root, diagnostic.Location.SourceSpan) is not { } statement)
            {
                continue;
            }

            var action = await loaded.TryCreateActionAsync(
                "Remove the second release",
                RemoveSecondReleaseKey,
                editor =>
                {
                    OwnershipSyntax.RemoveRelease(editor, statement);
                    return true;
                },
                context.CancellationToken).ConfigureAwait(false);
            if (action is not null)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }
}
