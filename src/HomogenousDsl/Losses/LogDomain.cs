namespace HomogenousDsl.Losses;

/// <summary>
/// Stable log-domain arithmetic. Late-stage losses reach e^{−2000} and below, far under double's range, so losses
/// are carried as logarithms and only ratios of them are ever exponentiated.
/// </summary>
public static class LogDomain
{
    /// <summary><c>log Σ e^{x_i}</c>; −∞ for an empty span.</summary>
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var value in values)
            max = Math.Max(max, value);
        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
            return max;
        var sum = 0.0;
        foreach (var value in values)
            sum += Math.Exp(value - max);
        return max + Math.Log(sum);
    }

    /// <summary><c>log(1 + e^x)</c> without overflow or loss of tiny values.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary><c>log(log(1 + e^x))</c>: for very negative x this is x − e^x/2 + …, which stays finite where e^x underflows.</summary>
    public static double LogSoftplus(double x)
    {
        if (x < -30)
            return x - 0.5 * Math.Exp(x);
        return Math.Log(Softplus(x));
    }

    /// <summary><c>e^x − 1</c> accurate near 0 (Kahan's trick: the rounding errors of e^x and log cancel).</summary>
    public static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1.0)
            return x;
        var um1 = u - 1.0;
        if (um1 == -1.0)
            return -1.0;
        return um1 * x / Math.Log(u);
    }

    /// <summary><c>log(e^y − 1)</c> for y = e^{logY} &gt; 0, stable when y underflows (then it is logY + y/2).</summary>
    public static double LogExpM1OfExp(double logY)
    {
        if (logY < -30)
            return logY + 0.5 * Math.Exp(logY);
        var y = Math.Exp(logY);
        return y > 30 ? y + Math.Log(-ExpM1(-y)) : Math.Log(ExpM1(y));
    }
}
