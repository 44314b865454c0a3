namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>A workload set up and ready to time: <see cref="Step"/> does one unit of work and allocates nothing.</summary>
public interface IWorkloadRunner : IDisposable
{
    /// <summary>One training step, or one margin evaluation.</summary>
    void Step();

    /// <summary>What the steps so far produced, to show the work was real (and finite).</summary>
    WorkloadOutcome Outcome { get; }
}

/// <summary>The observable result of a workload's steps.</summary>
/// <param name="FinalLoss">Mean loss of the last batch (training workloads).</param>
/// <param name="SeparationStep">The step at which the trainer found all training margins positive, if it did.</param>
/// <param name="Margin">The last normalized margin min_i q_i / ‖θ‖^L (margin evaluations).</param>
public sealed record WorkloadOutcome(double? FinalLoss, long? SeparationStep, double? Margin);
