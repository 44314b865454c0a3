namespace HomogenousDsl.Analyzers;

/// <summary>
/// Every diagnostic id, never reused. HD0001–HD0099: homogeneity; HD0100–HD0199: DSL usage; HD0900: information.
/// The code fixes refer to these constants.
/// </summary>
internal static class DiagnosticIds
{
    public const string BiasBreaksHomogeneity = "HD0001";
    public const string NonHomogeneousActivation = "HD0002";
    public const string NormalizationLayer = "HD0003";
    public const string CustomActivationNotHomogeneous = "HD0004";
    public const string UnequalBranchDegrees = "HD0005";

    public const string NotPartial = "HD0100";
    public const string LayersSplitAcrossDeclarations = "HD0101";
    public const string EmptyNetwork = "HD0102";
    public const string MissingInput = "HD0103";
    public const string InvalidInputShape = "HD0104";
    public const string WrongInputRank = "HD0105";
    public const string KernelLargerThanInput = "HD0106";
    public const string PoolingDoesNotDivide = "HD0107";
    public const string DenseAfterConvolutionWithoutFlatten = "HD0108";
    public const string GenericType = "HD0109";
    public const string InvalidLayerArgument = "HD0110";
    public const string OutputNotAVector = "HD0111";
    public const string TooManyParameters = "HD0112";
    public const string ResidualShapeMismatch = "HD0113";
    public const string InvalidResidualSource = "HD0114";
    public const string InvalidCustomActivation = "HD0115";

    public const string InferredDegree = "HD0900";
}
