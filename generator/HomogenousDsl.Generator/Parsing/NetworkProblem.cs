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
}

/// <summary>
/// A problem found while parsing, pointing at the offending layer attribute (or at the declaration when
/// <see cref="Attribute"/> is null). Never part of a pipeline model: only the analyzer keeps these.
/// </summary>
internal sealed class NetworkProblem
{
    public NetworkProblem(ProblemKind kind, AttributeData? attribute, string message)
    {
        Kind = kind;
        Attribute = attribute;
        Message = message;
    }

    public ProblemKind Kind { get; }

    public AttributeData? Attribute { get; }

    public string Message { get; }
}
