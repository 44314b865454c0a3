namespace HomogenousDsl;

/// <summary>Max pooling over square windows (degree 1). Ties go to the first maximum in row-major window order.</summary>
/// <param name="kernel">Window height and width.</param>
public sealed class MaxPool2dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window height and width.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Stride; 0 means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
}

/// <summary>Average pooling over square windows (linear, degree 1).</summary>
/// <param name="kernel">Window height and width.</param>
public sealed class AvgPool2dAttribute(int kernel) : LayerAttribute
{
    /// <summary>Window height and width.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Stride; 0 means equal to <see cref="Kernel"/>, as in PyTorch.</summary>
    public int Stride { get; set; }
}

/// <summary>Reshapes <c>{ channels, height, width }</c> to <c>{ channels·height·width }</c> in C, H, W order.</summary>
public sealed class FlattenAttribute : LayerAttribute
{
}
