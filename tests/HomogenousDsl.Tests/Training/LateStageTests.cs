using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Margins;
using HomogenousDsl.Tests.Networks;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>At margins around 2,000 the loss is e^{−2000}, far below double's range; everything must stay finite.</summary>
public sealed class LateStageTests
{
    [Theory]
    [InlineData(LossKind.Exponential)]
    [InlineData(LossKind.Logistic)]
    public void MarginsAroundTwoThousandGiveFiniteLossAdjointsAndDirection(LossKind kind)
    {
        var (data, parameters) = SeparatedAtMargin(2000);
        var engine = new GradientEngine<DenseRelu>(data, kind, data.Count, data.Count);
        var all = Enumerable.Range(0, data.Count).ToArray();

        var logTotal = engine.Evaluate(parameters, all);
        Assert.InRange(logTotal, -2000 - 1, -2000 + Math.Log(data.Count) + 1e-6);
        Assert.All(engine.Samples.ToArray(), static s => Assert.True(double.IsFinite(s.LogLoss) && double.IsFinite(s.LogWeight)));

        var adjoints = new float[data.Count];
        var sumOfAdjoints = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            engine.Samples[i].WriteAdjoints(engine.Outputs.Slice(i, 1), data.Targets[i], logTotal, adjoints.AsSpan(i, 1));
            Assert.True(float.IsFinite(adjoints[i]));
            sumOfAdjoints += Math.Abs(adjoints[i]);
        }
        Assert.True(sumOfAdjoints > 0.5, $"normalized adjoints should be soft-min weights summing to about 1, got {sumOfAdjoints}");

        var direction = new float[DenseRelu.ParameterCount];
        engine.NormalizedGradient(parameters, all, logTotal, direction);
        Assert.All(direction, static g => Assert.True(float.IsFinite(g)));
        Assert.Contains(direction, static g => g != 0f);

        var report = new MarginTracker<DenseRelu>(data, kind).Measure(0, parameters, 1.0);
        // The mean loss is e^{−2000}/n to e^{−2000}: about 10^{−868.6 − log10 n}.
        Assert.InRange(report.Log10Loss, -2000 / Math.Log(10) - Math.Log10(data.Count) - 1e-6, -2000 / Math.Log(10) + 1e-6);
        Assert.True(double.IsFinite(report.SmoothedMargin) && report.SmoothedMargin > 0);
        Assert.True(report.SmoothedMargin <= report.NormalizedMargin * (1 + 1e-9));
        Assert.InRange(report.Alignment, -1.0, 1.0);
        Assert.True(double.IsFinite(report.Log10SphereStep));
    }

    [Fact]
    public void TrainingStepAtTinyLossKeepsParametersFinite()
    {
        var (data, parameters) = SeparatedAtMargin(2000);
        using var trainer = new Trainer<DenseRelu>(data, new TrainingOptions { BatchSize = 4, Steps = 3, RecordEvery = 1 }, parameters);
        var summary = trainer.Run();
        Assert.Equal(3, summary.Last.Step);
        Assert.All(trainer.Parameters, static p => Assert.True(float.IsFinite(p)));
        Assert.Equal(0, summary.SeparationStep);
    }

    /// <summary>Labels from the network's own signs, then θ scaled so that min_i q_i = <paramref name="margin"/>.</summary>
    private static (Dataset Data, float[] Parameters) SeparatedAtMargin(double margin)
    {
        var network = new NetworkCase<DenseRelu>();
        var parameters = NetworkCases.RandomParameters(network, 21);
        var inputs = NetworkCases.RandomInputs(network, 64, 22);
        var outputs = network.Outputs(parameters, inputs, 64);
        var keep = Enumerable.Range(0, 64).Where(i => Math.Abs(outputs[i]) > 1e-3).ToArray();
        var features = keep.SelectMany(i => inputs.Skip(i * 5).Take(5)).ToArray();
        var data = Dataset.Binary("self-labelled", features, [5], keep.Select(i => outputs[i] > 0 ? 1 : -1).ToArray());
        var minMargin = keep.Min(i => Math.Abs((double)outputs[i]));
        var scale = (float)Math.Pow(margin / minMargin, 1.0 / network.Degree);
        return (data, parameters.Select(p => p * scale).ToArray());
    }
}
