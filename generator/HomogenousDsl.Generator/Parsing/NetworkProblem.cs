using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Generator.Parsing;

/// <summary>Why a declaration is not a valid network. The analyzer turns each kind into its diagnostic id.</summary>
internal enum ProblemKind
{
    NotPartial,
    GenericType,
    LayersSplitAcrossDeclarations,
    MissingInput,
    InvalidInputShape,
    EmptyNetwork,
    InvalidLayerArgument,
    WrongInputRank,
    KernelLargerThanInput,
    PoolingDoesNotDivide,
    DenseAfterConvolutionWithoutFlatten,
    OutputNotAVector,
    BiasBreaksHomogeneity,
    TooManyParameters,
    NonHomogeneousActivation,
    NormalizationLayer,
    CustomActivationNotHomogeneous,
    InvalidCustomActivation,
    UnequalBranchDegrees,
    ResidualShapeMismatch,
    InvalidResidualSource,
}

/// <summary>
/// A problem found while parsing, pointing at <see cref="Location"/> when set, else at the offending layer attribute,
/// else at the declaration. Never part of a pipeline model: only the analyzer keeps these.
/// </summary>
internal sealed class NetworkProblem
{
    public NetworkProblem(ProblemKind kind, AttributeData? attribute, string message, Location? location = null)
    {
        Kind = kind;
        Attribute = attribute;
        Message = message;
        Location = location;
    }

    public ProblemKind Kind { get; }

    public AttributeData? Attribute { get; }

    public string Message { get; }

    /// <summary>A more precise place than the attribute (an argument, a declaration's name), or null.</summary>
    public Location? Location { get; }
}
