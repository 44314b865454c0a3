using HomogenousDsl;

namespace HomogenousDsl.Tests.Networks;

/// <summary>DESIGN §1's example: a LeakyReLU with slope 0.2, degree 1.</summary>
[HomogeneousActivation]
public static class Leaky02
{
    public static float Value(float x) => x > 0 ? x : 0.2f * x;

    public static float Derivative(float x) => x > 0 ? 1f : 0.2f;
}

/// <summary>An asymmetric square, degree 2, written with a block body and locals to exercise the inference.</summary>
[HomogeneousActivation]
public static class AsymmetricSquare
{
    public static float Value(float x)
    {
        const float negativeScale = 0.5f;
        var magnitude = MathF.Abs(x);
        if (x > 0)
            return magnitude * x;
        return -negativeScale * magnitude * x;
    }

    public static float Derivative(float x) => x > 0 ? 2f * x : x;
}
