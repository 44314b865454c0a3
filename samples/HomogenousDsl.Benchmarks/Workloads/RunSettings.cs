using HomogenousDsl.Losses;
using HomogenousDsl.Training;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>What every workload of one run shares: threads, loss and SGD step, chosen as the peer chooses them.</summary>
/// <param name="Threads">Threads for the runtime: 1 for one, 0 for all cores.</param>
/// <param name="Loss">Exponential (the peer's default) or logistic.</param>
/// <param name="StepSize">The constant SGD step.</param>
public sealed record RunSettings(int Threads, LossKind Loss, double StepSize)
{
    /// <summary>
    /// The peer's defaults: step 1e-3 for the exponential loss (1e-2 diverges on W2), 1e-2 for the logistic loss.
    /// </summary>
    public static RunSettings LikePeer(int threads, LossKind loss) =>
        new(threads, loss, loss == LossKind.Exponential ? 1e-3 : 1e-2);

    /// <summary>The peer's name for the loss (<c>--loss exp|logistic</c>).</summary>
    public string PeerLossName => Loss == LossKind.Exponential ? "exp" : "logistic";

    /// <summary>Training options for a workload of <paramref name="batchSize"/> samples per step.</summary>
    public TrainingOptions TrainingOptions(int batchSize) => new()
    {
        Loss = Loss,
        BatchSize = batchSize,
        UpdateRule = new ConstantStep(StepSize),
        Seed = 1,
        Threads = Threads,
        WatchSeparation = false, // the peer's step does no separation bookkeeping
    };

    /// <summary>The thread count requested, with 0 resolved to the number of cores.</summary>
    public int ResolvedThreads => Threads == 0 ? Environment.ProcessorCount : Threads;
}
