using System.Globalization;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>How a target is measured.</summary>
public enum TargetMeasure
{
    /// <summary>Our steps/s over PyTorch's, same thread count.</summary>
    RatioToPeer,

    /// <summary>Our GFLOP/s over the FMA peak measured with the same thread count.</summary>
    FractionOfPeak,
}

/// <summary>One "our target" cell of DESIGN.md §6; the same targets hold for 1 thread and for all threads.</summary>
/// <param name="Workload">W1…W5.</param>
/// <param name="Measure">What the threshold applies to.</param>
/// <param name="Threshold">The least value that meets the target (50 for "≥ 50×", 0.8 for "≥ 80% of peak").</param>
public sealed record PerformanceTarget(string Workload, TargetMeasure Measure, double Threshold)
{
    /// <summary>DESIGN.md §6, row by row.</summary>
    public static IReadOnlyList<PerformanceTarget> Design { get; } =
    [
        new("W1", TargetMeasure.RatioToPeer, 50),
        new("W2", TargetMeasure.FractionOfPeak, 0.80),
        new("W3", TargetMeasure.FractionOfPeak, 0.85),
        new("W4", TargetMeasure.FractionOfPeak, 0.75),
        new("W5", TargetMeasure.FractionOfPeak, 0.80),
    ];

    /// <summary>The target as DESIGN.md writes it.</summary>
    public string Text => Measure == TargetMeasure.RatioToPeer
        ? string.Create(CultureInfo.InvariantCulture, $"≥ {Threshold:0.##}× PyTorch")
        : string.Create(CultureInfo.InvariantCulture, $"≥ {Threshold:0%} of peak");

    /// <summary>Whether a measured ratio to PyTorch and fraction of peak meet the target.</summary>
    public bool IsMet(double ratioToPeer, double fractionOfPeak) =>
        (Measure == TargetMeasure.RatioToPeer ? ratioToPeer : fractionOfPeak) >= Threshold;
}
