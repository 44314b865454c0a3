using System.Globalization;

namespace HomogenousDsl.Margins;

/// <summary>Writes <see cref="MarginReport"/>s as CSV with a header line, numbers in invariant round-trip form.</summary>
public sealed class MarginCsvWriter : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Creates (or replaces) the file and writes the header.</summary>
    public MarginCsvWriter(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        _writer = new StreamWriter(path, append: false) { AutoFlush = false, NewLine = "\n" };
        _writer.WriteLine(MarginReport.CsvHeader);
    }

    /// <summary>Appends one row and flushes it, so an interrupted run keeps every recorded line.</summary>
    public void Write(in MarginReport report)
    {
        _writer.WriteLine(Format(report));
        _writer.Flush();
    }

    /// <summary>One CSV row for a report.</summary>
    public static string Format(in MarginReport r) => string.Join(",",
        r.Step.ToString(CultureInfo.InvariantCulture), Number(r.Log10Loss), Number(r.Accuracy), Number(r.MinMargin),
        Number(r.NormalizedMargin), Number(r.SmoothedMargin), Number(r.LayerNormalizedMargin), Number(r.ParameterNorm),
        Number(r.Alignment), Number(r.Log10SphereStep), Number(r.DirectionalChange),
        r.NearSupport1.ToString(CultureInfo.InvariantCulture), r.NearSupport2.ToString(CultureInfo.InvariantCulture),
        r.NearSupport3.ToString(CultureInfo.InvariantCulture));

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
