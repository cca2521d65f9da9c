using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.Editing;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>What every ownership fixer loads for a diagnostic's document, and how it turns an edit into a code action.</summary>
internal sealed class OwnershipFixDocument
{
    private OwnershipFixDocument(Document document, SyntaxNode root, SemanticModel model, AnnotationModel annotations)
    {
        Document = document;
        Root = root;
        Model = model;
        Annotations = annotations;
    }

    public Document Document { get; }

    public SyntaxNode Root { get; }

    public SemanticModel Model { get; }

    public AnnotationModel Annotations { get; }

    public static async Task<OwnershipFixDocument?> LoadAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var annotations = await OwnershipRelease.GetAnnotationsAsync(document, cancellationToken).ConfigureAwait(false);
        return root is null || model is null || annotations is null ? null : new OwnershipFixDocument(document, root, model, annotations);
    }

    /// <summary>
    /// Runs <paramref name="edit"/> now, so that a fix is only offered when it can be made and the result compiles
    /// (no compiler error the document did not already have: a release the flow cannot reach, a name out of scope).
    /// </summary>
    public async Task<CodeAction?> TryCreateActionAsync(string title, string equivalenceKey, Func<SyntaxEditor, bool> edit, CancellationToken cancellationToken)
    {
        var changed = await TryEditAsync(edit, cancellationToken).ConfigureAwait(false);
        return changed is null ? null : CreateAction(title, equivalenceKey, changed);
    }

    /// <summary>The edited document, or null when the edit cannot be made or would not compile.</summary>
    public async Task<Document?> TryEditAsync(Func<SyntaxEditor, bool> edit, CancellationToken cancellationToken)
    {
        var editor = new SyntaxEditor(Root, Document.Project.Solution.Services);
        if (!edit(editor))
        {
            return null;
        }

        var changed = await OwnershipRelease.FinishAsync(Document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
        var changedModel = await changed.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (changedModel is null || CountErrors(changedModel, cancellationToken) > CountErrors(Model, cancellationToken))
        {
            return null;
        }

        return changed;
    }

    public static CodeAction CreateAction(string title, string equivalenceKey, Document changed)
        => CodeAction.Create(title, _ => Task.FromResult(changed), equivalenceKey);

    /// <summary>Whether a rule is switched off for this document (.editorconfig, global config or compilation options).</summary>
    public bool IsSuppressed(string id, CancellationToken cancellationToken)
    {
        var options = Model.Compilation.Options;
        var value = options.SpecificDiagnosticOptions.TryGetValue(id, out var specific) ? specific : ReportDiagnostic.Default;
        if (options.SyntaxTreeOptionsProvider is { } provider)
        {
            if (provider.TryGetDiagnosticValue(Model.SyntaxTree, id, cancellationToken, out var inTree))
            {
                value = inTree;
            }
            else if (provider.TryGetGlobalDiagnosticValue(id, cancellationToken, out var global))
            {
                value = global;
            }
        }

        return value == ReportDiagnostic.Suppress;
    }

    private static int CountErrors(SemanticModel model, CancellationToken cancellationToken)
    {
        var errors = 0;
        foreach (var diagnostic in model.GetDiagnostics(cancellationToken: cancellationToken))
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                errors++;
            }
        }

        return errors;
    }
}
