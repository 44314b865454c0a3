using HomogenousDsl.Benchmarks.Networks;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>Binds each workload to its generated network and data.</summary>
public static class WorkloadRunners
{
    /// <summary>Sets up <paramref name="workload"/> (allocating everything its steps will need).</summary>
    public static IWorkloadRunner Create(Workload workload, WorkloadData data, RunSettings settings) => workload.Id switch
    {
        "W1" => new TrainStepRunner<TwoLayerReLU>(data.TwoD, settings, workload.Batch),
        "W2" => new TrainStepRunner<Mlp256>(data.Images, settings, workload.Batch),
        "W3" => new TrainStepRunner<Mlp1024>(data.Images, settings, workload.Batch),
        "W4" => new TrainStepRunner<MadryCnn>(data.Images, settings, workload.Batch),
        "W5" => new MarginEvaluationRunner<Mlp256>(data.Images, settings),
        _ => throw new ArgumentException($"No runner for workload '{workload.Id}'.", nameof(workload)),
    };
}
