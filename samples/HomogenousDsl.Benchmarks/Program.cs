using System.CommandLine;
using System.Text.Json;
using BenchmarkDotNet.Running;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Benchmarks.Workloads;
using HomogenousDsl.Losses;

// Two quick modes for the peer comparison (quick, peak); anything else goes to BenchmarkDotNet, e.g.
// `--filter '*'` or `--filter '*' --job short`.
string[] modes = ["quick", "peak"];
if (args.Length == 0 || !modes.Contains(args[0]))
{
    BenchmarkSwitcher.FromAssembly(typeof(WorkloadRunners).Assembly).Run(args);
    return 0;
}

var threads = new Option<int>("--threads") { Description = "1 = one thread, 0 = all cores", DefaultValueFactory = _ => 1 };
var json = new Option<FileInfo?>("--json") { Description = "Also write all results to this JSON file" };
var warmup = new Option<double>("--warmup-s") { Description = "Warm-up seconds (sizes the windows)", DefaultValueFactory = _ => 1.0 };
var windows = new Option<int>("--windows") { Description = "Timed windows; the median counts", DefaultValueFactory = _ => 7 };
var windowSeconds = new Option<double>("--window-s") { Description = "Seconds per window", DefaultValueFactory = _ => 1.0 };

var workloads = new Option<string>("--workloads") { Description = "Comma-separated subset of W1,W2,W3,W4,W5", DefaultValueFactory = _ => "W1,W2,W3,W4,W5" };
var loss = new Option<string>("--loss") { Description = "exp or logistic, as the peer's --loss", DefaultValueFactory = _ => "exp" };
var quick = new Command("quick", "Time the workloads as peer_torch.py times its own; one JSON object per workload")
{
    threads, workloads, loss, warmup, windows, windowSeconds, json,
};
quick.SetAction(parsed =>
{
    var lossKind = parsed.GetValue(loss) switch
    {
        "exp" => LossKind.Exponential,
        "logistic" => LossKind.Logistic,
        var other => throw new ArgumentException($"--loss takes exp or logistic, not '{other}'."),
    };
    var chosen = parsed.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Workload.Parse).ToArray();
    var report = QuickMode.Run(chosen, RunSettings.LikePeer(parsed.GetValue(threads), lossKind), WindowsFrom(parsed), Console.Out);
    WriteJson(parsed.GetValue(json), report);
    return 0;
});

var peakThreads = new Option<string>("--threads") { Description = "Comma-separated thread counts; 0 = all cores", DefaultValueFactory = _ => "1,0" };
var peak = new Command("peak", "Measure the FMA peak (GFLOP/s) with each thread count")
{
    peakThreads, warmup, windows, windowSeconds, json,
};
peak.SetAction(parsed =>
{
    var results = new List<PeakResult>();
    foreach (var item in parsed.GetValue(peakThreads)!.Split(','))
    {
        var count = int.Parse(item, System.Globalization.CultureInfo.InvariantCulture);
        var result = FmaPeakProbe.Measure(count == 0 ? Environment.ProcessorCount : count, WindowsFrom(parsed));
        results.Add(result);
        Console.WriteLine(JsonSerializer.Serialize(result, BenchmarkJson.Line));
    }
    WriteJson(parsed.GetValue(json), new PeakReport(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, results));
    return 0;
});

var root = new RootCommand("HomogenousDsl benchmarks: quick timing and FMA peak (other arguments go to BenchmarkDotNet)")
{
    quick, peak,
};
return root.Parse(args).Invoke();

WindowOptions WindowsFrom(ParseResult parsed) =>
    new(parsed.GetValue(warmup), parsed.GetValue(windows), parsed.GetValue(windowSeconds));

static void WriteJson<T>(FileInfo? file, T value)
{
    if (file is null)
        return;
    file.Directory?.Create();
    File.WriteAllText(file.FullName, JsonSerializer.Serialize(value, BenchmarkJson.File));
}
