using System.Collections.Immutable;
using HomogenousDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>
/// DESIGN §7: the analyzer and the generator survive half-typed code. Thousands of random truncations and token
/// deletions of valid network sources run through both; every analyzer exception (surfaced by the driver's
/// onAnalyzerException and as AD0001) and every generator exception is counted, and the count must be zero.
/// </summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    private const int Variants = 2400;
    private const int Seed = 20240611;

    private static readonly string[] s_sources =
    [
        """
        using HomogenousDsl;
        namespace Samples;
        [HomogeneousNetwork(Input = new[] { 2 })]
        [Dense(100, Bias = true)] [LeakyReLU(0.1f)]
        [Dense(1)]
        public partial class TwoLayer;
        """,
        """
        using HomogenousDsl;
        namespace Samples;
        [HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
        [Conv2d(32, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2d(2)]
        [Conv2d(64, Kernel = 3, Padding = 1)] [ReLU] [AvgPool2d(2, Stride = 2)]
        [Flatten]
        [Dense(1024)] [SquaredReLU]
        [Dense(10)]
        public partial class Cnn;
        """,
        """
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
        public static class Cube
        {
            public static float Value(float x)
            {
                var r = MathF.Max(x, 0f);
                if (r > 0) { return r * r * x; }
                return 0.5f * Math.Abs(x) * x * x;
            }
            public static float Derivative(float x) => x > 0 ? 3f * x * x : -1.5f * x * x;
        }
        public static partial class Holder
        {
            [HomogeneousNetwork(Input = new[] { 6 })]
            [Dense(8)] [Activation(typeof(Leaky02))] [Add(From = 0)]
            [Dense(4)] [Activation(typeof(Cube))] [Identity] [Add(From = 4)]
            [Dense(2)]
            internal partial struct Custom;
        }
        """,
        """
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 3, 8, 8 })]
        [Conv2d(4, Kernel = 3, Padding = 1, Bias = true)] [Abs] [Add(From = 0)] [Sigmoid]
        [Conv2d(4, Kernel = 3, Padding = 1)] [ReLU] [Add(From = 1)] [BatchNorm]
        [MaxPool2d(2)] [Flatten] [Dense(3, Bias = true)]
        public partial class Invalid;
        """,
    ];

    [Fact]
    public async Task AnalyzerAndGeneratorSurviveTruncationsAndTokenDeletions()
    {
        var random = new Random(Seed);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer(), new CustomActivationAnalyzer());
        var failures = new List<string>();
        var diagnosticsSeen = 0;
        for (var i = 0; i < Variants; i++)
        {
            var source = s_sources[i % s_sources.Length];
            var variant = (i / s_sources.Length % 3) switch
            {
                0 => source.Substring(0, random.Next(source.Length)),
                1 => DeleteTokens(source, random, count: 1),
                _ => DeleteTokens(source, random, count: random.Next(2, 6)),
            };
            var compilation = CSharpCompilation.Create($"Fuzz{i}", [CSharpSyntaxTree.ParseText(variant, new CSharpParseOptions(LanguageVersion.Latest))],
                TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]),
                onAnalyzerException: (exception, analyzer, _) => failures.Add($"variant {i}: {analyzer.GetType().Name} threw {exception}\n{variant}"),
                concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            var diagnostics = await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
            failures.AddRange(diagnostics.Where(static d => d.Id == "AD0001").Select(d => $"variant {i}: {d}\n{variant}"));
            diagnosticsSeen += diagnostics.Length;

            var run = CSharpGeneratorDriver.Create(new NetworkGenerator()).RunGenerators(compilation).GetRunResult();
            failures.AddRange(run.Results.Where(static r => r.Exception is not null).Select(r => $"variant {i}: generator threw {r.Exception}\n{variant}"));
            failures.AddRange(run.Diagnostics.Select(d => $"variant {i}: generator reported {d}\n{variant}"));
        }
        output.WriteLine($"{Variants} variants, {diagnosticsSeen} analyzer diagnostics, {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{failures.Count} exceptions; first: {failures.FirstOrDefault()}");
        // The variants must actually exercise the analyzer, not only fail to parse.
        Assert.True(diagnosticsSeen > Variants / 2, $"only {diagnosticsSeen} analyzer diagnostics over {Variants} variants");
    }

    private static string DeleteTokens(string source, Random random, int count)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(static t => t.Span.Length > 0).ToList();
        var first = random.Next(tokens.Count);
        var last = Math.Min(tokens.Count - 1, first + count - 1);
        return source.Remove(tokens[first].SpanStart, tokens[last].Span.End - tokens[first].SpanStart);
    }
}
