using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.CodeFixes;

/// <summary>What every lock fixer loads for a diagnostic's document.</summary>
internal sealed class LockFixDocument
{
    private LockFixDocument(Document document, SyntaxNode root, SemanticModel model, AnnotationModel annotations)
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

    public static async Task<LockFixDocument?> LoadAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        var annotations = AnnotationModel.GetOrCreate(model.Compilation, document.Project.AnalyzerOptions, cancellationToken);
        return annotations is null ? null : new LockFixDocument(document, root, model, annotations);
    }

    /// <summary>The lock bit of a diagnostic's <c>LockName</c> property; 0 when it has none.</summary>
    public ulong LockBit(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(Analyzers.Rules.LockAnalyzerCommon.LockNameProperty, out var name) && name is not null
            ? 1UL << Annotations.GetLockId(name)
            : 0;

    /// <summary>The annotations of the member an expression calls or reads, or the empty set.</summary>
    public MemberAnnotations AnnotationsOf(SyntaxNode node, CancellationToken cancellationToken)
        => Model.GetSymbolInfo(node, cancellationToken).Symbol is { } symbol ? Annotations.Get(symbol) : MemberAnnotations.Empty;

    /// <summary>An action whose new root was computed up front, so that a fix is only offered when it can be made.</summary>
    public CodeAction CreateAction(string title, string equivalenceKey, SyntaxNode newRoot)
        => CodeAction.Create(title, _ => Task.FromResult(Document.WithSyntaxRoot(newRoot)), equivalenceKey);
}

/// <summary>Syntax helpers shared by the lock fixers: statement lists, ranges that keep declared locals in scope, jumps.</summary>
internal static class LockFixSyntax
{
    /// <summary>The statement list that holds <paramref name="statement"/> directly (a block or a switch section).</summary>
    public static bool TryGetStatementList(StatementSyntax statement, out SyntaxNode container, out SyntaxList<StatementSyntax> statements, out int index)
    {
        switch (statement.Parent)
        {
            case BlockSyntax block:
                container = block;
                statements = block.Statements;
                break;
            case SwitchSectionSyntax section:
                container = section;
                statements = section.Statements;
                break;
            default:
                container = statement;
                statements = default;
                index = -1;
                return false;
        }

        index = statements.IndexOf(statement);
        return index >= 0;
    }

    public static SyntaxNode WithStatements(SyntaxNode container, SyntaxList<StatementSyntax> statements) => container switch
    {
        BlockSyntax block => block.WithStatements(statements),
        SwitchSectionSyntax section => section.WithStatements(statements),
        _ => container,
    };

    /// <summary>Replaces <paramref name="statements"/>[<paramref name="first"/>..<paramref name="last"/>] with <paramref name="replacement"/>.</summary>
    public static SyntaxList<StatementSyntax> ReplaceRange(SyntaxList<StatementSyntax> statements, int first, int last, IEnumerable<StatementSyntax> replacement)
    {
        var result = new List<StatementSyntax>(statements.Count);
        for (var i = 0; i < first; i++)
        {
            result.Add(statements[i]);
        }

        result.AddRange(replacement);
        for (var i = last + 1; i < statements.Count; i++)
        {
            result.Add(statements[i]);
        }

        return SyntaxFactory.List(result);
    }

    /// <summary>
    /// Extends <paramref name="last"/> until no statement after the range uses a local declared inside it: moving a
    /// declaration into a new block must not take it out of the scope of its later uses.
    /// </summary>
    public static int ExtendOverDeclaredLocals(SemanticModel model, SyntaxList<StatementSyntax> statements, int first, int last, CancellationToken cancellationToken)
    {
        while (true)
        {
            var declared = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            for (var i = first; i <= last; i++)
            {
                CollectDeclared(model, statements[i], declared, cancellationToken);
            }

            var extended = last;
            for (var i = statements.Count - 1; i > last; i--)
            {
                if (ReferencesAny(model, statements[i], declared, cancellationToken))
                {
                    extended = i;
                    break;
                }
            }

            if (extended == last)
            {
                return last;
            }

            last = extended;
        }
    }

    /// <summary>The index of the last statement at or after <paramref name="from"/> that mentions <paramref name="symbol"/>; -1 when none.</summary>
    public static int LastReference(SemanticModel model, SyntaxList<StatementSyntax> statements, int from, ISymbol symbol, CancellationToken cancellationToken)
    {
        var set = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { symbol };
        for (var i = statements.Count - 1; i >= from; i--)
        {
            if (ReferencesAny(model, statements[i], set, cancellationToken))
            {
                return i;
            }
        }

        return -1;
    }

    public static bool ReferencesAny(SemanticModel model, SyntaxNode node, ISet<ISymbol> symbols, CancellationToken cancellationToken)
    {
        if (symbols.Count == 0)
        {
            return false;
        }

        foreach (var identifier in node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol && symbols.Contains(symbol))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>References to <paramref name="symbol"/> inside <paramref name="node"/>.</summary>
    public static IEnumerable<IdentifierNameSyntax> References(SemanticModel model, SyntaxNode node, ISymbol symbol, CancellationToken cancellationToken)
        => node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Where(identifier => identifier.Identifier.ValueText == symbol.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol));

    private static void CollectDeclared(SemanticModel model, SyntaxNode node, HashSet<ISymbol> declared, CancellationToken cancellationToken)
    {
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            var symbol = descendant switch
            {
                VariableDeclaratorSyntax or SingleVariableDesignationSyntax or LocalFunctionStatementSyntax => model.GetDeclaredSymbol(descendant, cancellationToken),
                _ => null,
            };
            if (symbol is not null)
            {
                declared.Add(symbol);
            }
        }
    }

    /// <summary>
    /// True when some jump inside <paramref name="region"/>, after <paramref name="after"/>, leaves the region:
    /// return, throw, goto, yield break, or a break/continue whose loop or switch is outside it. Lambdas and local
    /// functions are not part of the flow.
    /// </summary>
    public static bool HasJumpOut(SyntaxNode region, int after)
    {
        foreach (var node in region.DescendantNodesAndSelf(n => n == region || !IsFunction(n)))
        {
            if (node.SpanStart < after)
            {
                continue;
            }

            switch (node)
            {
                case ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax or GotoStatementSyntax:
                    return true;
                case YieldStatementSyntax yield when yield.IsKind(SyntaxKind.YieldBreakStatement):
                    return true;
                case BreakStatementSyntax:
                    if (!HasTargetInside(node, region, breakTarget: true))
                    {
                        return true;
                    }

                    break;
                case ContinueStatementSyntax:
                    if (!HasTargetInside(node, region, breakTarget: false))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    private static bool HasTargetInside(SyntaxNode jump, SyntaxNode region, bool breakTarget)
    {
        for (var ancestor = jump.Parent; ancestor is not null && ancestor != region; ancestor = ancestor.Parent)
        {
            if (ancestor is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax
                || (breakTarget && ancestor is SwitchStatementSyntax))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsFunction(SyntaxNode node) => node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax;

    /// <summary>True when a lambda or local function lies between <paramref name="node"/> and <paramref name="ancestor"/>.</summary>
    public static bool CrossesFunction(SyntaxNode node, SyntaxNode ancestor)
    {
        for (var current = node.Parent; current is not null && current != ancestor; current = current.Parent)
        {
            if (IsFunction(current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether running these statements in a lock scope could not compile (await, yield with a ref struct guard) or would be awkward (goto, labels).</summary>
    public static bool CannotBeMovedIntoABlock(IEnumerable<StatementSyntax> statements)
    {
        foreach (var statement in statements)
        {
            foreach (var node in statement.DescendantNodesAndSelf(n => !IsFunction(n)))
            {
                switch (node)
                {
                    case AwaitExpressionSyntax or YieldStatementSyntax or GotoStatementSyntax or LabeledStatementSyntax:
                        return true;
                    case UsingStatementSyntax { AwaitKeyword.RawKind: not 0 }:
                    case CommonForEachStatementSyntax { AwaitKeyword.RawKind: not 0 }:
                    case LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: not 0 }:
                        return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The lock annotations of every call, property or constructor in the statements (lambdas excluded: they run on
    /// their own terms), OR-ed together.
    /// </summary>
    public static (ulong Acquires, ulong Excludes, ulong Releases) LockEffects(LockFixDocument loaded, IEnumerable<SyntaxNode> nodes, CancellationToken cancellationToken)
    {
        ulong acquires = 0, excludes = 0, releases = 0;
        foreach (var root in nodes)
        {
            foreach (var node in root.DescendantNodesAndSelf(n => !IsFunction(n)))
            {
                if (node is not (InvocationExpressionSyntax or MemberAccessExpressionSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or IdentifierNameSyntax))
                {
                    continue;
                }

                var annotations = loaded.AnnotationsOf(node, cancellationToken);
                acquires |= annotations.AcquiresLocks | annotations.AssertsLocks;
                excludes |= annotations.ExcludesLocks;
                releases |= annotations.ReleasesLocks;
            }
        }

        return (acquires, excludes, releases);
    }

    /// <summary>A new block of the statements; the first one's leading trivia stays with the statement that replaces the range.</summary>
    public static BlockSyntax BlockOf(IReadOnlyList<StatementSyntax> statements)
        => SyntaxFactory.Block(statements.Select((s, i) => i == 0 ? s.WithoutLeadingTrivia() : s));

    /// <summary>The end-of-line trivia the document uses near <paramref name="node"/>, so that inserted lines match it.</summary>
    public static SyntaxTrivia EndOfLine(SyntaxNode node)
    {
        foreach (var trivia in node.DescendantTrivia(descendIntoTrivia: false))
        {
            if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                return trivia;
            }
        }

        return SyntaxFactory.ElasticCarriageReturnLineFeed;
    }

    public static T Formatted<T>(T node)
        where T : SyntaxNode
        => node.WithAdditionalAnnotations(Formatter.Annotation);

    public static ExpressionSyntax StripParentheses(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>The parameterless, accessible instance method of <paramref name="type"/> (or a base type) that satisfies <paramref name="predicate"/>.</summary>
    public static IMethodSymbol? FindMethod(SemanticModel model, int position, ITypeSymbol? type, System.Func<IMethodSymbol, bool> predicate)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, Parameters.Length: 0, IsGenericMethod: false } method
                    && model.IsAccessible(position, method) && predicate(method))
                {
                    return method;
                }
            }
        }

        return null;
    }
}
