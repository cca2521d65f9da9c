// Fixtures for the verifier's self-tests (see HarnessAnalyzers.cs); not shipped, never loaded by an IDE. RS1010
// is disabled because NoEquivalenceKeyFixer omits the key on purpose, to prove the harness rejects it.
#pragma warning disable RS1010, RS1016, RS1036, RS1038, RS1041

using System;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

/// <summary>Renames the called method of an HT0001 diagnostic: "Rename to Safe" (first) or "Rename to Quiet".</summary>
public class BoomFixer : CodeFixProvider
{
    public const string RenameToSafe = "HT.RenameToSafe";
    public const string RenameToQuiet = "HT.RenameToQuiet";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("HT0001");

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            Register(context, diagnostic);
        }

        return Task.CompletedTask;
    }

    protected virtual void Register(CodeFixContext context, Diagnostic diagnostic)
    {
        context.RegisterCodeFix(CodeAction.Create("Rename to Safe", ct => RenameAsync(context.Document, diagnostic, "Safe", ct), RenameToSafe), diagnostic);
        context.RegisterCodeFix(CodeAction.Create("Rename to Quiet", ct => RenameAsync(context.Document, diagnostic, "Quiet", ct), RenameToQuiet), diagnostic);
    }

    protected static async Task<Document> RenameAsync(Document document, Diagnostic diagnostic, string newName, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var name = root!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) as SimpleNameSyntax;
        if (name is null)
        {
            return document;
        }

        return document.WithSyntaxRoot(root.ReplaceNode(name, name.WithIdentifier(SyntaxFactory.Identifier(newName).WithTriviaFrom(name.Identifier))));
    }
}

/// <summary>Renames to a method that does not exist: the fixed code does not compile.</summary>
public sealed class BrokenFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Rename to DoesNotExist", ct => RenameAsync(context.Document, diagnostic, "DoesNotExist", ct), "HT.Broken"), diagnostic);
}

/// <summary>Crashes while registering its fixes.</summary>
public sealed class ThrowingFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => throw new InvalidOperationException("harness: deliberate fixer crash");
}

/// <summary>Its action throws when it is applied.</summary>
public sealed class ThrowingActionFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Crash", _ => Task.FromException<Document>(new InvalidOperationException("harness: deliberate action crash")), "HT.Crash"), diagnostic);
}

/// <summary>Offers an action that returns the document unchanged.</summary>
public sealed class NoOpFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Do nothing", _ => Task.FromResult(context.Document), "HT.NoOp"), diagnostic);
}

/// <summary>Claims HT0001 but offers nothing for it.</summary>
public sealed class SilentFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
    {
    }
}

/// <summary>A fix without FixAll support.</summary>
public sealed class NoFixAllFixer : BoomFixer
{
    public override FixAllProvider? GetFixAllProvider() => null;
}

/// <summary>An action without an equivalence key (FixAll cannot tell it apart).</summary>
public sealed class NoEquivalenceKeyFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Rename to Safe", ct => RenameAsync(context.Document, diagnostic, "Safe", ct)), diagnostic);
}

/// <summary>Never converges: each fix adds another call to <c>Boom</c> in front of the one it was asked about.</summary>
public sealed class DivergingFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Add Boom", ct => AddBoomAsync(context.Document, diagnostic, ct), "HT.Diverge"), diagnostic);

    private static async Task<Document> AddBoomAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var statement = root!.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<StatementSyntax>()!;
        var extra = SyntaxFactory.ParseStatement("Boom();").WithTriviaFrom(statement);
        return document.WithSyntaxRoot(root.InsertNodesBefore(statement, new[] { extra }));
    }
}

/// <summary>Nests its two renames under one group action, as an IDE would show a sub-menu.</summary>
public sealed class NestedActionsFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(
            CodeAction.Create(
                "Rename",
                ImmutableArray.Create(
                    CodeAction.Create("Rename to Safe", ct => RenameAsync(context.Document, diagnostic, "Safe", ct), RenameToSafe),
                    CodeAction.Create("Rename to Quiet", ct => RenameAsync(context.Document, diagnostic, "Quiet", ct), RenameToQuiet)),
                isInlinable: false),
            diagnostic);
}

/// <summary>Renames to Safe and rewrites the whole document with CRLF line endings: the comparison must normalize them.</summary>
public sealed class CrlfFixer : BoomFixer
{
    protected override void Register(CodeFixContext context, Diagnostic diagnostic)
        => context.RegisterCodeFix(CodeAction.Create("Rename with CRLF", ct => RenameWithCrlfAsync(context.Document, diagnostic, ct), "HT.Crlf"), diagnostic);

    private static async Task<Document> RenameWithCrlfAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var renamed = await RenameAsync(document, diagnostic, "Safe", cancellationToken).ConfigureAwait(false);
        var text = await renamed.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var crlf = text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        return renamed.WithText(Microsoft.CodeAnalysis.Text.SourceText.From(crlf));
    }
}
