using HomogenousDsl.Losses;

namespace HomogenousDsl.Tests.Losses;

/// <summary>The log-domain losses against straightforward double-precision formulas where those do not underflow.</summary>
public sealed class LossReferenceTests
{
    public static TheoryData<LossKind, int> Cases() => new()
    {
        { LossKind.Exponential, 1 }, { LossKind.Logistic, 1 }, { LossKind.CrossEntropy, 1 },
        { LossKind.Exponential, 4 }, { LossKind.Logistic, 4 }, { LossKind.CrossEntropy, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampleLossesAndAdjointsMatchTheDirectFormulas(LossKind kind, int outputs)
    {
        var random = new Random(outputs * 10 + (int)kind);
        for (var trial = 0; trial < 200; trial++)
        {
            var f = Enumerable.Range(0, outputs).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
            var target = outputs == 1 ? (random.Next(2) * 2 - 1) : random.Next(outputs);
            var sample = SampleLoss.Evaluate(kind, f, target);
            var (loss, margin, derivative) = Reference(kind, f, target);

            AssertRelative(margin, sample.Margin, 1e-12);
            AssertRelative(loss, Math.Exp(sample.LogLoss), 1e-12);
            var logTotal = Math.Log(loss) + random.NextDouble(); // any normalizer: adjoints are ∂ℓ/∂f / e^{logTotal}
            var adjoints = new float[outputs];
            sample.WriteAdjoints(f, target, logTotal, adjoints);
            for (var j = 0; j < outputs; j++)
                AssertRelative(derivative[j] / Math.Exp(logTotal), adjoints[j], 1e-6);
            var weight = outputs == 1 ? Math.Abs(derivative[0]) : derivative.Where((_, j) => j != target).Sum();
            AssertRelative(weight, Math.Exp(sample.LogWeight), 1e-12);
        }
    }

    [Theory]
    [InlineData(LossKind.Exponential)]
    [InlineData(LossKind.Logistic)]
    public void InverseLossMatchesTheDirectFormula(LossKind kind)
    {
        foreach (var total in new[] { 1e-5, 0.01, 0.3, 1.0, 5.0, 40.0 })
        {
            var expected = kind == LossKind.Exponential ? -Math.Log(total) : -Math.Log(Math.Exp(total) - 1);
            AssertRelative(expected, SampleLoss.InverseLoss(kind, Math.Log(total)), 1e-9);
        }
        // Below 1e-5 the direct formula loses digits to e^L − 1; the series −log L − L/2 is exact there.
        var tiny = 1e-12;
        AssertRelative(kind == LossKind.Exponential ? -Math.Log(tiny) : -Math.Log(tiny) - tiny / 2, SampleLoss.InverseLoss(kind, Math.Log(tiny)), 1e-14);
    }

    [Fact]
    public void LogDomainHelpersStayFiniteFarBeyondDoubleRange()
    {
        Assert.Equal(-2000.0, LogDomain.LogSoftplus(-2000), 12);
        Assert.Equal(2000.0, SampleLoss.InverseLoss(LossKind.Logistic, -2000), 9);
        Assert.Equal(-5000 + Math.Log(3), LogDomain.LogSumExp([-5000.0, -5000.0, -5000.0]), 9);
        AssertRelative(1e-10 + 5e-21, LogDomain.ExpM1(1e-10), 1e-14);
    }

    private static (double Loss, double Margin, double[] Derivative) Reference(LossKind kind, float[] f, int target)
    {
        if (f.Length == 1)
        {
            var q = target * (double)f[0];
            return kind == LossKind.Exponential
                ? (Math.Exp(-q), q, [-target * Math.Exp(-q)])
                : (Math.Log(1 + Math.Exp(-q)), q, [-target * Math.Exp(-q) / (1 + Math.Exp(-q))]);
        }
        var others = Enumerable.Range(0, f.Length).Where(j => j != target).ToArray();
        var margin = f[target] - others.Max(j => (double)f[j]);
        var sum = others.Sum(j => Math.Exp(f[j] - (double)f[target]));
        var derivative = new double[f.Length];
        foreach (var j in others)
            derivative[j] = kind == LossKind.Exponential ? Math.Exp(f[j] - (double)f[target]) : Math.Exp(f[j] - (double)f[target]) / (1 + sum);
        derivative[target] = -others.Sum(j => derivative[j]);
        return (kind == LossKind.Exponential ? sum : Math.Log(1 + sum), margin, derivative);
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1e-300, Math.Abs(expected)) + 1e-30, $"expected {expected:R}, got {actual:R}");
}
