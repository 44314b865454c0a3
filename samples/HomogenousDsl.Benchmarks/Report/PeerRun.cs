using System.Text.Json;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>The peer script's <c>--json</c> file, reduced to what the report needs.</summary>
/// <param name="Meta">Its meta object as written (torch version, threads, BLAS…).</param>
/// <param name="Rates">Median steps/s (or evals/s) by configuration letter: "a", "b", "c", "d", "m", "a2", "d2".</param>
/// <param name="Samples">Samples in the peer's image set (its meta's N), the size of its margin evaluation.</param>
public sealed record PeerRun(JsonElement Meta, IReadOnlyDictionary<string, double> Rates, int Samples)
{
    /// <summary>Reads a file written by <c>peer_torch.py --json</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not in that format.</exception>
    public static PeerRun Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("meta", out var meta) || !root.TryGetProperty("results", out var results))
            throw new InvalidDataException($"{path} is not a peer_torch.py --json file (no \"meta\" and \"results\").");
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var result in results.EnumerateArray())
        {
            // Names read "a: MLP 784-256-256-1", "m: margin eval (a), N=12000": the letter before the colon.
            var name = result.GetProperty("name").GetString() ?? "";
            var colon = name.IndexOf(':');
            if (colon > 0)
                rates[name[..colon]] = result.GetProperty("median").GetDouble();
        }
        return new PeerRun(meta.Clone(), rates, meta.GetProperty("N").GetInt32());
    }

    /// <summary>The BLAS library the peer loaded (its meta's libblas, file names only).</summary>
    public string Blas =>
        Meta.TryGetProperty("libblas", out var files) && files.ValueKind == JsonValueKind.Array
            ? string.Join(", ", files.EnumerateArray().Select(f => Path.GetFileName(f.GetString() ?? "")).Where(f => f.Contains("openblas", StringComparison.Ordinal) || f.StartsWith("libblas", StringComparison.Ordinal)))
            : "?";

    /// <summary>A meta field as text, or "?" when absent.</summary>
    public string MetaText(string field) =>
        Meta.TryGetProperty(field, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText() : "?";
}
