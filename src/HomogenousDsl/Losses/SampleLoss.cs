namespace HomogenousDsl.Losses;

/// <summary>
/// One sample's loss quantities, all in double and in the log domain.
/// </summary>
/// <param name="Margin">q = y·f (binary) or f_y − max_{j≠y} f_j (multiclass).</param>
/// <param name="LogCompetition">s = log Σ_{j≠y} e^{f_j − f_y} (binary: −q): the exponential loss's logarithm.</param>
/// <param name="LogLoss">log ℓ.</param>
/// <param name="LogWeight">log of the total output adjoint Σ_{j≠y} ∂ℓ/∂f_j, which is log|ℓ'(q)| for binary outputs.</param>
public readonly record struct SampleLoss(double Margin, double LogCompetition, double LogLoss, double LogWeight)
{
    /// <summary>Evaluates one sample from its outputs and target (±1 for one output, a class index for k outputs).</summary>
    public static SampleLoss Evaluate(LossKind kind, ReadOnlySpan<float> outputs, int target)
    {
        double margin, competition;
        if (outputs.Length == 1)
        {
            margin = target * (double)outputs[0];
            competition = -margin;
        }
        else
        {
            double own = outputs[target], best = double.NegativeInfinity;
            for (var j = 0; j < outputs.Length; j++)
            {
                if (j != target)
                    best = Math.Max(best, outputs[j]);
            }
            var sum = 0.0;
            for (var j = 0; j < outputs.Length; j++)
            {
                if (j != target)
                    sum += Math.Exp(outputs[j] - best);
            }
            margin = own - best;
            competition = -margin + Math.Log(sum);
        }
        return kind == LossKind.Exponential
            ? new SampleLoss(margin, competition, competition, competition)
            : new SampleLoss(margin, competition, LogDomain.LogSoftplus(competition), competition - LogDomain.Softplus(competition));
    }

    /// <summary>
    /// Writes this sample's output adjoints ∂ℓ/∂f scaled by e^{−logTotal} (soft-min weights: never all zero, whatever
    /// the loss's magnitude).
    /// </summary>
    public void WriteAdjoints(ReadOnlySpan<float> outputs, int target, double logTotal, Span<float> adjoints)
    {
        if (outputs.Length == 1)
        {
            adjoints[0] = (float)(-target * Math.Exp(LogWeight - logTotal));
            return;
        }
        var shift = LogWeight - LogCompetition - logTotal;
        double own = outputs[target];
        for (var j = 0; j < outputs.Length; j++)
            adjoints[j] = j == target ? 0f : (float)Math.Exp(outputs[j] - own + shift);
        adjoints[target] = (float)-Math.Exp(LogWeight - logTotal);
    }

    /// <summary>
    /// ℓ^{−1}(L) for a summed loss L given as log L: −log L for the exponential loss, −log(e^L − 1) for logistic and
    /// cross-entropy. Divided by ‖θ‖^L this is the smoothed margin.
    /// </summary>
    public static double InverseLoss(LossKind kind, double logTotal) =>
        kind == LossKind.Exponential ? -logTotal : -LogDomain.LogExpM1OfExp(logTotal);
}
