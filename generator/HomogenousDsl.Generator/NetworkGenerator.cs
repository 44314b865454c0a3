using System.Threading;
using HomogenousDsl.Generator.Emitting;
using HomogenousDsl.Generator.Model;
using HomogenousDsl.Generator.Parsing;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace HomogenousDsl.Generator;

/// <summary>
/// Emits the fused forward and subgradient code of every <c>[HomogeneousNetwork]</c> declaration. It never reports
/// diagnostics: an invalid network produces no code, and the analyzer explains why at the exact attribute.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string Networks = nameof(Networks);
        public const string ValidNetworks = nameof(ValidNetworks);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var networks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                HomogeneityRules.NetworkAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (syntax, cancellationToken) => ParseOrNull(syntax, cancellationToken))
            .WithTrackingName(TrackingNames.Networks)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.ValidNetworks);

        context.RegisterSourceOutput(networks, static (output, network) =>
            output.AddSource(network.FullName + ".Cpu.g.cs", SourceText.From(CpuEmitter.Emit(network), System.Text.Encoding.UTF8)));
    }

    private static NetworkModel? ParseOrNull(GeneratorAttributeSyntaxContext syntax, CancellationToken cancellationToken) =>
        syntax.TargetSymbol is INamedTypeSymbol type ? NetworkParser.Parse(type, cancellationToken).Model : null;
}
