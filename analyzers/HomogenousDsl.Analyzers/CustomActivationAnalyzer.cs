using System.Collections.Immutable;
using System.Linq;
using HomogenousDsl.Generator.Parsing;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace HomogenousDsl.Analyzers;

/// <summary>
/// Checks every <c>[HomogeneousActivation]</c> class where it is declared, whether or not a network uses it: HD0004 at
/// the sub-expression of <c>Value</c> that is not positively homogeneous, HD0115 when the class lacks the expected shape.
/// A network that uses a bad activation is reported separately, at its <c>[Activation]</c> attribute.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CustomActivationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.CustomActivationNotHomogeneous, DiagnosticDescriptors.InvalidCustomActivation);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var activationAttribute = start.Compilation.GetTypeByMetadataName(HomogeneityRules.HomogeneousActivationAttribute);
            if (activationAttribute is null)
                return;
            start.RegisterSymbolAction(symbol => Analyze(symbol, activationAttribute), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol activationAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, activationAttribute)))
            return;
        var activation = CustomActivation.Read(type, context.CancellationToken);
        var name = type.Locations.FirstOrDefault() ?? Location.None;
        if (activation.UsageError is { } usage)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidCustomActivation, name, usage));
            return;
        }
        if (activation.Inference is { Succeeded: false } failure)
        {
            var location = failure.Offender?.GetLocation() ?? name;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CustomActivationNotHomogeneous, location,
                $"'{type.Name}'.Value is not positively homogeneous: {failure.Reason}"));
        }
    }
}
