using Verify = HomogenousDsl.Analyzers.Tests.AnalyzerVerifier;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>HD0100+ usage errors, each at the declaration name, the attribute or the argument at fault.</summary>
public sealed class UsageDiagnosticTests
{
    [Fact]
    public Task ClassMustBePartial() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
        public class {|HD0100:NotPartial|};
        """);

    [Fact]
    public Task EnclosingTypeMustBePartial() => Verify.VerifyAsync("""
        using HomogenousDsl;
        public class Outer
        {
            [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
            public partial class {|HD0100:Inner|};
        }
        """);

    [Fact]
    public Task LayersMustNotBeSplitAcrossDeclarations() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)]
        public partial class Split;
        [{|HD0101:ReLU|}] [{|HD0101:Dense(1)|}]
        public partial class Split;
        """);

    [Fact]
    public Task NetworkMustHaveLayers() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 2 })]
        public partial class {|HD0102:Empty|};
        """);

    [Fact]
    public Task NetworkMustHaveAnInput() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [{|HD0103:HomogeneousNetwork|}] [Dense(1)]
        public partial class NoInput;
        """);

    [Fact]
    public Task InputMustBeAVectorOrAnImage() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [{|HD0104:HomogeneousNetwork(Input = new[] { 2, 3 })|}] [Dense(1)]
        public partial class RankTwo;
        """);

    [Fact]
    public Task ConvolutionNeedsAnImage() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [{|HD0105:Conv2d(3)|}] [Dense(1)]
        public partial class ConvOnVector;
        """);

    [Fact]
    public Task KernelMustFitItsInput() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 4, 4 })] [{|HD0106:Conv2d(2, Kernel = 5)|}] [Flatten] [Dense(1)]
        public partial class KernelTooLarge;
        """);

    [Fact]
    public Task PoolingMustTileItsInput() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 5, 5 })] [{|HD0107:MaxPool2d(2)|}] [Flatten] [Dense(1)]
        public partial class PoolDoesNotDivide;
        """);

    [Fact]
    public Task DenseAfterConvolutionNeedsFlatten() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })] [Conv2d(2)] [{|HD0108:Dense(1)|}]
        public partial class NoFlatten;
        """);

    [Fact]
    public Task NetworkMustNotBeGeneric() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [Dense(1)]
        public partial class {|HD0109:Generic|}<T>;
        """);

    [Fact]
    public Task NetworkMustNotBeNestedInAGenericType() => Verify.VerifyAsync("""
        using HomogenousDsl;
        public partial class Outer<T>
        {
            [HomogeneousNetwork(Input = new[] { 4 })] [Dense(1)]
            public partial class {|HD0109:Inner|};
        }
        """);

    [Fact]
    public Task LayerSizesMustBePositive() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [{|HD0110:Dense(0)|}]
        public partial class ZeroWidth;
        """);

    [Fact]
    public Task OutputMustBeAVector() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 4, 4 })] [{|HD0111:Conv2d(3)|}]
        public partial class EndsWithImage;
        """);

    [Fact]
    public Task AddedBranchesMustHaveEqualShapes() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [ReLU] [Dense(3)] [{|HD0113:Add(From = 1)|}] [Dense(1)]
        public partial class ShapeMismatch;
        """);

    [Fact]
    public Task AddMustNameAnEarlierLayer() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [{|HD0114:Add(From = 1)|}] [Dense(1)]
        public partial class ForwardReference;
        """);

    [Fact]
    public Task ActivationClassMustBeMarked() => Verify.VerifyAsync("""
        using HomogenousDsl;
        public static class Unmarked
        {
            public static float Value(float x) => x;
            public static float Derivative(float x) => 1f;
        }
        [HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)] [{|HD0115:Activation(typeof(Unmarked))|}] [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task ActivationClassNeedsValueAndDerivative() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousActivation]
        public static class {|HD0115:NoDerivative|}
        {
            public static float Value(float x) => x;
        }
        """);

    [Fact]
    public Task ValidNetworkStatesItsDegree() => Verify.VerifyAsync("""
        using HomogenousDsl;

        [HomogeneousActivation]
        public static class Square
        {
            public static float Value(float x) => x > 0 ? x * x : 0f;
            public static float Derivative(float x) => x > 0 ? 2f * x : 0f;
        }

        [HomogeneousNetwork(Input = new[] { 2 })]
        [Dense(8)] [Activation(typeof(Square))]
        [Dense(1)]
        public partial class {|#0:Net|};
        """, withDegree: true, new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticDescriptors.InferredDegree).WithLocation(0).WithArguments("Net", 3));
}
