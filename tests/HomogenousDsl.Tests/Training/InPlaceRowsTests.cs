using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// Samples that are consecutive rows of the data set (a whole-set measurement in order) are read where they are instead
/// of gathered. The kernels must not tell the difference: outputs, losses and gradients equal, bit for bit, those of the
/// same samples gathered from a copy of the set stored in reverse, on every way a block runs.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class InPlaceRowsTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);
    private static readonly Dataset s_reversed = Reversed(s_digits);

    public enum Plan { OneThread, BySample, InKernels }

    [Theory]
    [InlineData(Plan.OneThread, 64)]
    [InlineData(Plan.OneThread, 200)]
    [InlineData(Plan.BySample, 64)]
    [InlineData(Plan.InKernels, 64)]
    [InlineData(Plan.BySample, 200)]
    public void ReadingRowsInPlaceGivesWhatGatheringThemGives(Plan plan, int chunk)
    {
        using var _ = plan == Plan.InKernels ? SplitPlan.InKernels() : SplitPlan.BySample();
        var threads = plan == Plan.OneThread ? 1 : 2;
        var count = s_digits.Count;
        var inOrder = Enumerable.Range(0, count).ToArray();
        var gathered = inOrder.Select(i => count - 1 - i).ToArray();
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, seed: 7);

        using var inPlace = new GradientEngine<DigitsMlp>(s_digits, LossKind.Exponential, count, chunk, threads);
        using var copied = new GradientEngine<DigitsMlp>(s_reversed, LossKind.Exponential, count, chunk, threads);
        var logTotal = inPlace.Evaluate(parameters, inOrder);
        Assert.Equal(copied.Evaluate(parameters, gathered), logTotal);
        Assert.Equal(copied.Outputs.ToArray(), inPlace.Outputs.ToArray());
        Assert.Equal(copied.Samples.ToArray(), inPlace.Samples.ToArray());

        float[] expected = new float[parameters.Length], actual = new float[parameters.Length];
        copied.NormalizedGradient(parameters, gathered, logTotal, expected);
        inPlace.NormalizedGradient(parameters, inOrder, logTotal, actual);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, g => g != 0);
    }

    /// <summary>A run that starts mid-set (a contiguous slice of the indices) is read in place from the right rows.</summary>
    [Fact]
    public void ARunStartingMidSetReadsItsOwnRows()
    {
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, seed: 8);
        var run = Enumerable.Range(37, 50).ToArray();
        var broken = run.Select((row, i) => i == 0 ? run[1] : i == 1 ? run[0] : row).ToArray();
        using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Logistic, 50, 50, threads: 1);
        engine.Evaluate(parameters, run);
        var inPlace = engine.Outputs[..50].ToArray();
        engine.Evaluate(parameters, broken);
        var gathered = engine.Outputs[..50].ToArray();
        (gathered[0], gathered[1]) = (gathered[1], gathered[0]);
        Assert.Equal(gathered, inPlace);
    }

    private static Dataset Reversed(Dataset data)
    {
        var size = data.FeatureCount;
        var features = new float[data.Features.Length];
        for (var i = 0; i < data.Count; i++)
            data.Sample(data.Count - 1 - i).CopyTo(features.AsSpan(i * size, size));
        return Dataset.Binary("reversed", features, data.SampleShape, data.Targets.Reverse().ToArray());
    }
}
