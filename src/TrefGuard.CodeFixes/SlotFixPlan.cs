using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace TrefGuard.CodeFixes;

/// <summary>Where a planned slot edit goes.</summary>
internal enum SlotEditKind
{
    /// <summary>Statements before an anchor from <see cref="SlotSyntax.FindInsertionAnchor"/>.</summary>
    Before,

    /// <summary>Statements after a declaration statement.</summary>
    After,

    /// <summary>Statements at the start of a constructor's body.</summary>
    BodyStart,

    /// <summary>Statements at the end of a method's body (before its trailing return or base call).</summary>
    BodyEnd,

    /// <summary>Statements at the end of a block (the <c>if (disposing)</c> block of <c>Dispose(bool)</c>).</summary>
    BlockEnd,

    /// <summary>A new member (a constructor, a Dispose method) in a type declaration.</summary>
    NewMember,

    /// <summary>A replacement for a node.</summary>
    Replace,

    /// <summary>A statement to remove.</summary>
    Remove,
}

/// <summary>
/// One edit a slot fix wants, planned against the original solution. Edits from many diagnostics are merged by
/// <see cref="SlotFixPlan.ApplyAsync"/>: statements for the same anchor are made once each (by <see cref="Key"/>)
/// and in a stable order, so a single fix and FixAll give the same code.
/// </summary>
internal sealed class SlotEdit
{
    public SlotEdit(DocumentId document, SlotEditKind kind, SyntaxNode anchor, string key, int order, StatementSyntax? statement)
    {
        Document = document;
        Kind = kind;
        Anchor = anchor;
        Key = key;
        Order = order;
        Statement = statement;
    }

    public DocumentId Document { get; }

    public SlotEditKind Kind { get; }

    /// <summary>The node the edit is relative to (a statement, a member, a type declaration, the node to replace).</summary>
    public SyntaxNode Anchor { get; }

    /// <summary>Two edits of the same kind at the same anchor with the same key are one edit.</summary>
    public string Key { get; }

    /// <summary>Position among the statements at the same anchor (a field's or a variable's declaration order).</summary>
    public int Order { get; }

    public StatementSyntax? Statement { get; }

    /// <summary>Separates edits of the same kind at the same anchor that are different members (a constructor and a static one).</summary>
    public string Group { get; set; } = string.Empty;

    /// <summary>For <see cref="SlotEditKind.NewMember"/>: builds the member from the merged statements.</summary>
    public System.Func<IReadOnlyList<StatementSyntax>, MemberDeclarationSyntax>? CreateMember { get; set; }

    /// <summary>For <see cref="SlotEditKind.NewMember"/>: the member to insert the new one after (else it goes first).</summary>
    public SyntaxNode? InsertAfter { get; set; }

    /// <summary>For <see cref="SlotEditKind.NewMember"/>: a type to add to the declaration's base list, when it lacks it.</summary>
    public System.Func<TypeDeclarationSyntax, TypeDeclarationSyntax>? UpdateDeclaration { get; set; }

    /// <summary>For <see cref="SlotEditKind.Replace"/>: the replacement.</summary>
    public SyntaxNode? Replacement { get; set; }
}

/// <summary>Merges and applies planned slot edits.</summary>
internal static class SlotFixPlan
{
    public static async Task<Solution> ApplyAsync(Solution solution, IEnumerable<SlotEdit> edits, CancellationToken cancellationToken)
    {
        var editor = new SolutionEditor(solution);
        foreach (var byDocument in edits.GroupBy(e => e.Document))
        {
            var documentEditor = await editor.GetDocumentEditorAsync(byDocument.Key, cancellationToken).ConfigureAwait(false);
            var model = documentEditor.SemanticModel;

            // Whole-node edits first wins over statement edits inside the same node: a replaced or removed node
            // can no longer take insertions.
            var removed = new HashSet<SyntaxNode>();
            foreach (var edit in byDocument.Where(e => e.Kind is SlotEditKind.Remove or SlotEditKind.Replace).GroupBy(e => e.Anchor).Select(g => g.First()))
            {
                if (edit.Kind == SlotEditKind.Remove)
                {
                    documentEditor.RemoveNode(edit.Anchor, SyntaxRemoveOptions.KeepNoTrivia);
                }
                else if (edit.Replacement is { } replacement)
                {
                    documentEditor.ReplaceNode(edit.Anchor, replacement);
                }

                removed.Add(edit.Anchor);
            }

            foreach (var group in byDocument.Where(e => e.Kind is not (SlotEditKind.Remove or SlotEditKind.Replace))
                .GroupBy(e => (e.Kind, e.Anchor, e.Group))
                .OrderBy(g => g.Key.Anchor.SpanStart)
                .ThenBy(g => g.Key.Group, System.StringComparer.Ordinal))
            {
                var (kind, anchor, _) = group.Key;
                if (removed.Contains(anchor))
                {
                    continue;
                }

                var ordered = group.GroupBy(e => e.Key).Select(g => g.First()).OrderBy(e => e.Order).ToList();
                var statements = ordered.Where(e => e.Statement is not null).Select(e => e.Statement!).ToList();
                switch (kind)
                {
                    case SlotEditKind.Before:
                        SlotSyntax.InsertBefore(documentEditor, model, anchor, statements, cancellationToken);
                        break;
                    case SlotEditKind.After:
                        SlotSyntax.InsertAfter(documentEditor, (StatementSyntax)anchor, statements);
                        break;
                    case SlotEditKind.BodyStart:
                    case SlotEditKind.BodyEnd:
                        SlotSyntax.AddToBody(documentEditor, model, (BaseMethodDeclarationSyntax)anchor, statements, atEnd: kind == SlotEditKind.BodyEnd, cancellationToken);
                        break;
                    case SlotEditKind.BlockEnd:
                        SlotSyntax.AddToBlock(documentEditor, (BlockSyntax)anchor, statements, atEnd: true);
                        break;
                    case SlotEditKind.NewMember:
                        var first = ordered[0];
                        var member = first.CreateMember!(statements);
                        if (first.InsertAfter is { } after)
                        {
                            documentEditor.InsertAfter(after, member);
                        }
                        else
                        {
                            documentEditor.ReplaceNode(anchor, (current, generator) => generator.InsertMembers(current, 0, member));
                        }

                        if (first.UpdateDeclaration is { } update)
                        {
                            documentEditor.ReplaceNode(anchor, (current, _) => update((TypeDeclarationSyntax)current));
                        }

                        break;
                }
            }
        }

        // Imports, names and layout of the new code settle here, so that one fix and FixAll end in the same text.
        var changed = editor.GetChangedSolution();
        foreach (var documentId in changed.GetChanges(solution).GetProjectChanges().SelectMany(p => p.GetChangedDocuments()))
        {
            var document = changed.GetDocument(documentId)!;
            document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            document = await Formatter.FormatAsync(document, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            changed = document.Project.Solution;
        }

        return changed;
    }
}
