using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using TrefGuard.Analyzers.Infrastructure;

namespace TrefGuard.Analyzers.Rules;

/// <summary>
/// TG0012: a line of <c>TrefGuard.annotations.txt</c> that cannot be read. The line is ignored and the rest of the
/// file still applies (<see cref="ExternalAnnotations"/> parses it once per compilation, in <see cref="AnnotationModel"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AnnotationFileAnalyzer : TrefGuardAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TG0012_MalformedAnnotationFile);

    private protected override void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations)
    {
        if (annotations.FileErrors.IsEmpty)
        {
            return;
        }

        context.RegisterAdditionalFileAction(file =>
        {
            foreach (var error in annotations.FileErrors)
            {
                if (error.Path == file.AdditionalFile.Path)
                {
                    file.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.TG0012_MalformedAnnotationFile,
                        error.GetLocation(),
                        System.IO.Path.GetFileName(error.Path),
                        error.Line,
                        error.Message));
                }
            }
        });
    }
}
