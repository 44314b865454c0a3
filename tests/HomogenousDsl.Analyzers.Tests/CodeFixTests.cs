using HomogenousDsl.CodeFixes;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>Each code fix on a marked source, compared with the source a user would write by hand.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task RemoveBiasKeepsTheOtherArguments() => CodeFixVerifier<NetworkAnalyzer, RemoveBiasCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2, Kernel = 3)] [ReLU]
        [Conv2d(2, Kernel = 3, {|HD0001:Bias = true|})] [Flatten]
        [Dense(1)]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2, Kernel = 3)] [ReLU]
        [Conv2d(2, Kernel = 3)] [Flatten]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task RemoveBiasAfterAConstructorArgument() => CodeFixVerifier<NetworkAnalyzer, RemoveBiasCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [ReLU] [Dense(1, {|HD0001:Bias = true|})]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [ReLU] [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task ReplaceSigmoidWithReLU() => CodeFixVerifier<NetworkAnalyzer, ReplaceActivationCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [{|HD0002:Sigmoid|}]
        [Dense(1)]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [ReLU]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task ReplaceTanhWithLeakyReLU() => CodeFixVerifier<NetworkAnalyzer, ReplaceActivationCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3), {|HD0002:Tanh|}]
        [Dense(1)]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3), LeakyReLU(0.01f)]
        [Dense(1)]
        public partial class Net;
        """, codeActionIndex: 1);

    [Fact]
    public Task MakeTheNetworkPartial() => CodeFixVerifier<NetworkAnalyzer, MakePartialCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
        public sealed class {|HD0100:Net|};
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
        public sealed partial class Net;
        """);

    [Fact]
    public Task MakeTheEnclosingTypePartialWhenItHasNoModifiers() => CodeFixVerifier<NetworkAnalyzer, MakePartialCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        class Outer
        {
            [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
            public partial class {|HD0100:Inner|};
        }
        """, """
        using HomogenousDsl;
        partial class Outer
        {
            [HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)]
            public partial class Inner;
        }
        """);

    [Fact]
    public Task InsertFlattenBeforeTheDenseLayer() => CodeFixVerifier<NetworkAnalyzer, InsertFlattenCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2)] [ReLU]
        [{|HD0108:Dense(1)|}]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2)] [ReLU]
        [Flatten] [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task InsertFlattenInsideAnAttributeList() => CodeFixVerifier<NetworkAnalyzer, InsertFlattenCodeFix>.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2), ReLU, {|HD0108:Dense(1)|}]
        public partial class Net;
        """, """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 8, 8 })]
        [Conv2d(2), ReLU, Flatten, Dense(1)]
        public partial class Net;
        """);
}
