namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>
/// FLOPs per step, counted exactly as the peer script (../shared/bench/peer_torch.py) counts them, so GFLOP/s and
/// fractions of peak compare like with like: only the matrix products, two FLOPs per multiply-add, none for
/// activations, pooling, loss or update.
/// </summary>
public static class FlopCount
{
    /// <summary>
    /// <c>mlp_train_flops</c>: forward, weight gradient and input gradient of every dense layer except the first
    /// (whose input gradient nobody needs).
    /// </summary>
    public static long MlpTrainingStep(int[] sizes, int batch)
    {
        var products = LayerProducts(sizes);
        long all = 0, allButFirst = 0;
        for (var i = 0; i < products.Length; i++)
        {
            all += products[i];
            if (i > 0)
                allButFirst += products[i];
        }
        long forward = 2L * batch * all, weightGradient = 2L * batch * all, inputGradient = 2L * batch * allButFirst;
        return forward + weightGradient + inputGradient;
    }

    /// <summary>
    /// <c>cnn_train_flops</c> for the W4 CNN on 28×28 inputs: forward and weight gradient of all four layers, input
    /// gradient of all but the first convolution.
    /// </summary>
    public static long CnnTrainingStep(int batch)
    {
        const long conv1 = 2L * 28 * 28 * 32 * 25 * 1;
        const long conv2 = 2L * 14 * 14 * 64 * 25 * 32;
        const long dense1 = 2L * 3136 * 1024;
        const long dense2 = 2L * 1024;
        const long forward = conv1 + conv2 + dense1 + dense2;
        return batch * (forward + forward + (conv2 + dense1 + dense2));
    }

    /// <summary>
    /// The forward pass of an MLP over <paramref name="samples"/> samples, the work of one W5 margin evaluation. The
    /// peer reports no GFLOP/s for W5; DESIGN §6's 70 GFLOP/s for it is evals/s times this count.
    /// </summary>
    public static long MlpForward(int[] sizes, int samples)
    {
        long all = 0;
        foreach (var p in LayerProducts(sizes))
            all += p;
        return 2L * samples * all;
    }

    private static long[] LayerProducts(int[] sizes)
    {
        var products = new long[sizes.Length - 1];
        for (var i = 0; i < products.Length; i++)
            products[i] = (long)sizes[i] * sizes[i + 1];
        return products;
    }
}
