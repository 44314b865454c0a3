namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>What one timed unit of a workload is.</summary>
public enum WorkloadKind
{
    /// <summary>One <c>Trainer.TrainStep()</c>: batch, forward, log-domain loss, subgradient, constant-step update.</summary>
    TrainStep,

    /// <summary>One forward-only normalized-margin evaluation over the whole data set.</summary>
    MarginEvaluation,
}

/// <summary>
/// One workload of DESIGN.md §6, tied to its configuration letter in the peer script so results can be paired.
/// </summary>
/// <param name="Id">W1…W5 as in DESIGN.md §6.</param>
/// <param name="PeerConfig">The peer script's <c>--configs</c> letter for the same work.</param>
/// <param name="Title">What runs, for tables.</param>
/// <param name="Batch">Samples per step; for a margin evaluation, samples per evaluation.</param>
/// <param name="Kind">Whether a step trains or evaluates margins.</param>
/// <param name="FlopsPerStep">The peer's FLOP count for one step (see <see cref="FlopCount"/>).</param>
public sealed record Workload(string Id, string PeerConfig, string Title, int Batch, WorkloadKind Kind, long FlopsPerStep)
{
    /// <summary>Samples in the W5 evaluation: all of Fashion-MNIST's training images of classes 0 and 1.</summary>
    public const int MarginSamples = 12_000;

    private static readonly int[] TwoLayer = [2, 100, 1];
    private static readonly int[] Mlp256 = [784, 256, 256, 1];
    private static readonly int[] Mlp1024 = [784, 1024, 1024, 1];

    /// <summary>2-100-1, batch 16, synthetic 2-D: overhead-bound tiny steps.</summary>
    public static Workload W1 { get; } = new("W1", "d", "MLP 2-100-1, b16", 16, WorkloadKind.TrainStep, FlopCount.MlpTrainingStep(TwoLayer, 16));

    /// <summary>784-256-256-1, batch 64.</summary>
    public static Workload W2 { get; } = new("W2", "a", "MLP 784-256-256-1, b64", 64, WorkloadKind.TrainStep, FlopCount.MlpTrainingStep(Mlp256, 64));

    /// <summary>784-1024-1024-1, batch 256.</summary>
    public static Workload W3 { get; } = new("W3", "b", "MLP 784-1024-1024-1, b256", 256, WorkloadKind.TrainStep, FlopCount.MlpTrainingStep(Mlp1024, 256));

    /// <summary>The bias-free CNN, batch 64.</summary>
    public static Workload W4 { get; } = new("W4", "c", "CNN c32-p-c64-p-1024-1, b64", 64, WorkloadKind.TrainStep, FlopCount.CnnTrainingStep(64));

    /// <summary>Normalized margin of the W2 network over 12,000 samples.</summary>
    public static Workload W5 { get; } = new("W5", "m", "margin eval of W2 net, 12k samples", MarginSamples, WorkloadKind.MarginEvaluation, FlopCount.MlpForward(Mlp256, MarginSamples));

    /// <summary>All workloads in table order.</summary>
    public static IReadOnlyList<Workload> All { get; } = [W1, W2, W3, W4, W5];

    /// <summary>The workload with id <paramref name="id"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No workload has that id.</exception>
    public static Workload Parse(string id) =>
        All.FirstOrDefault(w => string.Equals(w.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown workload '{id}'; expected one of {string.Join(", ", All.Select(w => w.Id))}.", nameof(id));
}
