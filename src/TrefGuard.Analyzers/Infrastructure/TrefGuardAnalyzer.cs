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
        // Generated code is never analysed (no Analyze flag). An analyzer that keeps its diagnostics out of generated
        // code itself may say ReportDiagnostics: the flag spares the driver's check of each diagnostic, which on a
        // tree's first diagnostic binds every declaration in the tree to look for [GeneratedCode] (a fifth of
        // TrefGuard's time on a corpus with a mistake in every tenth method).
        context.ConfigureGeneratedCodeAnalysis(KeepsOutOfGeneratedCode ? GeneratedCodeAnalysisFlags.ReportDiagnostics : GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var model = AnnotationModel.GetOrCreate(start.Compilation, start.Options, start.CancellationToken);
            if (model is not null)
            {
                InitializeCompilation(start, model);
            }
        });
    }

    /// <summary>
    /// True when no diagnostic of the analyzer can land in generated code: each lies in the declaration whose code the
    /// driver called it back for (never generated code), or the analyzer checks the declaration it reports at with
    /// <see cref="GeneratedCode"/>.
    /// </summary>
    private protected virtual bool KeepsOutOfGeneratedCode => false;

    /// <summary>Registers the analyzer's callbacks for a compilation that uses the annotations.</summary>
    private protected abstract void InitializeCompilation(CompilationStartAnalysisContext context, AnnotationModel annotations);
}
