using System.Collections.Generic;
using System.Collections.Immutable;
using HomogenousDsl.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Analyzers;

/// <summary>
/// One descriptor per id. The parser writes the specific message (what, where, what to write instead), so most
/// formats are a single placeholder; each help link points at the id's section of docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HomogeneityCategory = "HomogenousDsl.Homogeneity";
    public const string UsageCategory = "HomogenousDsl.Usage";
    private const string HelpRoot = "https://github.com/homogenousdsl/homogenousdsl/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor BiasBreaksHomogeneity = Homogeneity(DiagnosticIds.BiasBreaksHomogeneity, "A bias after the first parameterized layer breaks homogeneity");
    public static readonly DiagnosticDescriptor NonHomogeneousActivation = Homogeneity(DiagnosticIds.NonHomogeneousActivation, "Activation is not positively homogeneous");
    public static readonly DiagnosticDescriptor NormalizationLayer = Homogeneity(DiagnosticIds.NormalizationLayer, "Normalization or dropout breaks homogeneity");
    public static readonly DiagnosticDescriptor CustomActivationNotHomogeneous = Homogeneity(DiagnosticIds.CustomActivationNotHomogeneous, "Custom activation is not positively homogeneous");
    public static readonly DiagnosticDescriptor UnequalBranchDegrees = Homogeneity(DiagnosticIds.UnequalBranchDegrees, "Added branches have unequal degrees");

    public static readonly DiagnosticDescriptor NotPartial = Usage(DiagnosticIds.NotPartial, "Network type must be partial");
    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Usage(DiagnosticIds.LayersSplitAcrossDeclarations, "Layers are split across partial declarations");
    public static readonly DiagnosticDescriptor EmptyNetwork = Usage(DiagnosticIds.EmptyNetwork, "Network has no layers");
    public static readonly DiagnosticDescriptor MissingInput = Usage(DiagnosticIds.MissingInput, "Network has no input shape");
    public static readonly DiagnosticDescriptor InvalidInputShape = Usage(DiagnosticIds.InvalidInputShape, "Input is not a vector or image shape");
    public static readonly DiagnosticDescriptor WrongInputRank = Usage(DiagnosticIds.WrongInputRank, "Layer receives an input of the wrong rank");
    public static readonly DiagnosticDescriptor KernelLargerThanInput = Usage(DiagnosticIds.KernelLargerThanInput, "Kernel is larger than its input");
    public static readonly DiagnosticDescriptor PoolingDoesNotDivide = Usage(DiagnosticIds.PoolingDoesNotDivide, "Pooling window does not tile its input");
    public static readonly DiagnosticDescriptor DenseAfterConvolutionWithoutFlatten = Usage(DiagnosticIds.DenseAfterConvolutionWithoutFlatten, "Dense layer after an image without Flatten");
    public static readonly DiagnosticDescriptor GenericType = Usage(DiagnosticIds.GenericType, "Network type is generic");
    public static readonly DiagnosticDescriptor InvalidLayerArgument = Usage(DiagnosticIds.InvalidLayerArgument, "Invalid layer argument");
    public static readonly DiagnosticDescriptor OutputNotAVector = Usage(DiagnosticIds.OutputNotAVector, "Network output is not a vector");
    public static readonly DiagnosticDescriptor TooManyParameters = Usage(DiagnosticIds.TooManyParameters, "Network has too many parameters");
    public static readonly DiagnosticDescriptor ResidualShapeMismatch = Usage(DiagnosticIds.ResidualShapeMismatch, "Added branches have different shapes");
    public static readonly DiagnosticDescriptor InvalidResidualSource = Usage(DiagnosticIds.InvalidResidualSource, "Add must name an earlier layer");
    public static readonly DiagnosticDescriptor InvalidCustomActivation = Usage(DiagnosticIds.InvalidCustomActivation, "Invalid custom activation");

    public static readonly DiagnosticDescriptor InferredDegree = new(
        DiagnosticIds.InferredDegree,
        "Inferred homogeneity degree",
        "Network '{0}' is positively homogeneous of degree {1}",
        HomogeneityCategory,
        DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: "The degree L with f(c·θ; x) = c^L f(θ; x) for every c > 0, as the generated Degree constant will report it.",
        helpLinkUri: HelpRoot + DiagnosticIds.InferredDegree.ToLowerInvariant());

    public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        BiasBreaksHomogeneity, NonHomogeneousActivation, NormalizationLayer, CustomActivationNotHomogeneous, UnequalBranchDegrees,
        NotPartial, LayersSplitAcrossDeclarations, EmptyNetwork, MissingInput, InvalidInputShape, WrongInputRank, KernelLargerThanInput,
        PoolingDoesNotDivide, DenseAfterConvolutionWithoutFlatten, GenericType, InvalidLayerArgument, OutputNotAVector, TooManyParameters,
        ResidualShapeMismatch, InvalidResidualSource, InvalidCustomActivation, InferredDegree);

    private static readonly Dictionary<ProblemKind, DiagnosticDescriptor> s_byProblem = new()
    {
        [ProblemKind.BiasBreaksHomogeneity] = BiasBreaksHomogeneity,
        [ProblemKind.NonHomogeneousActivation] = NonHomogeneousActivation,
        [ProblemKind.NormalizationLayer] = NormalizationLayer,
        [ProblemKind.CustomActivationNotHomogeneous] = CustomActivationNotHomogeneous,
        [ProblemKind.UnequalBranchDegrees] = UnequalBranchDegrees,
        [ProblemKind.NotPartial] = NotPartial,
        [ProblemKind.LayersSplitAcrossDeclarations] = LayersSplitAcrossDeclarations,
        [ProblemKind.EmptyNetwork] = EmptyNetwork,
        [ProblemKind.MissingInput] = MissingInput,
        [ProblemKind.InvalidInputShape] = InvalidInputShape,
        [ProblemKind.WrongInputRank] = WrongInputRank,
        [ProblemKind.KernelLargerThanInput] = KernelLargerThanInput,
        [ProblemKind.PoolingDoesNotDivide] = PoolingDoesNotDivide,
        [ProblemKind.DenseAfterConvolutionWithoutFlatten] = DenseAfterConvolutionWithoutFlatten,
        [ProblemKind.GenericType] = GenericType,
        [ProblemKind.InvalidLayerArgument] = InvalidLayerArgument,
        [ProblemKind.OutputNotAVector] = OutputNotAVector,
        [ProblemKind.TooManyParameters] = TooManyParameters,
        [ProblemKind.ResidualShapeMismatch] = ResidualShapeMismatch,
        [ProblemKind.InvalidResidualSource] = InvalidResidualSource,
        [ProblemKind.InvalidCustomActivation] = InvalidCustomActivation,
    };

    /// <summary>The descriptor that reports a parser problem; every <see cref="ProblemKind"/> has one (a test checks).</summary>
    public static DiagnosticDescriptor For(ProblemKind kind) => s_byProblem[kind];

    private static DiagnosticDescriptor Homogeneity(string id, string title) => Error(id, title, HomogeneityCategory);

    private static DiagnosticDescriptor Usage(string id, string title) => Error(id, title, UsageCategory);

    private static DiagnosticDescriptor Error(string id, string title, string category) => new(
        id, title, "{0}", category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: title + ". See the help link for a bad example, why it breaks the network, and the fix.",
        helpLinkUri: HelpRoot + id.ToLowerInvariant());
}
