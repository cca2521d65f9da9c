using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Infrastructure;

/// <summary>
/// The gate every analyzer asks before it builds a control flow graph: what a method body needs. A flag set where it
/// should not be costs a graph; a flag missing where it should be set loses every diagnostic of the family, so both
/// directions are pinned here, for the method's own body and for its lambdas and local functions.
/// </summary>
public sealed class OperationScanTests
{
    private const string Source = """
        using System;
        using TrefGuard;
        using TrefGuard.Annotations;

        static class Methods
        {
            static int Plain(int a) => a * 2;

            static void PutsOnly(TaskRef r) => r.Put();

            static bool Acquires(TaskTable table, int nr)
            {
                var r = Tref.GetByPid(table, nr, PidType.Pid);
                var alive = r.IsAlive;
                r.Put();
                return alive;
            }

            static Func<int, bool> AcquiresInLambda(TaskTable table)
                => nr =>
                {
                    var r = Tref.GetByPid(table, nr, PidType.Pid);
                    r.Put();
                    return true;
                };

            static bool AcquiresInLocalFunction(TaskTable table, int nr)
            {
                return Probe(nr);

                bool Probe(int n)
                {
                    var r = Tref.GetByPid(table, n, PidType.Pid);
                    r.Put();
                    return true;
                }
            }

            static void CallsAcquiringLocalFunction(TaskTable table, int nr)
            {
                Lookup(nr).Put();

                [AcquiresReference]
                TaskRef Lookup(int n) => Tref.GetByPid(table, n, PidType.Pid);
            }
        }
        """;

    [Theory]
    [InlineData("Plain", (int)AnalysisNeeds.None)]
    [InlineData("PutsOnly", (int)(AnalysisNeeds.Ownership | AnalysisNeeds.Locks))]
    [InlineData("Acquires", (int)(AnalysisNeeds.Ownership | AnalysisNeeds.Acquisitions | AnalysisNeeds.Locks))]
    public async Task A_body_needs_what_it_touches_itself(string method, int expected)
    {
        var scan = await ScanAsync(method);

        // Put excludes the tasklist lock ([ExcludesLock]); the finer lock flag is the lock family's business.
        Assert.Equal((AnalysisNeeds)expected, scan.Needs & ~AnalysisNeeds.LockState);
        Assert.Equal(AnalysisNeeds.None, scan.NestedFunctionNeeds);
    }

    [Theory]
    [InlineData("AcquiresInLambda")]
    [InlineData("AcquiresInLocalFunction")]
    public async Task What_a_nested_function_acquires_is_its_own_graphs_not_the_bodys(string method)
    {
        var scan = await ScanAsync(method);

        // The body still needs the ownership analysis (its graph holds the nested function's), but acquires nothing
        // in its own graph.
        Assert.Equal(AnalysisNeeds.Ownership, scan.Needs & AnalysisNeeds.Ownership);
        Assert.Equal(AnalysisNeeds.None, scan.Needs & AnalysisNeeds.Acquisitions);
        Assert.Equal(AnalysisNeeds.Ownership | AnalysisNeeds.Acquisitions, scan.NestedFunctionNeeds & (AnalysisNeeds.Ownership | AnalysisNeeds.Acquisitions));
    }

    [Fact]
    public async Task Calling_an_acquiring_local_function_is_an_acquisition_of_the_body()
    {
        var scan = await ScanAsync("CallsAcquiringLocalFunction");

        Assert.Equal(AnalysisNeeds.Acquisitions, scan.Needs & AnalysisNeeds.Acquisitions);
    }

    private static async Task<OperationScan> ScanAsync(string methodName)
    {
        using var workspace = new AdhocWorkspace();
        var project = AdHocAnalysis.CreateProject(workspace, new[] { ("Methods.cs", Source) }, System.Array.Empty<(string, string)>());
        var compilation = (await project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == methodName);
        var body = model.GetOperation(declaration)!;
        var owner = model.GetDeclaredSymbol(declaration)!;
        var annotations = AnnotationModel.GetOrCreate(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None)!;
        return OperationScan.Run(body, owner, annotations);
    }
}
