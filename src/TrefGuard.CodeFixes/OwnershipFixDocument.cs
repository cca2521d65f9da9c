using System;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Editing;
using TrefGuard.Analyzers;
using TrefGuard.Analyzers.Rules;
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

    private static readonly string[] s_guarded = { RuleIdentifiers.MissedPut, RuleIdentifiers.DoublePut, RuleIdentifiers.UseAfterPut };

    private int? _originalErrors;
    private int[]? _originalFindings;

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
        _originalErrors ??= CountErrors(Model, cancellationToken);
        if (changedModel is null || CountErrors(changedModel, cancellationToken) > _originalErrors)
        {
            return null;
        }

        // A fix must not trade the diagnostic for another of the family: a put where another path already released
        // (a double put), a release moved before a use, a removal that leaks. The analysis is the judge of that.
        _originalFindings ??= await CountFindingsAsync(Model, cancellationToken).ConfigureAwait(false);
        var findings = await CountFindingsAsync(changedModel, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < findings.Length; i++)
        {
            if (findings[i] > _originalFindings[i])
            {
                return null;
            }
        }

        return changed;
    }

    /// <summary>How many TG0001, TG0004 and TG0005 the ownership analysis reports in the model's tree.</summary>
    private async Task<int[]> CountFindingsAsync(SemanticModel model, CancellationToken cancellationToken)
    {
        var counts = new int[s_guarded.Length];
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new OwnershipAnalyzer());
        var withAnalyzers = model.Compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            Document.Project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        foreach (var diagnostic in await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, cancellationToken).ConfigureAwait(false))
        {
            var index = System.Array.IndexOf(s_guarded, diagnostic.Id);
            if (index >= 0)
            {
                counts[index]++;
            }
        }

        return counts;
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
