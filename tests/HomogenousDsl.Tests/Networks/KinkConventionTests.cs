namespace HomogenousDsl.Tests.Networks;

/// <summary>
/// The fixed subgradient choices at exact kinks (DESIGN §3): ReLU'(0) = 0, LeakyReLU'(0) = α, Abs'(0) = 0, and max-pool
/// ties to the first maximum. Input (1, −1) against first-layer weights (1, 1) makes the pre-activation exactly 0.
/// </summary>
public sealed class KinkConventionTests
{
    // Parameters: first dense weight [1, 2] = (1, 1), second dense weight [1, 1] = 3.
    private static readonly float[] s_probe = [1f, 1f, 3f];
    private static readonly float[] s_kinkInput = [1f, -1f];

    [Fact]
    public void ReluDerivativeAtZeroIsZero()
    {
        var (outputs, gradient) = new NetworkCase<ReluProbe>().Subgradient(s_probe, s_kinkInput, [1f], 1);
        Assert.Equal(0f, outputs[0]);
        Assert.Equal([0f, 0f, 0f], gradient);
    }

    [Fact]
    public void LeakyReluDerivativeAtZeroIsTheSlope()
    {
        var (outputs, gradient) = new NetworkCase<LeakyProbe>().Subgradient(s_probe, s_kinkInput, [1f], 1);
        Assert.Equal(0f, outputs[0]);
        // ∂f/∂W1 = W2 · α · x = 3 · 0.25 · (1, −1); ∂f/∂W2 = LeakyReLU(0) = 0.
        Assert.Equal([0.75f, -0.75f, 0f], gradient);
    }

    [Fact]
    public void AbsDerivativeAtZeroIsZero()
    {
        var (_, gradient) = new NetworkCase<AbsProbe>().Subgradient(s_probe, s_kinkInput, [1f], 1);
        Assert.Equal([0f, 0f, 0f], gradient);
    }

    [Fact]
    public void AwayFromTheKinkTheDerivativesAreTheUsualOnes()
    {
        float[] positive = [2f, -1f], negative = [-2f, 1f];
        Assert.Equal([6f, -3f, 1f], new NetworkCase<ReluProbe>().Subgradient(s_probe, positive, [1f], 1).Gradient);
        Assert.Equal([0f, 0f, 0f], new NetworkCase<ReluProbe>().Subgradient(s_probe, negative, [1f], 1).Gradient);
        Assert.Equal([-0.75f * 2, 0.75f, -0.25f], new NetworkCase<LeakyProbe>().Subgradient(s_probe, negative, [1f], 1).Gradient);
        Assert.Equal([6f, -3f, 1f], new NetworkCase<AbsProbe>().Subgradient(s_probe, negative, [1f], 1).Gradient);
    }

    [Fact]
    public void MaxPoolTiesGoToTheFirstMaximum()
    {
        // 1×1 convolution with weight 1, then a 2×2 max-pool over four equal values, then dense weight 2.
        float[] parameters = [1f, 2f];
        float[] image = [0.5f, 0.5f, 0.5f, 0.5f];
        var (outputs, gradient) = new NetworkCase<MaxPoolProbe>().Subgradient(parameters, image, [1f], 1);
        Assert.Equal(1f, outputs[0]);
        // Only the first pixel routes the adjoint back: ∂f/∂w_conv = 2 · x_first = 1, not 4 · 2 · 0.5.
        Assert.Equal([1f, 0.5f], gradient);
    }
}
