using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// A forward pass over a set of several blocks, shared out piece by piece to whichever thread is free: each sample gets
/// what a one-thread pass over its piece gives, whoever computed it, and the pass allocates nothing.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class ClaimedForwardTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);

    [Theory]
    [InlineData(2, 32)]
    [InlineData(3, 32)]
    [InlineData(2, 48)]
    public void EachSampleGetsWhatAOneThreadPassOverItsPieceGives(int threads, int chunk)
    {
        // Blocks of 32–48 samples would split inside the kernels; these tests need them split by sample.
        using var _ = SplitPlan.BySample();
        var parameters = Parameters<DigitsMlp>();
        // A shuffled set, so pieces gather rows from all over the data.
        var indices = Enumerable.Range(0, s_digits.Count).Select(i => i * 37 % s_digits.Count).ToArray();
        using var shared = new GradientEngine<DigitsMlp>(s_digits, LossKind.Logistic, indices.Length, chunk, threads);
        var logTotal = shared.Evaluate(parameters, indices);
        Assert.True(double.IsFinite(logTotal));

        var piece = (chunk + threads - 1) / threads;
        using var single = new GradientEngine<DigitsMlp>(s_digits, LossKind.Logistic, piece, piece, threads: 1);
        for (var start = 0; start < indices.Length; start += piece)
        {
            var count = Math.Min(piece, indices.Length - start);
            single.Evaluate(parameters, indices.AsSpan(start, count));
            Assert.Equal(single.Outputs[..count].ToArray(), shared.Outputs.Slice(start, count).ToArray());
            for (var i = 0; i < count; i++)
                Assert.Equal(single.Samples[i], shared.Samples[start + i]);
        }
    }

    /// <summary>A gradient can follow a shared-out forward pass (which keeps no block for it) and is reproducible.</summary>
    [Fact]
    public void TheGradientAfterASharedOutPassIsReproducible()
    {
        using var _ = SplitPlan.BySample();
        var parameters = Parameters<DigitsMlp>();
        var indices = Enumerable.Range(0, s_digits.Count).ToArray();
        float[] first = new float[DigitsMlp.ParameterCount], second = new float[DigitsMlp.ParameterCount];
        using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Exponential, indices.Length, chunk: 32, threads: 2);
        engine.NormalizedGradient(parameters, indices, engine.Evaluate(parameters, indices), first);
        engine.NormalizedGradient(parameters, indices, engine.Evaluate(parameters, indices), second);
        Assert.Equal(first, second);
        Assert.Contains(first, g => g != 0);
    }

    [Fact]
    public void SharingOutAForwardPassAllocatesNothing()
    {
        using var _ = SplitPlan.BySample();
        var parameters = Parameters<DigitsMlp>();
        var indices = Enumerable.Range(0, s_digits.Count).ToArray();
        using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Logistic, indices.Length, chunk: 32, threads: 2);
        for (var i = 0; i < 5; i++)
            engine.Evaluate(parameters, indices);
        long allocated = 0;
        // As in the training-step test: a one-time lazy allocation of the runtime may land in one window, not in every one.
        for (var window = 0; window < 3; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread() + engine.WorkerAllocatedBytes;
            for (var i = 0; i < 20; i++)
                engine.Evaluate(parameters, indices);
            allocated = GC.GetAllocatedBytesForCurrentThread() + engine.WorkerAllocatedBytes - before;
            if (allocated == 0)
                break;
        }
        Assert.Equal(0, allocated);
    }

    private static float[] Parameters<TNetwork>() where TNetwork : IHomogeneousNetwork<TNetwork>
    {
        var parameters = new float[TNetwork.ParameterCount];
        ParameterInitializer.HeNormal(TNetwork.Description, parameters, seed: 5);
        return parameters;
    }
}
