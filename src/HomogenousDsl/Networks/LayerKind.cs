namespace HomogenousDsl;

/// <summary>The kinds of layer a network can contain. The numeric values are stored in checkpoints: append only.</summary>
public enum LayerKind
{
    /// <summary>Fully connected layer.</summary>
    Dense = 0,
    /// <summary>2-D convolution.</summary>
    Conv2d = 1,
    /// <summary>2-D max pooling.</summary>
    MaxPool2d = 2,
    /// <summary>2-D average pooling.</summary>
    AvgPool2d = 3,
    /// <summary>Reshape to a vector.</summary>
    Flatten = 4,
    /// <summary>Rectified linear unit.</summary>
    ReLU = 5,
    /// <summary>Leaky rectified linear unit.</summary>
    LeakyReLU = 6,
    /// <summary>Identity.</summary>
    Identity = 7,
    /// <summary>Absolute value.</summary>
    Abs = 8,
    /// <summary>Squared rectified linear unit (degree 2).</summary>
    SquaredReLU = 9,
    /// <summary>A user activation marked with <see cref="HomogeneousActivationAttribute"/>; its degree is inferred.</summary>
    CustomActivation = 10,
    /// <summary>A residual connection that adds an earlier layer's output.</summary>
    Add = 11,
}
