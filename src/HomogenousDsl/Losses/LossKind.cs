namespace HomogenousDsl.Losses;

/// <summary>
/// The per-sample losses, as functions of the outputs. With one output (binary, q = y·f) logistic and cross-entropy
/// coincide; with k outputs the exponential loss is Σ_{j≠y} e^{f_j − f_y} and logistic means cross-entropy.
/// </summary>
public enum LossKind
{
    /// <summary><c>e^{−q}</c> (binary) or <c>Σ_{j≠y} e^{f_j − f_y}</c> (multiclass).</summary>
    Exponential,

    /// <summary><c>log(1 + e^{−q})</c>; cross-entropy for k outputs.</summary>
    Logistic,

    /// <summary><c>log(1 + Σ_{j≠y} e^{f_j − f_y})</c>, the softmax cross-entropy; logistic for one output.</summary>
    CrossEntropy,
}
