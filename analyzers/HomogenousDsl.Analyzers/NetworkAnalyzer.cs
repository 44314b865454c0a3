using System.Collections.Immutable;
using System.Linq;
using HomogenousDsl.Generator.Parsing;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace HomogenousDsl.Analyzers;

/// <summary>
/// Explains, at the exact attribute or argument, why a <c>[HomogeneousNetwork]</c> declaration is not a positively
/// homogeneous network (the generator then emits nothing), and states the inferred degree of a valid one. It runs the
/// generator's own parser, so what it accepts is exactly what the generator builds.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // Resolved once per compilation; a compilation that does not reference the runtime has nothing to check.
            var networkAttribute = start.Compilation.GetTypeByMetadataName(HomogeneityRules.NetworkAttribute);
            if (networkAttribute is null)
                return;
            start.RegisterSymbolAction(symbol => Analyze(symbol, networkAttribute), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol networkAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var attribute = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, networkAttribute));
        if (attribute is null)
            return;

        var declarationName = DeclarationName(type, attribute, context);
        var (model, problems) = NetworkParser.Parse(type, context.CancellationToken);
        foreach (var problem in problems)
        {
            var location = problem.Location
                ?? problem.Attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? declarationName;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.For(problem.Kind), location, problem.Message));
        }
        if (model is not null)
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InferredDegree, declarationName, type.Name, model.Degree));
    }

    /// <summary>The name of the declaration that carries <c>[HomogeneousNetwork]</c>, where declaration-wide problems go.</summary>
    private static Location DeclarationName(INamedTypeSymbol type, AttributeData attribute, SymbolAnalysisContext context)
    {
        var application = attribute.ApplicationSyntaxReference;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is TypeDeclarationSyntax declaration
                && (application is null || (application.SyntaxTree == reference.SyntaxTree && declaration.Span.Contains(application.Span))))
                return declaration.Identifier.GetLocation();
        }
        return type.Locations.FirstOrDefault() ?? Location.None;
    }
}
