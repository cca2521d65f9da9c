using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<TrefGuard.Analyzers.Rules.AnnotationFileAnalyzer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>TG0012: malformed lines of TrefGuard.annotations.txt, and the external annotations they carry.</summary>
public sealed class TG0012MalformedAnnotationFileTests
{
    private const string EmptySource = "class C { }";

    [Fact]
    public async Task WellFormedFile_IsSilent()
    {
        var test = new Verify.Test
        {
            TestCode = EmptySource,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    # pooled buffers
                    M:System.Buffers.ArrayPool`1.Rent(System.Int32) AcquiresReference
                    M:System.Buffers.ArrayPool`1.Return(`0[],System.Boolean) param:array ReleasesReference   # trailing comment

                    M:System.Threading.Monitor.Enter(System.Object) AcquiresLock(monitor)
                    """),
            },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task UnknownAnnotation_IsReportedWithFileAndLine()
    {
        var test = new Verify.Test
        {
            TestCode = EmptySource,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    M:System.Buffers.ArrayPool`1.Rent(System.Int32) AcquiresReference
                    {|#0:M:System.Buffers.ArrayPool`1.Rent(System.Int32) Borrows|}
                    """),
            },
            ExpectedDiagnostics =
            {
                Verify.Diagnostic("TG0012").WithLocation(0).WithArguments("TrefGuard.annotations.txt", 2, "'Borrows' is not a TrefGuard annotation"),
            },
        };
        await test.RunAsync();
    }

    [Theory]
    [InlineData("M:System.Threading.Monitor.Enter(System.Object)", "expected '<documentation id> [param:<name>] <annotation>'")]
    [InlineData("X:Foo AcquiresReference", "'X:Foo' is not a documentation comment id of a method, property, field or event (M:, P:, F:, E:)")]
    [InlineData("M:System.Threading.Monitor.Enter(System.Object) AcquiresLock", "'AcquiresLock' needs a lock name, as in AcquiresLock(tasklist)")]
    [InlineData("M:System.Threading.Monitor.Enter(System.Object) AcquiresReference(monitor)", "'AcquiresReference' takes no lock name")]
    [InlineData("M:A.B(System.Int32) TransfersOwnership", "'TransfersOwnership' applies to a parameter: add 'param:<name>' before it")]
    [InlineData("M:A.B(System.Int32) param:x GuardedBy(l)", "'GuardedBy' does not apply to a parameter")]
    [InlineData("M:A.B(System.Int32) parameter:x ReleasesReference", "'parameter:x' should be 'param:<name>'")]
    [InlineData("M:A.B(System.Int32) AcquiresLock(l", "'AcquiresLock(l' should be 'Annotation(lockName)'")]
    [InlineData("M:A.B(System.Int32) 1", "'1' is not a TrefGuard annotation")]
    [InlineData("M:A.B a b c", "expected '<documentation id> [param:<name>] <annotation>'")]
    public async Task MalformedLine_IsReportedWithItsReason(string line, string reason)
    {
        var test = new Verify.Test
        {
            TestCode = EmptySource,
            AdditionalFiles = { ("TrefGuard.annotations.txt", "# header\n{|#0:" + line + "|}\n") },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0012").WithLocation(0).WithArguments("TrefGuard.annotations.txt", 2, reason) },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task OtherAdditionalFiles_AreIgnored()
    {
        var test = new Verify.Test
        {
            TestCode = EmptySource,
            AdditionalFiles = { ("NotAnnotations.txt", "this is not an annotations file") },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task MalformedLines_DoNotStopTheRestFromApplying()
    {
        // The good Rent line still makes the array owned, so the missed Return is TG0001.
        var test = new AnalyzerVerifier<OwnershipAnalyzer>.Test
        {
            ReferenceRuntime = false,
            TestCode = """
                using System.Buffers;

                class C
                {
                    int M()
                    {
                        var {|#0:buffer = ArrayPool<byte>.Shared.Rent(16)|};
                        return buffer.Length;
                    }
                }
                """,
            AdditionalFiles =
            {
                ("TrefGuard.annotations.txt", """
                    M:System.Buffers.ArrayPool`1.Rent(System.Int32) NotAnAnnotation
                    M:System.Buffers.ArrayPool`1.Rent(System.Int32) AcquiresReference
                    """),
            },
            ExpectedDiagnostics =
            {
                AnalyzerVerifier<OwnershipAnalyzer>.Diagnostic("TG0001").WithLocation(0).WithArguments("buffer", "return", 8),
            },
        };
        await test.RunAsync();
    }

    [Fact]
    public async Task ExternalAnnotations_ApplyWithoutTheRuntime()
    {
        var test = new AnalyzerVerifier<OwnershipAnalyzer>.Test
        {
            ReferenceRuntime = false,
            TestCode = """
                using System.Buffers;

                class C
                {
                    int Balanced()
                    {
                        var buffer = ArrayPool<byte>.Shared.Rent(16);
                        try
                        {
                            return buffer.Length;
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
                    }

                    void Twice()
                    {
                        var buffer = ArrayPool<byte>.Shared.Rent(16);
                        ArrayPool<byte>.Shared.Return(buffer);
                        ArrayPool<byte>.Shared.Return({|#0:buffer|});
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", File.ReadAllText(ShippedExamplePath())) },
            ExpectedDiagnostics =
            {
                AnalyzerVerifier<OwnershipAnalyzer>.Diagnostic("TG0004").WithLocation(0).WithArguments("buffer", 21),
            },
        };
        await test.RunAsync();
    }

    [Fact]
    public void ShippedExample_ParsesAndEveryMemberResolves()
    {
        var path = ShippedExamplePath();
        var annotations = new List<ExternalAnnotation>();
        var errors = new List<ExternalAnnotationError>();
        ExternalAnnotations.Parse(new FileText(path), annotations, errors, default);

        Assert.Empty(errors);
        Assert.True(annotations.Count >= 10, $"expected the example to cover the documented APIs, found {annotations.Count} lines");

        var compilation = CSharpCompilation.Create("Probe", references: ReferenceAssemblies.Framework);
        var unresolved = annotations
            .Where(a => DocumentationCommentId.GetSymbolsForDeclarationId(a.DocumentationId, compilation).IsEmpty)
            .Select(a => a.DocumentationId)
            .ToList();
        Assert.Empty(unresolved);

        var covered = annotations.Select(a => a.DocumentationId).ToList();
        foreach (var expected in new[] { "ArrayPool`1.Rent", "ArrayPool`1.Return", "SafeHandle.DangerousAddRef", "SafeHandle.DangerousRelease", "GCHandle.Alloc", "GCHandle.Free", "ReaderWriterLockSlim.EnterReadLock", "ReaderWriterLockSlim.ExitReadLock", "Monitor.Enter", "Monitor.Exit" })
        {
            Assert.Contains(covered, id => id.Contains(expected, System.StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("M:A.B AcquiresReference", "M:A.B", null, "AcquiresReference", null)]
    [InlineData("M:A.B(System.Int32)\tparam:x\tReleasesReference", "M:A.B(System.Int32)", "x", "ReleasesReference", null)]
    [InlineData("P:A.B GuardedBy(\"tasklist\")", "P:A.B", null, "GuardedBy", "tasklist")]
    [InlineData("M:A.B ExcludesLockAttribute(tasklist)", "M:A.B", null, "ExcludesLock", "tasklist")]
    public void TryParseLine_ReadsEachPart(string line, string id, string? parameter, string kind, string? lockName)
    {
        Assert.True(ExternalAnnotations.TryParseLine(line, out var annotation, out var message), message);
        Assert.Equal(id, annotation.DocumentationId);
        Assert.Equal(parameter, annotation.ParameterName);
        Assert.Equal(kind, annotation.Kind.ToString());
        Assert.Equal(lockName, annotation.LockName);
    }

    private static string ShippedExamplePath()
    {
        var directory = new DirectoryInfo(System.AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TrefGuard.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine(directory!.FullName, "docs", "annotations", "TrefGuard.annotations.txt");
    }

    private sealed class FileText : AdditionalText
    {
        public FileText(string path) => Path = path;

        public override string Path { get; }

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default)
            => Microsoft.CodeAnalysis.Text.SourceText.From(File.ReadAllText(Path));
    }
}
