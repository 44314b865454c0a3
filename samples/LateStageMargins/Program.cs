using System.CommandLine;
using System.Globalization;
using HomogenousDsl;
using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Margins;
using HomogenousDsl.Training;
using LateStageMargins;

// Trains a bias-free ReLU network on two MNIST digit classes with constant-step SGD, through separation into the
// late stage, and reports the normalized margin (Schechtman & Schreuder; Lyu & Li). Runs on embedded data by default.

var images = new Option<FileInfo?>("--images") { Description = "IDX images file (gzip or raw); default: the embedded MNIST subset" };
var labels = new Option<FileInfo?>("--labels") { Description = "IDX labels file matching --images" };
var classes = new Option<string>("--classes") { Description = "Positive and negative class, e.g. 3,5", DefaultValueFactory = _ => "3,5" };
var perClass = new Option<int>("--per-class") { Description = "Samples taken per class", DefaultValueFactory = _ => 250 };
var steps = new Option<long>("--steps") { Description = "SGD steps", DefaultValueFactory = _ => 200_000 };
var stepSize = new Option<double>("--step-size") { Description = "Constant step size η", DefaultValueFactory = _ => 0.2 };
var batchSize = new Option<int>("--batch-size") { Description = "Samples per step (0: full-batch gradient descent)", DefaultValueFactory = _ => 32 };
var loss = new Option<LossKind>("--loss") { Description = "Logistic or Exponential (the exponential loss needs a smaller --step-size early on)", DefaultValueFactory = _ => LossKind.Logistic };
var seed = new Option<int>("--seed") { Description = "Seed for the initialization and the batches", DefaultValueFactory = _ => 1 };
var recordEvery = new Option<long>("--record-every") { Description = "Measure over the full training set every N steps", DefaultValueFactory = _ => 10_000 };
var output = new Option<FileInfo>("--output") { Description = "CSV file for the margin reports", DefaultValueFactory = _ => new FileInfo(Path.Combine("runs", "margins.csv")) };

var command = new RootCommand("Late-stage margin dynamics of constant-step SGD on a homogeneous network")
{
    images, labels, classes, perClass, steps, stepSize, batchSize, loss, seed, recordEvery, output,
};
command.SetAction(parsed =>
{
    var pair = parsed.GetValue(classes)!.Split(',');
    if (pair.Length != 2 || !int.TryParse(pair[0], CultureInfo.InvariantCulture, out var positive) || !int.TryParse(pair[1], CultureInfo.InvariantCulture, out var negative))
        throw new ArgumentException($"--classes takes two labels such as 3,5, not '{parsed.GetValue(classes)}'.");
    var (imageFile, labelFile) = (parsed.GetValue(images), parsed.GetValue(labels));
    if ((imageFile is null) != (labelFile is null))
        throw new ArgumentException("--images and --labels go together.");
    var source = imageFile is null ? EmbeddedDigits.Load() : MnistLoader.Load(imageFile.FullName, labelFile!.FullName);
    var data = MnistLoader.TwoClass(source, positive, negative, parsed.GetValue(perClass));

    var options = new TrainingOptions
    {
        Loss = parsed.GetValue(loss),
        BatchSize = parsed.GetValue(batchSize),
        UpdateRule = new ConstantStep(parsed.GetValue(stepSize)),
        Steps = parsed.GetValue(steps),
        Seed = parsed.GetValue(seed),
        RecordEvery = parsed.GetValue(recordEvery),
    };
    Console.WriteLine(MnistMlp.Description);
    Console.WriteLine($"Data: {data.Name}, {data.Count} samples ({data.CountOf(1)} of class {positive} as +1, {data.CountOf(-1)} of class {negative} as −1)");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SGD: {options.Loss} loss, η = {options.UpdateRule.StepSize}, batch {(options.BatchSize == 0 ? data.Count : options.BatchSize)}, {options.Steps} steps, seed {options.Seed}"));
    Console.WriteLine();

    using var cancellation = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
    using var csv = new MarginCsvWriter(parsed.GetValue(output)!.FullName);
    using var trainer = new Trainer<MnistMlp>(data, options, seed: options.Seed);
    ReportTable.WriteHeader();
    MarginReport? firstSeparated = null;
    var summary = trainer.Run(report =>
    {
        csv.Write(report);
        ReportTable.Write(report);
        if (report.Separated)
            firstSeparated ??= report;
    }, cancellation.Token);

    Console.WriteLine();
    if (summary.Cancelled)
        Console.WriteLine($"Stopped on request at step {summary.Last.Step}.");
    if (summary.SeparationStep is { } separated)
    {
        Console.WriteLine($"Separated (all q_i > 0) by step {separated}.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Normalized margin γ after separation: {firstSeparated!.Value.NormalizedMargin:E4} at step {firstSeparated.Value.Step} → {summary.Last.NormalizedMargin:E4} at step {summary.Last.Step} (×{summary.Last.NormalizedMargin / firstSeparated.Value.NormalizedMargin:F2})."));
    }
    else
    {
        Console.WriteLine("The data was not separated within the run; try more --steps or a larger --step-size.");
    }
    Console.WriteLine($"Margin reports written to {parsed.GetValue(output)!.FullName}");
    return 0;
});
try
{
    return command.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is DataFormatException or DatasetException or ArgumentException or IOException or NonFiniteValueException)
{
    // Bad input or a diverging run: say what and where, without a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
