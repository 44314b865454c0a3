using System.Text.Json;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Report;
using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Tests;

/// <summary>Builds comparison rounds from chosen rates, as the JSON files of a run would give them.</summary>
internal static class ComparisonRounds
{
    /// <summary>A round at <paramref name="threads"/> threads: the peer's and our rate per workload id, and the peak.</summary>
    public static ComparisonRound Round(int threads, double peakGflops, IReadOnlyDictionary<string, (double Peer, double Ours)> rates)
    {
        var peerRates = rates.ToDictionary(r => Workload.Parse(r.Key).PeerConfig, r => r.Value.Peer);
        using var meta = JsonDocument.Parse($$"""{"torch": "1.13.1", "threads": {{threads}}, "N": 12000}""");
        var peer = new PeerRun(meta.RootElement.Clone(), peerRates, Samples: 12_000);
        var ours = new QuickReport(Meta(threads), rates.Select(r => Result(Workload.Parse(r.Key), threads, r.Value.Ours)).ToArray());
        return new ComparisonRound(peer, ours, new PeakResult(threads, peakGflops, peakGflops, peakGflops, 512, 12));
    }

    private static WorkloadResult Result(Workload workload, int threads, double rate) => new()
    {
        Name = $"{workload.Id}: {workload.Title}",
        Workload = workload.Id,
        PeerConfig = workload.PeerConfig,
        Batch = workload.Batch,
        Threads = threads,
        StepsPerWindow = 100,
        Median = rate,
        Min = rate * 0.9,
        Max = rate * 1.1,
        SamplesPerS = rate * workload.Batch,
        Gflops = rate * workload.FlopsPerStep / 1e9,
        FlopsPerStep = workload.FlopsPerStep,
        AllocatedBytesPerStep = 0,
    };

    private static QuickMeta Meta(int threads) => new()
    {
        Runtime = ".NET 10",
        Simd = "Vector512",
        Threads = threads,
        ThreadsRequested = threads,
        ProcessorCount = 2,
        Loss = "exp",
        Lr = 0.001,
        N = 12_000,
        Data = "test data",
        WarmupS = 1,
        Windows = 5,
        WindowS = 0.8,
    };
}
