using BenchmarkDotNet.Attributes;
using HomogenousDsl.Benchmarks.Workloads;
using HomogenousDsl.Losses;

namespace HomogenousDsl.Benchmarks.Suites;

/// <summary>
/// BenchmarkDotNet's view of the DESIGN.md §6 workloads: one operation is one training step (W1–W4) or one margin
/// evaluation (W5), for 1 thread and for all cores. [MemoryDiagnoser] proves a step allocates nothing (0 B).
/// </summary>
[MemoryDiagnoser]
public class WorkloadBenchmarks
{
    private IWorkloadRunner _runner = null!;

    /// <summary>W1…W5.</summary>
    [ParamsSource(nameof(WorkloadIds))]
    public string Workload { get; set; } = "W1";

    /// <summary>1 = single thread, 0 = all cores (the runtime's convention for the thread count).</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    /// <summary>The ids BenchmarkDotNet iterates over.</summary>
    public static IEnumerable<string> WorkloadIds => Workloads.Workload.All.Select(w => w.Id);

    [GlobalSetup]
    public void Setup() => _runner = WorkloadRunners.Create(
        Workloads.Workload.Parse(Workload),
        new WorkloadData(Console.WriteLine),
        RunSettings.LikePeer(Threads, LossKind.Exponential));

    /// <summary>One step of the workload.</summary>
    [Benchmark]
    public void Step() => _runner.Step();

    /// <summary>Stops the runner's worker threads.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runner.Dispose();
}
