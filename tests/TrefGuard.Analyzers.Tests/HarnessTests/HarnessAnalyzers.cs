// These analyzers are fixtures for the verifier's self-tests, compiled into the test assembly and never loaded by
// a compiler: the rules for shippable compiler extensions (netstandard2.0, no Workspaces reference, extended
// analyzer rules, release tracking) do not apply to them.
#pragma warning disable RS1036, RS1038, RS1041, RS2008

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

/// <summary>Descriptors of the harness's own test analyzers (ids HTxxxx, never shipped).</summary>
internal static class HarnessDescriptors
{
    public static readonly DiagnosticDescriptor Boom = new("HT0001", "Boom", "Call to '{0}'", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Bang = new("HT0002", "Bang", "Call to '{0}' with {1} argument(s)", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Throws = new("HT0003", "Throws", "Never reported", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotConfigurable = new("HT0004", "Not configurable", "Call to '{0}'", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true, customTags: WellKnownDiagnosticTags.NotConfigurable);

    public static readonly DiagnosticDescriptor Error = new("HT0005", "Error", "Call to '{0}' is an error", "Harness", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadLine = new("HT0006", "Bad line", "{0}({1}): the line starts with 'bad'", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true, customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NoLocation = new("HT0007", "No location", "Type '{0}' asks for a diagnostic without a location", "Harness", DiagnosticSeverity.Warning, isEnabledByDefault: true, customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static int ExplicitArguments(IInvocationOperation invocation)
        => invocation.Arguments.Count(a => a.ArgumentKind != ArgumentKind.DefaultValue);

    /// <summary>The span users see for a call: the called method's name.</summary>
    public static Location NameLocation(IInvocationOperation invocation)
        => invocation.Syntax is InvocationExpressionSyntax { Expression: var expression }
            ? (expression is MemberAccessExpressionSyntax access ? access.Name : expression).GetLocation()
            : invocation.Syntax.GetLocation();
}

/// <summary>
/// HT0001 on every call to a method named <c>Boom</c>; HT0002 on calls to <c>Bang</c>; both, on the same span,
/// on calls to <c>Kaboom</c>. Skips generated code, like every TrefGuard analyzer must.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BoomAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.Boom, HarnessDescriptors.Bang);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(Report, OperationKind.Invocation);
    }

    internal static void Report(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var name = invocation.TargetMethod.Name;
        var location = HarnessDescriptors.NameLocation(invocation);
        if (name is "Boom" or "Kaboom")
        {
            context.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.Boom, location, name));
        }

        if (name is "Bang" or "Kaboom")
        {
            context.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.Bang, location, name, HarnessDescriptors.ExplicitArguments(invocation)));
        }
    }
}

/// <summary>Like <see cref="BoomAnalyzer"/> but only HT0002: an analyzer with exactly one descriptor.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BangOnlyAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.Bang);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                if (invocation.TargetMethod.Name == "Bang")
                {
                    c.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.Bang, HarnessDescriptors.NameLocation(invocation), "Bang", HarnessDescriptors.ExplicitArguments(invocation)));
                }
            },
            OperationKind.Invocation);
    }
}

/// <summary>The bug the auto-generated re-run exists for: it analyzes and reports in generated code.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BoomInGeneratedCodeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.Boom, HarnessDescriptors.Bang);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterOperationAction(BoomAnalyzer.Report, OperationKind.Invocation);
    }
}

/// <summary>Crashes on every class declaration: the harness must fail (AD0001), whatever is expected.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThrowingAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.Throws);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxNodeAction(_ => throw new InvalidOperationException("harness: deliberate analyzer crash"), SyntaxKind.ClassDeclaration);
    }
}

/// <summary>HT0004 (not configurable, so <c>#pragma</c> cannot silence it) on calls to <c>Boom</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NotConfigurableAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.NotConfigurable);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                if (invocation.TargetMethod.Name == "Boom")
                {
                    c.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.NotConfigurable, HarnessDescriptors.NameLocation(invocation), "Boom"));
                }
            },
            OperationKind.Invocation);
    }
}

/// <summary>HT0005, an error-severity analyzer diagnostic (like TG0006), on calls to <c>Boom</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ErrorSeverityAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.Error);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                if (invocation.TargetMethod.Name == "Boom")
                {
                    c.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.Error, HarnessDescriptors.NameLocation(invocation), "Boom"));
                }
            },
            OperationKind.Invocation);
    }
}

/// <summary>
/// HT0006 on each line of an additional file named <c>*.annotations.txt</c> that starts with <c>bad</c> (the shape
/// of TG0012), and HT0007 without a location for every type named <c>ReportNoLocation</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AdditionalFileAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(HarnessDescriptors.BadLine, HarnessDescriptors.NoLocation);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationAction(c =>
        {
            foreach (var file in c.Options.AdditionalFiles.Where(f => f.Path.EndsWith(".annotations.txt", StringComparison.OrdinalIgnoreCase)))
            {
                var text = file.GetText(c.CancellationToken);
                if (text is null)
                {
                    continue;
                }

                foreach (var line in text.Lines)
                {
                    var content = line.ToString();
                    var start = content.Length - content.TrimStart().Length;
                    if (content.AsSpan(start).StartsWith("bad", StringComparison.Ordinal))
                    {
                        var span = TextSpan.FromBounds(line.Start + start, line.End);
                        c.ReportDiagnostic(Diagnostic.Create(
                            HarnessDescriptors.BadLine,
                            Location.Create(file.Path, span, text.Lines.GetLinePositionSpan(span)),
                            Path.GetFileName(file.Path),
                            line.LineNumber + 1));
                    }
                }
            }

            if (c.Compilation.GetSymbolsWithName("ReportNoLocation", SymbolFilter.Type).Any())
            {
                c.ReportDiagnostic(Diagnostic.Create(HarnessDescriptors.NoLocation, Location.None, "ReportNoLocation"));
            }
        });
    }
}
