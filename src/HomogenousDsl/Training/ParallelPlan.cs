using HomogenousDsl.Kernels;

namespace HomogenousDsl.Training;

/// <summary>How a block of samples is spread over threads, by size and by the kind of network.</summary>
internal static class ParallelPlan
{
    /// <summary>Below this much forward work per block, one thread is faster than waking others (a dispatch costs microseconds).</summary>
    public const long MinimumFlops = 4_000_000;

    /// <summary>Dense layers must carry at least this share of the forward work for products to be split instead of batches.</summary>
    public const double MinimumDenseShare = 0.9;

    /// <summary>
    /// Per-thread batches smaller than this would each pack whole weight matrices for little arithmetic and leave a
    /// whole gradient per thread to sum: a dense network's blocks that small run once, with every large matrix product
    /// split by feature across threads instead (<see cref="Parallelism.KernelThreads"/>). Settable so tests can force
    /// either plan.
    /// </summary>
    public static int MinimumSamplesPerShard { get; set; } = 256;

    /// <summary>
    /// True when a block of <paramref name="count"/> samples of a network whose <see cref="DenseShare"/> is
    /// <paramref name="denseShare"/> should split its products rather than its samples.
    /// </summary>
    public static bool SplitsProducts(double denseShare, int count, int threads)
        => count / threads < MinimumSamplesPerShard && denseShare >= MinimumDenseShare;

    /// <summary>The share of one sample's forward work done in dense layers.</summary>
    public static double DenseShare(NetworkDescription description)
    {
        long dense = 0;
        foreach (var layer in description.ParameterizedLayers)
        {
            if (layer.Kind == LayerKind.Dense)
                dense += 2L * layer.WeightLength;
        }
        return description.ForwardFlopsPerSample == 0 ? 0 : (double)dense / description.ForwardFlopsPerSample;
    }

    /// <summary>
    /// The parameter ranges each of <paramref name="threads"/> threads updates after a block whose products were split:
    /// a dense layer's weight rows go to the thread that computed their gradient (and uses them in the next forward
    /// pass), everything else to thread 0, so the update reads nothing another core wrote.
    /// </summary>
    public static (int Start, int Count)[][] OwnedRanges(NetworkDescription description, int threads)
    {
        var ranges = new List<(int, int)>[threads];
        for (var t = 0; t < threads; t++)
            ranges[t] = [];
        foreach (var layer in description.ParameterizedLayers)
        {
            if (layer.Kind != LayerKind.Dense)
            {
                ranges[0].Add((layer.ParameterOffset, layer.ParameterLength));
                continue;
            }
            int rows = layer.WeightShape[0], fanIn = layer.FanIn;
            for (var t = 0; t < threads; t++)
            {
                var (first, end) = SplitGemm.Part(rows, GemmMicroKernel.Rows, t, threads);
                if (end > first)
                    ranges[t].Add((layer.ParameterOffset + first * fanIn, (end - first) * fanIn));
            }
            if (layer.BiasLength > 0)
                ranges[0].Add((layer.ParameterOffset + layer.WeightLength, layer.BiasLength));
        }
        return ranges.Select(static r => r.ToArray()).ToArray();
    }
}
