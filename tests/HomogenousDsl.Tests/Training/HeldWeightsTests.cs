using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// A forward pass over several blocks (one thread) or pieces (two threads) packs the first layer's Wᵀ once and keeps it
/// for the pass (<see cref="HomogenousDsl.Kernels.HeldPackedWeights"/>): its outputs are the bits of blocks too small to pack it, and a
/// pass after the parameters changed in place (same array, same address) sees the new weights.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class HeldWeightsTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5);

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 128)]
    public void APassKeepingPackedWeightsGivesTheUnpackedBitsAndSeesChangedParameters(int threads, int chunk)
    {
        // Pieces of 64 samples: split by sample, each piece wide enough to pack Wᵀ (40 rows).
        using var _ = SplitPlan.BySample();
        var parameters = new float[NarrowDigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(NarrowDigitsMlp.Description, parameters, seed: 9);
        var indices = Enumerable.Range(0, s_digits.Count).ToArray();
        using var held = new GradientEngine<NarrowDigitsMlp>(s_digits, LossKind.Logistic, indices.Length, chunk, threads);
        // Blocks of 20 samples are narrower than W has rows (their first layer never packs W) and wide enough for the
        // packed product (smaller ones take the plain loops, which sum in another order); 500 samples make 25 of them.
        using var unpacked = new GradientEngine<NarrowDigitsMlp>(s_digits, LossKind.Logistic, indices.Length, chunk: 20, threads: 1);
        for (var change = 0; change < 3; change++)
        {
            // In place: the same array at the same address, so a packing kept from the last pass would be stale.
            for (var i = change; i < 784 * 40; i += 97)
                parameters[i] *= -1.5f;
            held.Evaluate(parameters, indices);
            unpacked.Evaluate(parameters, indices);
            Assert.Equal(unpacked.Outputs.ToArray(), held.Outputs.ToArray());
        }
    }
}

[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Flatten]
[Dense(40)] [ReLU]
[Dense(1)]
public partial class NarrowDigitsMlp;
