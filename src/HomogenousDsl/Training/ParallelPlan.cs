using HomogenousDsl.Kernels;

namespace HomogenousDsl.Training;

/// <summary>How a block of samples is spread over threads, by size and by the kind of network.</summary>
internal static class ParallelPlan
{
    /// <summary>Below this much forward work per block, one thread is faster than waking others (a dispatch costs microseconds).</summary>
    public const long MinimumFlops = 4_000_000;

    /// <summary>
    /// Per-thread batches smaller than this would each pack whole weight matrices for little arithmetic and leave a
    /// whole gradient per thread to sum: such blocks run once, with every kernel split across threads inside
    /// (<see cref="Parallelism.KernelThreads"/>): dense products by feature, convolutions and pooling by sample.
    /// Settable so tests can force either plan.
    /// </summary>
    public static int MinimumSamplesPerShard { get; set; } = 256;

    /// <summary>
    /// True when a block of <paramref name="count"/> samples of a network whose kernels all split
    /// (<see cref="KernelsSplit"/>) should split inside its kernels rather than by sample.
    /// </summary>
    public static bool SplitsKernels(bool kernelsSplit, int count, int threads)
        => kernelsSplit && count / threads < MinimumSamplesPerShard;

    /// <summary>
    /// True when every layer of the network has a kernel that splits itself across lent threads, or costs too little
    /// to matter: dense layers, bias-free convolutions, max pooling, and the activations fused into them. Anything else
    /// (average pooling, user activations, residual additions) would run on one thread while the others wait.
    /// </summary>
    public static bool KernelsSplit(NetworkDescription description)
    {
        foreach (var layer in description.Layers)
        {
            var splits = layer.Kind switch
            {
                LayerKind.Dense or LayerKind.MaxPool2d or LayerKind.Flatten or LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Identity => true,
                LayerKind.Conv2d => layer.BiasLength == 0,
                _ => false,
            };
            if (!splits)
                return false;
        }
        return true;
    }

    /// <summary>
    /// True when the network's input is read only by the products of a dense layer (Flatten and Identity aside), which
    /// are the kernels that take a split product's operands from a thread's own copy of the input (see
    /// <see cref="InputMirror"/>).
    /// </summary>
    public static bool ReadsInputInDenseProducts(NetworkDescription description)
    {
        foreach (var layer in description.Layers)
        {
            if (layer.Kind is LayerKind.Flatten or LayerKind.Identity)
                continue;
            return layer.Kind == LayerKind.Dense;
        }
        return false;
    }

    /// <summary>
    /// The parameter ranges each of <paramref name="threads"/> threads updates after a block whose kernels were split:
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
