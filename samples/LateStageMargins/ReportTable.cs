using System.Globalization;
using HomogenousDsl.Margins;

namespace LateStageMargins;

/// <summary>Prints margin reports as a fixed-width console table.</summary>
internal static class ReportTable
{
    public static void WriteHeader()
    {
        Console.WriteLine($"{"step",9} {"log10 loss",11} {"train acc",9} {"norm. margin γ",15} {"smoothed γ̃",12} {"alignment β",12} {"‖θ‖",9}");
        Console.WriteLine(new string('-', 83));
    }

    public static void Write(in MarginReport report) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{report.Step,9} {report.Log10Loss,11:F3} {report.Accuracy,9:P1} {report.NormalizedMargin,15:E4} {report.SmoothedMargin,12:E4} {report.Alignment,12:F6} {report.ParameterNorm,9:F3}"));
}
