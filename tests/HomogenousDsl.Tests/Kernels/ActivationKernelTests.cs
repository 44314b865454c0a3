using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>Activations and subgradients, which are exact in float, so results must match bit for bit.</summary>
public sealed class ActivationKernelTests
{
    private const float Slope = 0.125f;

    /// <summary>Lengths that hit the vector body and the scalar tail.</summary>
    public static TheoryData<int> Lengths => [0, 1, 3, 7, 17, 33, 100];

    private delegate void Forward(ReadOnlySpan<float> z, Span<float> a);

    private delegate void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz);

    private static readonly (string Name, Forward Forward, Func<float, float> F, Backward Backward, Func<float, float, float> G)[] Activations =
    [
        ("Relu", ActivationKernel.Relu, z => z > 0 ? z : 0, ActivationKernel.ReluBackward, (z, d) => z > 0 ? d : 0),
        ("LeakyRelu", (z, a) => ActivationKernel.LeakyRelu(z, a, Slope), z => z > 0 ? z : Slope * z,
            (z, da, dz) => ActivationKernel.LeakyReluBackward(z, da, dz, Slope), (z, d) => z > 0 ? d : Slope * d),
        ("Abs", ActivationKernel.Abs, MathF.Abs, ActivationKernel.AbsBackward, (z, d) => z > 0 ? d : z < 0 ? -d : 0),
        ("SquaredRelu", ActivationKernel.SquaredRelu, z => z > 0 ? z * z : 0, ActivationKernel.SquaredReluBackward, (z, d) => z > 0 ? 2 * z * d : 0),
    ];

    /// <summary>Every activation and subgradient against its scalar definition, on data with exact zeros of both signs.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void MatchScalarDefinitions(int n)
    {
        float[] z = Inputs(n), da = TestData.Random(n, 2);
        foreach (var act in Activations)
        {
            float[] a = TestData.Filled(n, float.NaN), dz = TestData.Filled(n, float.NaN);
            act.Forward(z, a);
            act.Backward(z, da, dz);
            for (int i = 0; i < n; i++)
            {
                Assert.True(act.F(z[i]) == a[i], $"{act.Name}({z[i]}) = {a[i]}");
                Assert.True(act.G(z[i], da[i]) == dz[i], $"{act.Name}'({z[i]})·{da[i]} = {dz[i]}");
            }
        }
    }

    /// <summary>The subgradient conventions at the kink: ReLU'(0) = 0, LeakyReLU'(0) = slope, |·|'(0) = 0, (ReLU²)'(0) = 0.</summary>
    [Fact]
    public void KinkConventionsAtZero()
    {
        float[] z = [0f, -0f], da = [3f, 3f], dz = new float[2];
        ActivationKernel.ReluBackward(z, da, dz);
        Assert.Equal([0f, 0f], dz);
        ActivationKernel.LeakyReluBackward(z, da, dz, Slope);
        Assert.Equal([3f * Slope, 3f * Slope], dz);
        ActivationKernel.AbsBackward(z, da, dz);
        Assert.Equal([0f, 0f], dz);
        ActivationKernel.SquaredReluBackward(z, da, dz);
        Assert.Equal([0f, 0f], dz);
    }

    /// <summary>Backward may write its result over the incoming adjoint, and forward over its input.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void InPlaceMatchesOutOfPlace(int n)
    {
        float[] z = Inputs(n), da = TestData.Random(n, 3);
        foreach (var act in Activations)
        {
            float[] expected = new float[n], inPlace = (float[])da.Clone();
            act.Backward(z, da, expected);
            act.Backward(z, inPlace, inPlace);
            Assert.Equal(expected, inPlace);
            act.Forward(z, expected);
            inPlace = (float[])z.Clone();
            act.Forward(inPlace, inPlace);
            Assert.Equal(expected, inPlace);
        }
    }

    /// <summary>Spans of different lengths are rejected.</summary>
    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernel.Relu(new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => ActivationKernel.ReluBackward(new float[5], new float[5], new float[6]));
    }

    private static float[] Inputs(int n)
    {
        float[] z = TestData.Random(n, 1);
        for (int i = 0; i < n; i += 5)
            z[i] = i % 10 == 0 ? 0f : -0f;
        return z;
    }
}
