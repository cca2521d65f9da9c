using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// Base of every TrefGuard analyzer. <see cref="Initialize"/> is sealed so that no analyzer forgets
/// concurrent execution or skipping generated code, and so that every one bails out, at compilation start,
/// on a compilation that has neither the annotations nor an external annotations file.
/// </summary>
public abstract class TrefGuardAnalyzer : DiagnosticAnalyzer
{
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var model = AnnotationModel.GetOrCreate(start.Compilation, start.Options, start.CancellationToken);
            if (model is not null)
            {
                InitializeCompilation(start, model);
            }
        });
    }

    /// <summary>Registers the analyzer's callbacks for a compilation that uses the annotations.</summary>
    private protected abstract void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations);
}
