using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Margins;

namespace HomogenousDsl.Training;

/// <summary>
/// Trains a generated network with stochastic (or full-batch) subgradient steps and measures margins through the late
/// stage. Generic over the network so the JIT specializes the hot loop; a step allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var trainer = new Trainer&lt;TwoLayer&gt;(data, new TrainingOptions { Steps = 100_000, BatchSize = 16 }, seed: 1);
/// var summary = trainer.Run(report =&gt; Console.WriteLine(report.NormalizedMargin));
/// </code>
/// </example>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class Trainer<TNetwork> : IDisposable where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly TrainingOptions _options;
    private readonly BatchSampler _sampler;
    private readonly GradientEngine<TNetwork> _engine;
    private readonly MarginTracker<TNetwork> _tracker;
    private readonly float[] _direction;
    private readonly float[] _lastGood;
    private long _lastGoodStep;
    private readonly SeparationWatch _separation;

    /// <summary>Creates a trainer whose parameters are He-initialized from <paramref name="seed"/>.</summary>
    public Trainer(Dataset data, TrainingOptions options, int seed)
        : this(data, options, Initial(seed))
    {
    }

    /// <summary>Creates a trainer starting from a copy of <paramref name="parameters"/>.</summary>
    public Trainer(Dataset data, TrainingOptions options, ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != TNetwork.ParameterCount)
            throw new ArgumentException($"{TNetwork.Description.Name} has {TNetwork.ParameterCount} parameters; {parameters.Length} were given.", nameof(parameters));
        if (!VectorMath.AllFinite(parameters))
            throw new ArgumentException("The initial parameters contain NaN or infinity.", nameof(parameters));
        Data = data;
        _options = options;
        _tracker = new MarginTracker<TNetwork>(data, options.Loss, options.EvaluationChunk, options.Threads);
        _sampler = new BatchSampler(data.Count, options.BatchSize, options.Seed);
        // Batches up to 1,024 samples run in one chunk, sharing the forward pass between loss and gradient.
        _engine = new GradientEngine<TNetwork>(data, options.Loss, _sampler.BatchSize, _sampler.BatchSize <= 1024 ? _sampler.BatchSize : options.EvaluationChunk, options.Threads);
        Parameters = parameters.ToArray();
        _direction = new float[TNetwork.ParameterCount];
        _lastGood = Parameters.ToArray();
        _separation = new SeparationWatch(data.Count, _sampler.BatchSize);
    }

    /// <summary>The training data.</summary>
    public Dataset Data { get; }

    /// <summary>The current parameters θ (updated in place).</summary>
    public float[] Parameters { get; }

    /// <summary>Updates made so far.</summary>
    public long Step { get; private set; }

    /// <summary>The first step at which every sample had a positive margin (see <see cref="SeparationWatch"/>), if any yet.</summary>
    public long? SeparationStep { get; private set; }

    /// <summary>log of the last batch's mean loss.</summary>
    public double LastBatchLogLoss { get; private set; }

    /// <summary>
    /// One update: draw a batch, forward, log-domain loss and normalized adjoints, subgradient, update. If the new
    /// parameters are not finite, the parameters of the last measurement are restored and
    /// <see cref="NonFiniteValueException"/> says which step and tensor failed.
    /// </summary>
    public void TrainStep()
    {
        var batch = _sampler.Next();
        var logTotal = _engine.Evaluate(Parameters, batch);
        if (SeparationStep is null && _options.WatchSeparation && _separation.Observe(batch, _engine.Samples, Step))
        {
            var separated = _tracker.MeasureMargins(Parameters);
            _separation.Refresh(_tracker.Samples);
            if (separated)
                SeparationStep = Step;
        }
        var logScale = logTotal - Math.Log(batch.Length);
        if (!_engine.NormalizedUpdate(Parameters, batch, logTotal, _direction, _options.UpdateRule, logScale))
            RestoreLastGood(failedStep: Step + 1);
        LastBatchLogLoss = logScale;
        Step++;
    }

    /// <summary>Measures the margin report over the whole training set at the current parameters.</summary>
    public MarginReport Measure()
    {
        var report = _tracker.Measure(Step, Parameters, _options.UpdateRule.StepSize);
        // Updates are checked, so measured parameters are finite: they are the state a failure returns to.
        Parameters.AsSpan().CopyTo(_lastGood);
        _lastGoodStep = Step;
        if (report.Separated && SeparationStep is null)
            SeparationStep = Step;
        _separation.Refresh(_tracker.Samples);
        return report;
    }

    /// <summary>
    /// Runs <see cref="TrainingOptions.Steps"/> updates, measuring at step 0, every <see cref="TrainingOptions.RecordEvery"/>
    /// steps and at the end; stops early (after a final measurement) when <paramref name="cancellation"/> fires.
    /// </summary>
    public TrainingSummary Run(Action<MarginReport>? onReport = null, CancellationToken cancellation = default)
    {
        var first = Measure();
        onReport?.Invoke(first);
        var last = first;
        var end = Step + _options.Steps;
        while (Step < end && !cancellation.IsCancellationRequested)
        {
            TrainStep();
            if (Step % _options.RecordEvery == 0 || Step == end)
            {
                last = Measure();
                onReport?.Invoke(last);
            }
        }
        if (last.Step != Step)
        {
            last = Measure();
            onReport?.Invoke(last);
        }
        return new TrainingSummary(first, last, SeparationStep, cancellation.IsCancellationRequested);
    }

    /// <summary>Bytes allocated so far by the worker threads of the training step.</summary>
    internal long WorkerAllocatedBytes => _engine.WorkerAllocatedBytes;

    private void RestoreLastGood(long failedStep)
    {
        var tensor = _engine.GradientWasFinite(_direction) ? "parameters" : "gradient";
        _lastGood.AsSpan().CopyTo(Parameters);
        Step = _lastGoodStep;
        throw new NonFiniteValueException(failedStep, tensor, _lastGoodStep);
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        _engine.Dispose();
        _tracker.Dispose();
    }

    private static float[] Initial(int seed)
    {
        var parameters = new float[TNetwork.ParameterCount];
        ParameterInitializer.HeNormal(TNetwork.Description, parameters, seed);
        return parameters;
    }
}

/// <summary>What a run ended with.</summary>
/// <param name="First">The measurement before the first step.</param>
/// <param name="Last">The final measurement.</param>
/// <param name="SeparationStep">The first measured step with all margins positive, if any.</param>
/// <param name="Cancelled">True when the run stopped early on request.</param>
public sealed record TrainingSummary(MarginReport First, MarginReport Last, long? SeparationStep, bool Cancelled);
