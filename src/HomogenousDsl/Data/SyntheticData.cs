using static System.FormattableString;

namespace HomogenousDsl.Data;

/// <summary>
/// Small 2-D binary sets for tests and decision-boundary pictures, deterministic for a seed
/// (<see cref="Random"/>(seed)) and balanced: ⌈count/2⌉ samples of +1 and ⌊count/2⌋ of −1.
/// Points lie in [−1, 1]², sample shape {2}.
/// </summary>
public static class SyntheticData
{
    /// <summary>
    /// Points separable by a line through the origin: a random unit direction w is drawn, each point is labelled
    /// sign(w·x), and points with |w·x| &lt; <paramref name="margin"/> are rejected, so the unit-norm margin is at
    /// least <paramref name="margin"/>.
    /// </summary>
    /// <param name="count">The number of points, at least 2.</param>
    /// <param name="seed">The seed of the generator.</param>
    /// <param name="margin">The minimum distance of every point from the separating line, in (0, 1).</param>
    public static Dataset SeparableTwoD(int count, int seed, double margin = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(margin);
        // Every direction reaches |w·x| ≥ 1 at some corner of the square, so any margin below 1 can be met.
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(margin, 1.0);
        var random = new Random(seed);
        double angle = 2 * Math.PI * random.NextDouble();
        double wx = Math.Cos(angle), wy = Math.Sin(angle);
        return Generate(Invariant($"separable 2-D (seed {seed}, margin {margin})"), count, random, (x, y) =>
        {
            double score = wx * x + wy * y;
            return Math.Abs(score) < margin ? 0 : Math.Sign(score);
        });
    }

    /// <summary>
    /// The XOR pattern: +1 in the first and third quadrants, −1 in the second and fourth, with points closer than
    /// <paramref name="gap"/> to either axis rejected. No line separates it, but the four-ReLU network
    /// |x + y| − |x − y| (each |t| = relu(t) + relu(−t)) does, with margin growing with the gap.
    /// </summary>
    /// <remarks>
    /// A positively homogeneous network satisfies sign f(c·x) = sign f(x) for c &gt; 0, so its decision regions are
    /// cones from the origin; patterns such as rings or a disc inside a square cannot be separated by it, while
    /// these quadrants can.
    /// </remarks>
    /// <param name="count">The number of points, at least 2.</param>
    /// <param name="seed">The seed of the generator.</param>
    /// <param name="gap">The minimum distance of every point from both axes, in (0, 1).</param>
    public static Dataset QuadrantsTwoD(int count, int seed, double gap = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(gap, 1.0);
        return Generate(Invariant($"quadrants 2-D (seed {seed}, gap {gap})"), count, new Random(seed), (x, y) =>
            Math.Min(Math.Abs(x), Math.Abs(y)) < gap ? 0 : Math.Sign(x * y));
    }

    // Draws points uniformly from the square until both classes have their quota; label returns 0 to reject a point.
    private static Dataset Generate(string name, int count, Random random, Func<double, double, int> label)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var features = new float[2 * count];
        var signs = new int[count];
        int positives = (count + 1) / 2, negatives = count / 2, filled = 0;
        while (filled < count)
        {
            // Label the float coordinates that are stored, so the margin holds for the data exactly as saved.
            float x = (float)(2 * random.NextDouble() - 1), y = (float)(2 * random.NextDouble() - 1);
            int sign = label(x, y);
            if (sign == 0 || (sign > 0 ? positives : negatives) == 0)
                continue;
            if (sign > 0)
                positives--;
            else
                negatives--;
            features[2 * filled] = x;
            features[2 * filled + 1] = y;
            signs[filled++] = sign;
        }
        return Dataset.Binary(name, features, [2], signs);
    }
}
