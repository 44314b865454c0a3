using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using HomogenousDsl.Generator.Model;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.Generator.Parsing;

/// <summary>
/// Turns an attributed declaration into a <see cref="NetworkModel"/>: reads the layers in source order, infers shapes,
/// the degree L and the parameter layout, and collects every problem instead of throwing.
/// </summary>
internal static class NetworkParser
{
    public static (NetworkModel? Model, ImmutableArray<NetworkProblem> Problems) Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var problems = ImmutableArray.CreateBuilder<NetworkProblem>();
        var declaration = CheckDeclaration(type, problems, out var containingTypes);
        var networkAttribute = type.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == HomogeneityRules.NetworkAttribute);
        var inputShape = ReadInputShape(networkAttribute, problems);
        var layerAttributes = ReadLayerAttributes(type, declaration, problems, cancellationToken);

        var built = inputShape is null ? null : BuildLayers(layerAttributes, inputShape, problems, cancellationToken);
        if (problems.Count > 0 || built is null || declaration is null || inputShape is null)
            return (null, problems.ToImmutable());

        var (layers, degree) = built.Value;
        var last = layers[layers.Count - 1];
        var model = new NetworkModel(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            new EquatableArray<ContainingTypeModel>(containingTypes.ToArray()),
            Keyword(declaration),
            type.Name,
            new EquatableArray<int>(inputShape),
            new EquatableArray<LayerModel>(layers.ToArray()),
            degree,
            layers.Sum(static l => l.WeightLength + l.BiasLength),
            last.OutputSize);
        return (model, problems.ToImmutable());
    }

    private static TypeDeclarationSyntax? CheckDeclaration(INamedTypeSymbol type, ImmutableArray<NetworkProblem>.Builder problems, out List<ContainingTypeModel> containingTypes)
    {
        containingTypes = new List<ContainingTypeModel>();
        var declarations = type.DeclaringSyntaxReferences.Select(static r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().ToList();
        if (declarations.Count == 0)
            return null;
        foreach (var notPartial in declarations.Where(static d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
            problems.Add(new NetworkProblem(ProblemKind.NotPartial, null, $"'{type.Name}' must be declared partial so the generator can add its forward and subgradient code; write 'partial' before '{notPartial.Keyword.ValueText}'", notPartial.Identifier.GetLocation()));
        if (type.TypeParameters.Length > 0)
            problems.Add(new NetworkProblem(ProblemKind.GenericType, null, $"'{type.Name}' is generic; a network's shapes are fixed at compile time, so declare it without type parameters"));

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var outerDeclaration = outer.DeclaringSyntaxReferences.Select(static r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (outer.TypeParameters.Length > 0)
                problems.Add(new NetworkProblem(ProblemKind.GenericType, null, $"'{type.Name}' is nested in the generic type '{outer.Name}'; move it out or make '{outer.Name}' non-generic"));
            if (outerDeclaration is null || !outerDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                problems.Add(new NetworkProblem(ProblemKind.NotPartial, null, $"'{type.Name}' is nested in '{outer.Name}', which must be declared partial too; write 'partial' before '{outerDeclaration?.Keyword.ValueText ?? "class"}' on '{outer.Name}'"));
            containingTypes.Insert(0, new ContainingTypeModel(outerDeclaration is null ? "class" : Keyword(outerDeclaration), outer.Name));
        }
        return declarations[0];
    }

    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    private static int[]? ReadInputShape(AttributeData? attribute, ImmutableArray<NetworkProblem>.Builder problems)
    {
        if (attribute is null)
            return null;
        var input = attribute.NamedArguments.FirstOrDefault(static a => a.Key == "Input").Value;
        if (input.Kind != TypedConstantKind.Array || input.IsNull || input.Values.Length == 0)
        {
            problems.Add(new NetworkProblem(ProblemKind.MissingInput, attribute, "the network has no input shape; write Input = new[] { features } or Input = new[] { channels, height, width }"));
            return null;
        }
        var shape = input.Values.Select(static v => v.Value is int i ? i : 0).ToArray();
        if ((shape.Length != 1 && shape.Length != 3) || shape.Any(static d => d <= 0))
        {
            problems.Add(new NetworkProblem(ProblemKind.InvalidInputShape, attribute, $"Input = {{ {string.Join(", ", input.Values.Select(static v => v.Value?.ToString() ?? "?"))} }} is not a shape; expected {{ features }} or {{ channels, height, width }} with positive sizes"));
            return null;
        }
        return shape;
    }

    /// <summary>
    /// The layer attributes in source order, rejected constructs included so that layer indices match what the user
    /// counts; all must sit on the declaration that carries the network attribute.
    /// </summary>
    private static List<LayerEntry> ReadLayerAttributes(INamedTypeSymbol type, TypeDeclarationSyntax? declaration, ImmutableArray<NetworkProblem>.Builder problems, CancellationToken cancellationToken)
    {
        var layers = new List<(LayerEntry Entry, int Order)>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = attribute.AttributeClass?.ToDisplayString();
            var rule = name is null ? null : HomogeneityRules.Find(name);
            var forbidden = name is null || rule is not null ? null : HomogeneityRules.FindForbidden(name);
            if (rule is null && forbidden is null)
                continue;
            var syntax = attribute.ApplicationSyntaxReference;
            if (declaration is not null && (syntax is null || syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span)))
            {
                problems.Add(new NetworkProblem(ProblemKind.LayersSplitAcrossDeclarations, attribute, $"the layer attribute {ShortName(name!)} is on another partial declaration of '{type.Name}'; move it to the declaration that carries [HomogeneousNetwork], in order"));
                continue;
            }
            layers.Add((new LayerEntry(attribute, rule, forbidden), syntax?.Span.Start ?? 0));
        }
        return layers.OrderBy(static l => l.Order).Select(static l => l.Entry).ToList();
    }

    private static (List<LayerModel> Layers, int Degree)? BuildLayers(List<LayerEntry> layers, int[] inputShape, ImmutableArray<NetworkProblem>.Builder problems, CancellationToken cancellationToken)
    {
        if (layers.Count == 0)
        {
            problems.Add(new NetworkProblem(ProblemKind.EmptyNetwork, null, "the network has no layers; add layer attributes such as [Dense(100)] [ReLU] [Dense(1)] after [HomogeneousNetwork]"));
            return null;
        }

        var models = new List<LayerModel?>(layers.Count);
        var degrees = new List<int>(layers.Count);
        var shape = inputShape;
        var degree = 0;
        long offset = 0;
        var firstParameterizedLayer = -1;
        for (var index = 0; index < layers.Count; index++)
        {
            var (attribute, rule, forbidden) = layers[index];
            if (rule is null)
            {
                // Reported, then passed over unchanged so that later layers are still checked with their own indices.
                ReportForbidden(index, attribute, forbidden!, problems);
                models.Add(null);
                degrees.Add(degree);
                continue;
            }
            var layer = LayerShapes.Build(index, attribute, rule, shape, (int)Math.Min(offset, int.MaxValue), models, problems, cancellationToken);
            if (layer is null)
                return null;
            if (layer.BiasLength > 0 && firstParameterizedLayer >= 0)
                problems.Add(new NetworkProblem(ProblemKind.BiasBreaksHomogeneity, attribute, $"layer {index} ({ShortName(rule.AttributeName)}) has Bias = true after the first parameterized layer (layer {firstParameterizedLayer}), so f(c·θ) mixes powers of c and is not positively homogeneous; remove 'Bias = true' (only the first parameterized layer may have a bias)", BiasArgumentLocation(attribute, cancellationToken)));
            if (layer.HasParameters && firstParameterizedLayer < 0)
                firstParameterizedLayer = index;
            if (layer.Kind == LayerKind.Add && degrees[layer.Source] != degree)
                problems.Add(new NetworkProblem(ProblemKind.UnequalBranchDegrees, attribute, $"[Add(From = {layer.Source})] at layer {index} adds layer {layer.Source}'s output, of degree {degrees[layer.Source]}, to the current activation, of degree {degree}; a sum of branches of unequal degree is not positively homogeneous: add from a layer of degree {degree}, with only degree-1 activations in between"));
            degree = HomogeneityRules.DegreeAfter(rule.Role, layer.ActivationDegree, degree);
            offset += (long)layer.WeightLength + layer.BiasLength;
            if (offset > int.MaxValue)
            {
                problems.Add(new NetworkProblem(ProblemKind.TooManyParameters, attribute, $"the network has more than {int.MaxValue} parameters by layer {index}; a flat float[] cannot hold them"));
                return null;
            }
            models.Add(layer);
            degrees.Add(degree);
            shape = layer.OutputShape.ToArray();
        }

        if (shape.Length != 1)
        {
            problems.Add(new NetworkProblem(ProblemKind.OutputNotAVector, layers[layers.Count - 1].Data, $"the network ends with shape [{string.Join(", ", shape)}]; end with [Flatten] and a [Dense(outputs)] layer so the output is a vector"));
            return null;
        }
        if (models.Any(static m => m is null))
            return null;
        return (WithDegreeExponents(models!), degree);
    }

    private static void ReportForbidden(int index, AttributeData attribute, ForbiddenRule forbidden, ImmutableArray<NetworkProblem>.Builder problems)
    {
        var name = ShortName(forbidden.AttributeName);
        if (forbidden.Category == ForbiddenCategory.NonHomogeneousActivation)
            problems.Add(new NetworkProblem(ProblemKind.NonHomogeneousActivation, attribute, $"{name} at layer {index} is not a positively homogeneous activation: {forbidden.Reason}; replace it with [ReLU] or [LeakyReLU(0.01f)]"));
        else
            problems.Add(new NetworkProblem(ProblemKind.NormalizationLayer, attribute, $"{name} at layer {index} breaks positive homogeneity: {forbidden.Reason}; remove it (margins are already normalized by ‖θ‖^L)"));
    }

    /// <summary>The <c>Bias = true</c> argument itself, so the error and its fix point at what must go.</summary>
    private static Location? BiasArgumentLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(static a => a.NameEquals?.Name.Identifier.ValueText == "Bias")?.GetLocation();

    /// <summary>
    /// Each parameterized layer's exponent: the product of the activation degrees after it. An Add keeps the product,
    /// because both of its branches have equal degree (only degree-1 activations between them once there are weights).
    /// </summary>
    private static List<LayerModel> WithDegreeExponents(List<LayerModel> layers)
    {
        var product = 1;
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var layer = layers[i];
            if (layer.HasParameters)
                layers[i] = layer with { DegreeExponent = product };
            else if (layer.ActivationDegree > 0)
                product *= layer.ActivationDegree;
        }
        return layers;
    }

    /// <summary>A layer attribute with its rulebook row, or the forbidden row that rejects it.</summary>
    private readonly record struct LayerEntry(AttributeData Data, LayerRule? Rule, ForbiddenRule? Forbidden);

    internal static string ShortName(LayerRule rule) => ShortName(rule.AttributeName);

    internal static string ShortName(string attributeName)
    {
        var name = attributeName.Substring(attributeName.LastIndexOf('.') + 1);
        return "[" + (name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name) + "]";
    }
}
