using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>
/// Times the workloads the way the peer script times its own and prints one JSON object per workload (after a meta
/// line), optionally writing them all to a file: seconds per workload instead of BenchmarkDotNet's minutes.
/// </summary>
public static class QuickMode
{
    /// <summary>Runs <paramref name="workloads"/> in order and returns the report.</summary>
    public static QuickReport Run(IReadOnlyList<Workload> workloads, RunSettings settings, WindowOptions windows, TextWriter output)
    {
        var data = new WorkloadData(note => output.WriteLine($"# {note}"));
        var needsImages = workloads.Any(w => w.Id != Workload.W1.Id);
        var meta = new QuickMeta
        {
            Runtime = RuntimeInformation.FrameworkDescription,
            Simd = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar",
            Threads = settings.ResolvedThreads,
            ThreadsRequested = settings.Threads,
            ProcessorCount = Environment.ProcessorCount,
            Loss = settings.PeerLossName,
            Lr = settings.StepSize,
            N = needsImages ? data.Images.Count : data.TwoD.Count,
            Data = needsImages ? data.ImagesSource : data.TwoD.Name,
            WarmupS = windows.WarmupSeconds,
            Windows = windows.Windows,
            WindowS = windows.WindowSeconds,
        };
        output.WriteLine(JsonSerializer.Serialize(meta, BenchmarkJson.Line));

        var results = new List<WorkloadResult>();
        foreach (var workload in workloads)
        {
            using var runner = WorkloadRunners.Create(workload, data, settings);
            // Start each workload from a clean heap so garbage from setting up the previous one is not collected
            // inside this one's windows.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            // The cores' placement can change during a run (a virtual machine's), and a split step's pace with it.
            var handoffBefore = settings.ResolvedThreads > 1 ? HandoffProbe.MeasureNanoseconds() : null;
            var stats = TimedWindows.Measure(runner, windows);
            var handoffAfter = settings.ResolvedThreads > 1 ? HandoffProbe.MeasureNanoseconds() : null;
            var result = Describe(workload, settings, stats, runner.Outcome) with { HandoffNsBefore = handoffBefore, HandoffNsAfter = handoffAfter };
            results.Add(result);
            output.WriteLine(JsonSerializer.Serialize(result, BenchmarkJson.Line));
        }
        return new QuickReport(meta, results);
    }

    private static WorkloadResult Describe(Workload workload, RunSettings settings, WindowStats stats, WorkloadOutcome outcome)
    {
        var isTraining = workload.Kind == WorkloadKind.TrainStep;
        if (outcome.FinalLoss is { } loss && !double.IsFinite(loss))
            throw new InvalidOperationException($"{workload.Id}: the loss went non-finite; the timing is meaningless.");
        return new WorkloadResult
        {
            Name = $"{workload.Id}: {workload.Title}",
            Workload = workload.Id,
            PeerConfig = workload.PeerConfig,
            Batch = workload.Batch,
            Threads = settings.ResolvedThreads,
            StepsPerWindow = stats.StepsPerWindow,
            Median = stats.Median,
            Min = stats.Min,
            Max = stats.Max,
            SamplesPerS = stats.Median * workload.Batch,
            Gflops = stats.Median * workload.FlopsPerStep / 1e9,
            FlopsPerStep = workload.FlopsPerStep,
            AllocatedBytesPerStep = stats.AllocatedBytesPerStep,
            UsPerStep = isTraining ? 1e6 / stats.Median : null,
            FinalLoss = outcome.FinalLoss,
            SeparationStep = outcome.SeparationStep,
            Margin = outcome.Margin,
            EvalsPerS = isTraining ? null : stats.Median,
            MsPerEval = isTraining ? null : 1e3 / stats.Median,
        };
    }
}
