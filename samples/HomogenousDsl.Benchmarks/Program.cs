using System.CommandLine;
using System.Text.Json;
using BenchmarkDotNet.Running;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Report;
using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Benchmarks.Workloads;
using HomogenousDsl.Losses;

// Three quick modes for the peer comparison (quick, peak, report) and one to look inside a step (layer); anything
// else goes to BenchmarkDotNet, e.g. `--filter '*'` or `--filter '*' --job short`.
string[] modes = ["quick", "peak", "report", "layer"];
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

var batch = new Option<int>("--batch") { Description = "Samples per call", DefaultValueFactory = _ => 64 };
var inFeatures = new Option<int>("--in") { Description = "Input features", DefaultValueFactory = _ => 3136 };
var outFeatures = new Option<int>("--out") { Description = "Output features", DefaultValueFactory = _ => 1024 };
var inputLayout = new Option<string>("--input-layout") { Description = "batch or feature (major), as the generated code passes it", DefaultValueFactory = _ => "batch" };
var outputLayout = new Option<string>("--output-layout") { Description = "batch or feature (major)", DefaultValueFactory = _ => "feature" };
var layerThreads = new Option<string>("--threads") { Description = "Comma-separated thread counts; 0 = all cores", DefaultValueFactory = _ => "1,0" };
var layer = new Command("layer", "Time one dense layer's products (default: W4's 3136 → 1024 at batch 64) with each thread count")
{
    batch, inFeatures, outFeatures, inputLayout, outputLayout, layerThreads, warmup, windows, windowSeconds,
};
layer.SetAction(parsed =>
{
    var shape = new DenseLayerShape(parsed.GetValue(batch), parsed.GetValue(inFeatures), parsed.GetValue(outFeatures),
        LayoutFrom(parsed.GetValue(inputLayout)!, "--input-layout"), LayoutFrom(parsed.GetValue(outputLayout)!, "--output-layout"));
    foreach (var item in parsed.GetValue(layerThreads)!.Split(','))
    {
        var count = int.Parse(item, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var result in LayerProducts.Measure(shape, count == 0 ? Environment.ProcessorCount : count, WindowsFrom(parsed)))
            Console.WriteLine(JsonSerializer.Serialize(result, BenchmarkJson.Line));
    }
    return 0;
});

// Each option takes one file per round (several rounds: repeat the option or list the files), paired by position.
var peerOne = RoundFiles("--peer-1", "peer_torch.py --threads 1 --json output");
var peerAll = RoundFiles("--peer-all", "peer_torch.py --threads <cores> --json output");
var oursOne = RoundFiles("--ours-1", "quick --threads 1 --json output");
var oursAll = RoundFiles("--ours-all", "quick --threads 0 --json output");
var peaks = RoundFiles("--peak", "peak --json output (1 and all threads)");
var peerTunedOne = RoundFiles("--peer-tuned-1", "peer_torch.py --threads 1 --json output with OpenBLAS's AVX-512 kernels forced", required: false);
var peerTunedAll = RoundFiles("--peer-tuned-all", "peer_torch.py --threads <cores> --json output with OpenBLAS's AVX-512 kernels forced", required: false);
var note = new Option<string?>("--note") { Description = "A paragraph for the header, e.g. how the run restricted the instruction set" };
var machine = new Option<string>("--machine") { Description = "CPU model for the header (lscpu's model name)", DefaultValueFactory = _ => MachineName() };
var output = new Option<FileInfo>("--output") { Description = "Markdown file to write", DefaultValueFactory = _ => new FileInfo("docs/performance.md") };
var report = new Command("report", "Write docs/performance.md from the JSON files of a comparison run (one file of each kind per round)")
{
    peerOne, peerAll, oursOne, oursAll, peaks, peerTunedOne, peerTunedAll, note, machine, output,
};
report.SetAction(parsed =>
{
    var rounds = parsed.GetValue(peaks)!.Length;
    foreach (var option in new[] { peerOne, peerAll, oursOne, oursAll })
    {
        if (parsed.GetValue(option)!.Length != rounds)
            throw new ArgumentException($"{option.Name} has {parsed.GetValue(option)!.Length} file(s) but --peak has {rounds}: give one file of each kind per round.");
    }
    foreach (var option in new[] { peerTunedOne, peerTunedAll })
    {
        var count = parsed.GetValue(option)?.Length ?? 0;
        if (count != 0 && count != rounds)
            throw new ArgumentException($"{option.Name} has {count} file(s) but --peak has {rounds}: give one per round, or none.");
    }
    ComparisonRound Round(FileInfo peer, FileInfo ours, FileInfo peakFile, FileInfo? tuned)
    {
        var quickReport = ReadJson<QuickReport>(ours);
        var threadCount = quickReport.Meta.Threads;
        var matchingPeak = ReadJson<PeakReport>(peakFile).Results.FirstOrDefault(p => p.Threads == threadCount)
            ?? throw new InvalidDataException($"{peakFile.FullName} has no FMA peak for {threadCount} threads, the count of {ours.FullName}.");
        return new ComparisonRound(PeerRun.Load(peer.FullName), quickReport, matchingPeak, tuned is null ? null : PeerRun.Load(tuned.FullName));
    }
    ThreadSection Section(FileInfo[] peer, FileInfo[] ours, FileInfo[]? tuned, bool single)
    {
        var sectionRounds = Enumerable.Range(0, rounds)
            .Select(r => Round(peer[r], ours[r], parsed.GetValue(peaks)![r], tuned is { Length: > 0 } ? tuned[r] : null))
            .ToArray();
        return new ThreadSection(single ? "1 thread" : $"All threads ({sectionRounds[0].Ours.Meta.Threads})", sectionRounds);
    }
    ThreadSection[] sections =
    [
        Section(parsed.GetValue(peerOne)!, parsed.GetValue(oursOne)!, parsed.GetValue(peerTunedOne), single: true),
        Section(parsed.GetValue(peerAll)!, parsed.GetValue(oursAll)!, parsed.GetValue(peerTunedAll), single: false),
    ];
    var file = parsed.GetValue(output)!;
    file.Directory?.Create();
    File.WriteAllText(file.FullName, PerformanceReport.Render(sections, parsed.GetValue(machine)!, DateTimeOffset.UtcNow, parsed.GetValue(note)));
    Console.WriteLine($"Wrote {file.FullName}");
    return 0;
});

var root = new RootCommand("HomogenousDsl benchmarks: quick timing, FMA peak and the PyTorch comparison report (other arguments go to BenchmarkDotNet)")
{
    quick, peak, report, layer,
};
return root.Parse(args).Invoke();

WindowOptions WindowsFrom(ParseResult parsed) =>
    new(parsed.GetValue(warmup), parsed.GetValue(windows), parsed.GetValue(windowSeconds));

static HomogenousDsl.Kernels.ActivationLayout LayoutFrom(string value, string option) => value switch
{
    "batch" => HomogenousDsl.Kernels.ActivationLayout.BatchMajor,
    "feature" => HomogenousDsl.Kernels.ActivationLayout.FeatureMajor,
    _ => throw new ArgumentException($"{option} takes batch or feature, not '{value}'."),
};

static void WriteJson<T>(FileInfo? file, T value)
{
    if (file is null)
        return;
    file.Directory?.Create();
    File.WriteAllText(file.FullName, JsonSerializer.Serialize(value, BenchmarkJson.File));
}

static T ReadJson<T>(FileInfo file) =>
    JsonSerializer.Deserialize<T>(File.ReadAllText(file.FullName), BenchmarkJson.File)
    ?? throw new InvalidDataException($"{file.FullName} is empty.");

static Option<FileInfo[]> RoundFiles(string name, string description, bool required = true) =>
    new(name) { Description = $"{description}; one per round", Required = required, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };

// lscpu's "Model name" comes from the same field.
static string MachineName() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";
