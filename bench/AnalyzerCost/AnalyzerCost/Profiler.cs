using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.AnalyzerCost;

/// <summary>Where TrefGuard's time goes, stage by stage, over every method body of a compilation.</summary>
internal sealed class StageProfile
{
    public int Bodies { get; set; }

    public TimeSpan Operations { get; set; }

    public TimeSpan Model { get; set; }

    public TimeSpan Scan { get; set; }

    /// <summary>Bodies whose scan asked for at least one flow analysis (each gets one graph).</summary>
    public int Graphs { get; set; }

    public TimeSpan Graph { get; set; }

    /// <summary>Per flow analysis family: bodies analysed and time.</summary>
    public Dictionary<string, (int Bodies, TimeSpan Time)> Families { get; } = new(StringComparer.Ordinal);

    /// <summary>Families whose entry point the profiler could not call (a signature it does not know).</summary>
    public List<string> Skipped { get; } = new();

    public int Diagnostics { get; set; }
}

/// <summary>
/// Replays what TrefGuard's analyzers do for each method body, with a stopwatch around each stage: building the
/// IOperation tree (the driver's cost, not the analyzer's), the annotation model, the gate's scan, the control flow
/// graph, and each flow analysis family. TrefGuard.Analyzers lets this assembly see its internals; the families
/// (<c>FlowAnalysis.*Analysis.Analyze(ControlFlowGraph, …)</c>), which other engineers are still writing, are found and
/// called by reflection so that a change to one of their signatures skips it here instead of breaking this build.
/// </summary>
internal static class Profiler
{
    public static StageProfile Profile(Compilation compilation)
    {
        var profile = new StageProfile();
        var stopwatch = Stopwatch.StartNew();
        var annotations = AnnotationModel.GetOrCreate(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None);
        profile.Model = stopwatch.Elapsed;
        if (annotations is null)
        {
            return profile;
        }

        var bodies = new List<(IOperation Body, ISymbol Owner)>();
        stopwatch.Restart();
        foreach (var tree in compilation.SyntaxTrees)
        {
#pragma warning disable RS1030 // The profiler stands in for the driver: it makes the semantic models the driver would.
            var model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
            {
                if (model.GetOperation(declaration) is { } body && model.GetDeclaredSymbol(declaration) is { } owner)
                {
                    bodies.Add((body, owner));
                }
            }
        }

        profile.Operations = stopwatch.Elapsed;
        var families = FindFamilies(profile, annotations);
        var sink = new DiagnosticSink();
        foreach (var (body, owner) in bodies)
        {
            profile.Bodies++;
            stopwatch.Restart();
            var scan = OperationScan.Run(body, owner, annotations);
            profile.Scan += stopwatch.Elapsed;
            if (scan.Needs == AnalysisNeeds.None)
            {
                continue;
            }

            profile.Graphs++;
            stopwatch.Restart();
            var graph = body switch
            {
                IMethodBodyOperation method => ControlFlowGraph.Create(method, CancellationToken.None),
                IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, CancellationToken.None),
                _ => throw new InvalidOperationException($"No graph for a {body.Kind} ({owner})."),
            };
            profile.Graph += stopwatch.Elapsed;
            foreach (var family in families)
            {
                if ((scan.Needs & family.Needs) == 0)
                {
                    continue;
                }

                var arguments = family.Parameters.Select(p => Argument(p, graph, owner, annotations, scan, sink, family.Helpers)).ToArray();
                stopwatch.Restart();
                family.Analyze.Invoke(null, arguments);
                var elapsed = stopwatch.Elapsed;
                var (count, time) = profile.Families.GetValueOrDefault(family.Name);
                profile.Families[family.Name] = (count + 1, time + elapsed);
            }
        }

        profile.Diagnostics = sink.Diagnostics.Count;
        return profile;
    }

    private static List<Family> FindFamilies(StageProfile profile, AnnotationModel annotations)
    {
        var families = new List<Family>();
        var known = new[] { typeof(ControlFlowGraph), typeof(ISymbol), typeof(AnnotationModel), typeof(ISet<ISymbol>), typeof(DiagnosticSink), typeof(CancellationToken), typeof(OperationScan), typeof(bool) };
        foreach (var type in typeof(OperationScan).Assembly.GetTypes().Where(t => t.Namespace == "TrefGuard.Analyzers.FlowAnalysis" && t.Name.EndsWith("Analysis", StringComparison.Ordinal) && !t.IsGenericTypeDefinition))
        {
            var analyze = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == "Analyze" && m.GetParameters() is { Length: > 0 } p && p[0].ParameterType == typeof(ControlFlowGraph));
            if (analyze is null)
            {
                continue;
            }

            var needs = type.Name switch
            {
                var n when n.StartsWith("Ownership", StringComparison.Ordinal) => AnalysisNeeds.Ownership,
                // The lock analyzer's finer gate: a block whose locks are all only excluded holds none (the blocks whose
                // owner starts with a lock held are left out here, which the analyzer runs on too).
                var n when n.StartsWith("Lock", StringComparison.Ordinal) => AnalysisNeeds.LockState,
                var n when n.StartsWith("Slot", StringComparison.Ordinal) => AnalysisNeeds.Slots,
                _ => AnalysisNeeds.None,
            };
            var parameters = analyze.GetParameters();

            // A per-compilation helper a family takes (the lock family's guard types) is made from the model.
            var helpers = new Dictionary<Type, object>();
            foreach (var parameter in parameters.Where(p => !known.Contains(p.ParameterType)))
            {
                if (parameter.ParameterType.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, new[] { typeof(AnnotationModel) }) is { } constructor)
                {
                    helpers[parameter.ParameterType] = constructor.Invoke(new object[] { annotations });
                }
            }

            if (needs == AnalysisNeeds.None || parameters.Any(p => !known.Contains(p.ParameterType) && !helpers.ContainsKey(p.ParameterType)))
            {
                profile.Skipped.Add($"{type.Name}.{analyze.Name}({string.Join(", ", parameters.Select(p => p.ParameterType.Name))})");
                continue;
            }

            families.Add(new Family(type.Name, needs, analyze, parameters, helpers));
        }

        return families;
    }

    private static object Argument(ParameterInfo parameter, ControlFlowGraph graph, ISymbol owner, AnnotationModel annotations, OperationScan scan, DiagnosticSink sink, Dictionary<Type, object> helpers)
    {
        var type = parameter.ParameterType;
        if (helpers.TryGetValue(type, out var helper))
        {
            return helper;
        }

        if (type == typeof(ControlFlowGraph))
        {
            return graph;
        }

        if (type == typeof(ISymbol))
        {
            return owner;
        }

        if (type == typeof(AnnotationModel))
        {
            return annotations;
        }

        if (type == typeof(ISet<ISymbol>))
        {
            return scan.Captured;
        }

        if (type == typeof(OperationScan))
        {
            return scan;
        }

        // The only flag a family takes so far says the graph is a method body (not an attribute or a default value),
        // which every graph profiled here is.
        if (type == typeof(bool))
        {
            return true;
        }

        return type == typeof(DiagnosticSink) ? sink : CancellationToken.None;
    }

    private sealed record Family(string Name, AnalysisNeeds Needs, MethodInfo Analyze, ParameterInfo[] Parameters, Dictionary<Type, object> Helpers);
}
