using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// Batches are those of a partial Fisher–Yates shuffle drawn step by step from the seed (a run is reproducible from it),
/// each of distinct samples; a full batch is every sample in order.
/// </summary>
public sealed class BatchSamplerTests
{
    [Fact]
    public void BatchesArePartialShufflesDrawnStepByStepFromTheSeed()
    {
        const int count = 50, size = 7, seed = 13;
        var sampler = new BatchSampler(count, size, seed);
        var permutation = Enumerable.Range(0, count).ToArray();
        var random = new Random(seed);
        for (var step = 0; step < 20; step++)
        {
            for (var i = 0; i < size; i++)
            {
                var j = random.Next(i, count);
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }
            var batch = sampler.Next().ToArray();
            Assert.Equal(permutation[..size], batch);
            Assert.Equal(size, batch.Distinct().Count());
        }
    }

    [Fact]
    public void FullBatchesAreEverySampleInOrder()
    {
        var sampler = new BatchSampler(6, 0, seed: 1);
        Assert.True(sampler.IsFullBatch);
        Assert.Equal(Enumerable.Range(0, 6), sampler.Next().ToArray());
    }
}
