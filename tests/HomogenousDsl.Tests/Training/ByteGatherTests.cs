using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Tests.Kernels;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// Random batches of an 8-bit image set are decoded from its bytes rather than copied from its floats: the outputs,
/// losses and gradients must be those of the copied rows, bit for bit, on every plan.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class ByteGatherTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void DecodedBatchesGiveTheGradientOfCopiedOnes(int threads, bool splitInKernels)
    {
        using var _ = splitInKernels ? SplitPlan.InKernels() : SplitPlan.BySample();
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, seed: 5);
        // Scattered rows, so the engine gathers (a run of consecutive rows would be read in place).
        var batch = Enumerable.Range(0, 64).Select(i => (i * 37 + 11) % s_digits.Count).ToArray();

        var (logTotal, outputs, gradient) = Run(gathersBytes: true);
        var (copiedLogTotal, copiedOutputs, copiedGradient) = Run(gathersBytes: false);
        Assert.Equal(copiedLogTotal, logTotal);
        Assert.Equal(copiedOutputs, outputs);
        Assert.Equal(copiedGradient, gradient);

        (double, float[], float[]) Run(bool gathersBytes)
        {
            using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Logistic, 64, 64, threads);
            Assert.True(engine.GathersBytes);
            engine.GathersBytes = gathersBytes;
            var total = engine.Evaluate(parameters, batch);
            var direction = new float[parameters.Length];
            engine.NormalizedGradient(parameters, batch, total, direction);
            return (total, engine.Outputs[..batch.Length].ToArray(), direction);
        }
    }
}
