namespace HomogenousDsl.Generator.Tests;

/// <summary>Network sources shared by the generator tests.</summary>
internal static class TestNetworks
{
    public const string TwoLayer = """
        using HomogenousDsl;

        namespace Samples;

        [HomogeneousNetwork(Input = new[] { 2 })]
        [Dense(100, Bias = true)] [LeakyReLU(0.1f)]
        [Dense(1)]
        public partial class TwoLayer;
        """;

    public const string LyuLiCnn = """
        using HomogenousDsl;

        namespace Samples;

        [HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
        [Conv2d(32, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2d(2)]
        [Conv2d(64, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2d(2)]
        [Flatten]
        [Dense(1024)] [ReLU]
        [Dense(1)]
        public partial class LyuLiCnn;
        """;

    public const string NestedMulticlass = """
        using HomogenousDsl;

        namespace Samples.Deep;

        public static partial class Holder
        {
            [HomogeneousNetwork(Input = new[] { 3, 9, 9 })]
            [Conv2d(4, Kernel = 3, Stride = 2)] [Abs] [AvgPool2d(2, Stride = 1)]
            [Flatten] [Identity]
            [Dense(7)] [SquaredReLU]
            [Dense(5)]
            internal partial struct Multiclass;
        }
        """;

    public const string CustomResidual = """
        using System;
        using HomogenousDsl;

        namespace Samples;

        [HomogeneousActivation]
        public static class Leaky02
        {
            public static float Value(float x) => x > 0 ? x : 0.2f * x;
            public static float Derivative(float x) => x > 0 ? 1f : 0.2f;
        }

        [HomogeneousActivation]
        internal static class HalfSquare
        {
            public static float Value(float x)
            {
                var r = MathF.Max(x, 0f);
                return 0.5f * r * r;
            }

            public static float Derivative(float x) => MathF.Max(x, 0f);
        }

        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(8)] [Activation(typeof(Leaky02))] [Add(From = 0)]
        [Dense(3)] [Activation(typeof(HalfSquare))]
        [Dense(2)] [ReLU] [Add(From = 5)]
        public partial class CustomResidual;
        """;

    /// <summary>
    /// Three bias-free dense layers: the middle one and the first (with the LeakyReLU between them folded into the
    /// adjoint) go back in one call; the last one, with a LeakyReLU and a layer between it and the first, does not.
    /// </summary>
    public const string DeepMlp = """
        using HomogenousDsl;

        namespace Samples;

        [HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
        [Flatten]
        [Dense(300)] [LeakyReLU(0.2f)]
        [Dense(100)] [ReLU]
        [Dense(1)]
        public partial class DeepMlp;
        """;
}
