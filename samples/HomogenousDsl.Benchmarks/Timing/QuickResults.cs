using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>
/// One workload's figures. Serialized in snake_case, the field names match the peer's JSON (<c>median</c>,
/// <c>samples_per_s</c>, <c>gflops</c>, <c>us_per_step</c>, <c>evals_per_s</c>…) so the two files read alike.
/// </summary>
public sealed record WorkloadResult
{
    public required string Name { get; init; }
    public required string Workload { get; init; }
    public required string PeerConfig { get; init; }
    public required int Batch { get; init; }
    public required int Threads { get; init; }
    public required long StepsPerWindow { get; init; }
    public required double Median { get; init; }
    public required double Min { get; init; }
    public required double Max { get; init; }
    public required double SamplesPerS { get; init; }
    public required double Gflops { get; init; }
    public required long FlopsPerStep { get; init; }
    public required double AllocatedBytesPerStep { get; init; }
    public double? UsPerStep { get; init; }
    public double? FinalLoss { get; init; }
    public long? SeparationStep { get; init; }
    public double? Margin { get; init; }
    public double? EvalsPerS { get; init; }
    public double? MsPerEval { get; init; }

    /// <summary>
    /// With several threads: nanoseconds one cache line took between two cores just before and just after the windows
    /// (<see cref="Peak.HandoffProbe"/>); a split step slows where this is high.
    /// </summary>
    public double? HandoffNsBefore { get; init; }

    /// <inheritdoc cref="HandoffNsBefore"/>
    public double? HandoffNsAfter { get; init; }
}

/// <summary>The run's circumstances, the counterpart of the peer's first JSON line.</summary>
public sealed record QuickMeta
{
    public required string Runtime { get; init; }
    public required string Simd { get; init; }
    public required int Threads { get; init; }
    public required int ThreadsRequested { get; init; }
    public required int ProcessorCount { get; init; }
    public required string Loss { get; init; }
    public required double Lr { get; init; }
    public required int N { get; init; }
    public required string Data { get; init; }
    public required double WarmupS { get; init; }
    public required int Windows { get; init; }
    public required double WindowS { get; init; }
}

/// <summary>A whole quick run, laid out as the peer's <c>--json</c> file: <c>{ "meta": …, "results": [ … ] }</c>.</summary>
public sealed record QuickReport(QuickMeta Meta, IReadOnlyList<WorkloadResult> Results);

/// <summary>The JSON conventions shared by every file this tool writes or reads.</summary>
public static class BenchmarkJson
{
    /// <summary>One object per line, as the peer prints them.</summary>
    public static JsonSerializerOptions Line { get; } = Create(indented: false);

    /// <summary>Files.</summary>
    public static JsonSerializerOptions File { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = indented,
    };
}
