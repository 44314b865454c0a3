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

        var layers = inputShape is null ? null : BuildLayers(layerAttributes, inputShape, problems);
        if (problems.Count > 0 || layers is null || declaration is null || inputShape is null)
            return (null, problems.ToImmutable());

        var last = layers[layers.Count - 1];
        var model = new NetworkModel(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            new EquatableArray<ContainingTypeModel>(containingTypes.ToArray()),
            Keyword(declaration),
            type.Name,
            new EquatableArray<int>(inputShape),
            new EquatableArray<LayerModel>(layers.ToArray()),
            Degree(layerAttributes),
            layers.Sum(static l => l.WeightLength + l.BiasLength),
            last.OutputSize);
        return (model, problems.ToImmutable());
    }

    /// <summary>The degree L: parameterized layers add one, activations of degree k multiply by k.</summary>
    private static int Degree(List<(AttributeData Data, LayerRule Rule)> layers)
    {
        var degree = 0;
        foreach (var (_, rule) in layers)
            degree = HomogeneityRules.DegreeAfter(rule, degree);
        return degree;
    }

    private static TypeDeclarationSyntax? CheckDeclaration(INamedTypeSymbol type, ImmutableArray<NetworkProblem>.Builder problems, out List<ContainingTypeModel> containingTypes)
    {
        containingTypes = new List<ContainingTypeModel>();
        var declarations = type.DeclaringSyntaxReferences.Select(static r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().ToList();
        if (declarations.Count == 0)
            return null;
        if (declarations.Any(static d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
            problems.Add(new NetworkProblem(ProblemKind.NotPartial, null, $"'{type.Name}' must be declared partial so the generator can add its forward and subgradient code"));
        if (type.IsGenericType)
            problems.Add(new NetworkProblem(ProblemKind.GenericType, null, $"'{type.Name}' is generic; a network's shapes are fixed at compile time, so declare it without type parameters"));

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var outerDeclaration = outer.DeclaringSyntaxReferences.Select(static r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (outer.IsGenericType)
                problems.Add(new NetworkProblem(ProblemKind.GenericType, null, $"'{type.Name}' is nested in the generic type '{outer.Name}'; move it out or make '{outer.Name}' non-generic"));
            if (outerDeclaration is null || !outerDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                problems.Add(new NetworkProblem(ProblemKind.NotPartial, null, $"'{type.Name}' is nested in '{outer.Name}', which must be declared partial too"));
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

    /// <summary>The layer attributes in source order; all must sit on the declaration that carries the network attribute.</summary>
    private static List<(AttributeData Data, LayerRule Rule)> ReadLayerAttributes(INamedTypeSymbol type, TypeDeclarationSyntax? declaration, ImmutableArray<NetworkProblem>.Builder problems, CancellationToken cancellationToken)
    {
        var layers = new List<(AttributeData Data, LayerRule Rule, int Order)>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = attribute.AttributeClass?.ToDisplayString();
            var rule = name is null ? null : HomogeneityRules.Find(name);
            if (rule is null)
                continue;
            var syntax = attribute.ApplicationSyntaxReference;
            if (declaration is not null && (syntax is null || syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span)))
            {
                problems.Add(new NetworkProblem(ProblemKind.LayersSplitAcrossDeclarations, attribute, $"the layer attribute {ShortName(rule)} is on another partial declaration of '{type.Name}'; put all layers on the declaration that carries [HomogeneousNetwork], in order"));
                continue;
            }
            layers.Add((attribute, rule, syntax?.Span.Start ?? 0));
        }
        return layers.OrderBy(static l => l.Order).Select(static l => (l.Data, l.Rule)).ToList();
    }

    private static List<LayerModel>? BuildLayers(List<(AttributeData Data, LayerRule Rule)> layers, int[] inputShape, ImmutableArray<NetworkProblem>.Builder problems)
    {
        if (layers.Count == 0)
        {
            problems.Add(new NetworkProblem(ProblemKind.EmptyNetwork, null, "the network has no layers; add layer attributes such as [Dense(100)] [ReLU] [Dense(1)] after [HomogeneousNetwork]"));
            return null;
        }

        var exponents = DegreeExponents(layers);
        var models = new List<LayerModel>(layers.Count);
        var shape = inputShape;
        long offset = 0;
        var seenParameterizedLayer = false;
        for (var index = 0; index < layers.Count; index++)
        {
            var (attribute, rule) = layers[index];
            var layer = LayerShapes.Build(index, attribute, rule, shape, (int)Math.Min(offset, int.MaxValue), exponents[index], problems);
            if (layer is null)
                return null;
            if (layer.BiasLength > 0 && seenParameterizedLayer)
                problems.Add(new NetworkProblem(ProblemKind.BiasBreaksHomogeneity, attribute, $"layer {index} ({ShortName(rule)}) has Bias = true, which breaks positive homogeneity after the first parameterized layer; remove the bias"));
            seenParameterizedLayer |= layer.HasParameters;
            offset += (long)layer.WeightLength + layer.BiasLength;
            if (offset > int.MaxValue)
            {
                problems.Add(new NetworkProblem(ProblemKind.TooManyParameters, attribute, $"the network has more than {int.MaxValue} parameters by layer {index}; a flat float[] cannot hold them"));
                return null;
            }
            models.Add(layer);
            shape = layer.OutputShape.ToArray();
        }

        if (shape.Length != 1)
        {
            problems.Add(new NetworkProblem(ProblemKind.OutputNotAVector, layers[layers.Count - 1].Data, $"the network ends with shape [{string.Join(", ", shape)}]; end with [Flatten] and a [Dense(outputs)] layer so the output is a vector"));
            return null;
        }
        return models;
    }

    /// <summary>For each parameterized layer, the product of the activation degrees after it.</summary>
    private static int[] DegreeExponents(List<(AttributeData Data, LayerRule Rule)> layers)
    {
        var exponents = new int[layers.Count];
        var product = 1;
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var rule = layers[i].Rule;
            exponents[i] = rule.Role == LayerRole.Parameterized ? product : 0;
            if (rule.Role == LayerRole.Activation)
                product *= rule.ActivationDegree;
        }
        return exponents;
    }

    internal static string ShortName(LayerRule rule)
    {
        var name = rule.AttributeName.Substring(rule.AttributeName.LastIndexOf('.') + 1);
        return "[" + (name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name) + "]";
    }
}
