namespace HomogenousDsl.Kernels;

/// <summary>
/// How a dense layer's activations (its input, its output, and their adjoints) lie in memory. Networks read and
/// write batch-major data; between two dense layers the generated code keeps activations feature-major, so each of
/// the layer's three products reads its operands as stored rows instead of transposing them.
/// </summary>
public enum ActivationLayout
{
    /// <summary>[batch, features]: each sample's features adjacent (x[b·features + i]), as networks take and return data.</summary>
    BatchMajor,

    /// <summary>[features, batch]: each feature's values over the batch adjacent (x[i·batch + b]).</summary>
    FeatureMajor,
}
