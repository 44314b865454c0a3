using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Margins;
using HomogenousDsl.Tests.Networks;

namespace HomogenousDsl.Tests.Margins;

/// <summary>Every reported quantity against a direct double-precision computation from the network's outputs.</summary>
public sealed class MarginTrackerReferenceTests
{
    [Theory]
    [InlineData(LossKind.Exponential)]
    [InlineData(LossKind.Logistic)]
    public void BinaryReportMatchesReference(LossKind kind)
    {
        var network = new NetworkCase<DenseLeaky>();
        var (data, parameters) = RandomProblem(network, count: 37, seed: 11, classes: 0);
        var tracker = new MarginTracker<DenseLeaky>(data, kind, chunk: 8);
        var report = tracker.Measure(step: 5, parameters, stepSize: 0.25);
        CheckAgainstReference(network, data, parameters, kind, report, 0.25);
        Assert.True(double.IsNaN(report.DirectionalChange));

        var moved = parameters.Select((p, i) => p + (i % 3 == 0 ? 0.01f : 0f)).ToArray();
        var next = tracker.Measure(step: 6, moved, stepSize: 0.25);
        var cos = Dot(moved, parameters) / Math.Sqrt(Dot(moved, moved) * Dot(parameters, parameters));
        Assert.Equal(1 - cos, next.DirectionalChange, 9);
    }

    [Fact]
    public void MulticlassReportMatchesReference()
    {
        var network = new NetworkCase<ConvAvgStride>();
        var (data, parameters) = RandomProblem(network, count: 23, seed: 12, classes: 3);
        var report = new MarginTracker<ConvAvgStride>(data, LossKind.CrossEntropy, chunk: 5).Measure(0, parameters, 0.5);
        CheckAgainstReference(network, data, parameters, LossKind.CrossEntropy, report, 0.5);
    }

    private static void CheckAgainstReference(INetworkCase network, Dataset data, float[] parameters, LossKind kind, MarginReport report, double stepSize)
    {
        var n = data.Count;
        var k = network.OutputSize;
        var outputs = network.Outputs(parameters, data.Features, n);
        var losses = new double[n];
        var margins = new double[n];
        var adjoints = new float[n * k];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            var f = outputs.AsSpan(i * k, k).ToArray().Select(static v => (double)v).ToArray();
            var y = data.Targets[i];
            if (k == 1)
            {
                margins[i] = y * f[0];
                losses[i] = kind == LossKind.Exponential ? Math.Exp(-margins[i]) : Math.Log(1 + Math.Exp(-margins[i]));
                weights[i] = kind == LossKind.Exponential ? losses[i] : Math.Exp(-margins[i]) / (1 + Math.Exp(-margins[i]));
                adjoints[i] = (float)(-y * weights[i]);
                continue;
            }
            var others = Enumerable.Range(0, k).Where(j => j != y).ToArray();
            margins[i] = f[y] - others.Max(j => f[j]);
            var sum = others.Sum(j => Math.Exp(f[j] - f[y]));
            losses[i] = Math.Log(1 + sum);
            foreach (var j in others)
                adjoints[i * k + j] = (float)(Math.Exp(f[j] - f[y]) / (1 + sum));
            weights[i] = sum / (1 + sum);
            adjoints[i * k + y] = (float)-weights[i];
        }
        var total = losses.Sum();
        var norm = Math.Sqrt(parameters.Sum(static p => (double)p * p));
        var degree = network.Degree;
        var minMargin = margins.Min();

        AssertClose(Math.Log10(total / n), report.Log10Loss, 1e-9);
        Assert.Equal(margins.Count(static q => q > 0) / (double)n, report.Accuracy);
        AssertClose(minMargin, report.MinMargin, 1e-9);
        AssertClose(norm, report.ParameterNorm, 1e-9);
        AssertClose(minMargin / Math.Pow(norm, degree), report.NormalizedMargin, 1e-9);
        var inverse = kind == LossKind.Exponential ? -Math.Log(total) : -Math.Log(Math.Exp(total) - 1);
        AssertClose(inverse / Math.Pow(norm, degree), report.SmoothedMargin, 1e-7);

        var layerProduct = network.Description.ParameterizedLayers.Aggregate(1.0, (acc, layer) =>
            acc * Math.Pow(Math.Sqrt(parameters.Skip(layer.ParameterOffset).Take(layer.ParameterLength).Sum(static p => (double)p * p)), layer.DegreeExponent));
        AssertClose(minMargin / layerProduct, report.LayerNormalizedMargin, 1e-9);

        var (_, gradient) = network.Subgradient(parameters, data.Features, adjoints, n);
        var gradientNorm = Math.Sqrt(gradient.Sum(static g => (double)g * g));
        AssertClose(-Dot(parameters, gradient) / (norm * gradientNorm), report.Alignment, 1e-4);

        AssertClose(Math.Log10(stepSize * Math.Pow(norm, degree - 2) * weights.Sum() / n), report.Log10SphereStep, 1e-9);
        Assert.Equal(margins.Count(q => q < minMargin + Math.Log(10)), report.NearSupport1);
        Assert.Equal(margins.Count(q => q < minMargin + Math.Log(100)), report.NearSupport2);
        Assert.Equal(margins.Count(q => q < minMargin + Math.Log(1000)), report.NearSupport3);
    }

    internal static (Dataset Data, float[] Parameters) RandomProblem(INetworkCase network, int count, int seed, int classes)
    {
        var random = new Random(seed);
        var features = Enumerable.Range(0, count * network.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var shape = network.Description.InputShape;
        var data = classes == 0
            ? Dataset.Binary("random", features, shape, Enumerable.Range(0, count).Select(i => i % 2 == 0 ? 1 : -1).ToArray())
            : Dataset.Multiclass("random", features, shape, Enumerable.Range(0, count).Select(i => i % classes).ToArray(), classes);
        return (data, NetworkCases.RandomParameters(network, seed));
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, static (x, y) => (double)x * y).Sum();

    private static void AssertClose(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(expected - actual) <= relative * (1e-12 + Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");
}
