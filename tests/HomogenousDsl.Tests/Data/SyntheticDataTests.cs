using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

public sealed class SyntheticDataTests
{
    // The best margin min_i y_i w·x_i over unit directions w, by scanning angles finely: each step moves w·x by at
    // most |x|·step ≤ √2·1e-4, so the scan is within 2e-4 of the true optimum.
    private static double BestLinearMargin(Dataset set)
    {
        double best = double.NegativeInfinity;
        for (double angle = 0; angle < 2 * Math.PI; angle += 1e-4)
        {
            double wx = Math.Cos(angle), wy = Math.Sin(angle), worst = double.PositiveInfinity;
            for (int i = 0; i < set.Count && worst > best; i++)
                worst = Math.Min(worst, set.Targets[i] * (wx * set.Features[2 * i] + wy * set.Features[2 * i + 1]));
            best = Math.Max(best, worst);
        }
        return best;
    }

    public static TheoryData<string> Generators() => ["separable", "quadrants"];

    private static Dataset Make(string kind, int count, int seed) =>
        kind == "separable" ? SyntheticData.SeparableTwoD(count, seed) : SyntheticData.QuadrantsTwoD(count, seed);

    [Theory]
    [MemberData(nameof(Generators))]
    public void SameSeedGivesTheSameSetAndOtherSeedsDiffer(string kind)
    {
        var a = Make(kind, 101, 7);
        var b = Make(kind, 101, 7);
        var c = Make(kind, 101, 8);

        Assert.Equal(a.Features, b.Features);
        Assert.Equal(a.Targets, b.Targets);
        Assert.NotEqual(a.Features, c.Features);
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public void ClassesAreBalancedAndPointsLieInTheSquare(string kind)
    {
        var set = Make(kind, 101, 3);

        Assert.Equal((51, 50), (set.CountOf(1), set.CountOf(-1)));
        Assert.Equal([2], set.SampleShape);
        Assert.All(set.Features, v => Assert.InRange(v, -1f, 1f));
    }

    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.02)]
    public void SeparableSetHasTheStatedMarginThroughTheOrigin(int seed, double margin)
    {
        var set = SyntheticData.SeparableTwoD(200, seed, margin);

        Assert.InRange(BestLinearMargin(set), margin - 2e-4, 1.5);
    }

    [Fact]
    public void QuadrantsNeedMoreThanALineButFourReluUnitsSuffice()
    {
        const double gap = 0.1;
        var set = SyntheticData.QuadrantsTwoD(200, 5, gap);

        Assert.True(BestLinearMargin(set) < 0, "no line through the origin should separate the quadrants");
        for (int i = 0; i < set.Count; i++)
        {
            double x = set.Features[2 * i], y = set.Features[2 * i + 1];
            // |x + y| − |x − y| = 2·sign(xy)·min(|x|, |y|), so the margin is at least twice the gap.
            Assert.True(set.Targets[i] * (Math.Abs(x + y) - Math.Abs(x - y)) >= 2 * gap, $"sample {i} at ({x}, {y})");
        }
    }

    [Fact]
    public void MarginAndGapMustBeBetweenZeroAndOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.SeparableTwoD(10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.SeparableTwoD(10, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.QuadrantsTwoD(10, 1, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.QuadrantsTwoD(1, 1));
    }
}
