using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void ExposesSamplesShapeAndCounts()
    {
        var set = Dataset.Binary("pairs", [1, 2, 3, 4, 5, 6], [2], [1, -1, 1]);

        Assert.Equal(3, set.Count);
        Assert.Equal(2, set.FeatureCount);
        Assert.Equal(2, set.ClassCount);
        Assert.Equal(DatasetKind.Binary, set.Kind);
        Assert.Equal([3f, 4f], set.Sample(1).ToArray());
        Assert.Equal(2, set.CountOf(1));
        Assert.Equal(1, set.CountOf(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Sample(3));
    }

    [Fact]
    public void FeatureCountIsTheProductOfTheSampleShape()
    {
        var set = Dataset.Multiclass("images", new float[2 * 12], [1, 3, 4], [0, 1], 2);

        Assert.Equal(12, set.FeatureCount);
        Assert.Equal([1, 3, 4], set.SampleShape);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void NonFiniteFeatureNamesSampleAndFeature(float bad, string shown)
    {
        var features = new float[4 * 3];
        features[2 * 3 + 1] = bad;

        var e = Assert.Throws<DatasetException>(() => Dataset.Binary("noisy", features, [3], [1, -1, 1, -1]));

        Assert.Equal($"dataset 'noisy': sample 2 has the non-finite value {shown} at feature 1.", e.Message);
    }

    [Fact]
    public void EmptySetIsRejected()
    {
        var e = Assert.Throws<DatasetException>(() => Dataset.Binary("nothing", [], [2], []));
        Assert.Contains("'nothing': has no samples", e.Message);
    }

    [Fact]
    public void BinaryTargetsMustBeSigns()
    {
        var e = Assert.Throws<DatasetException>(() => Dataset.Binary("zeros", new float[3], [1], [1, 0, -1]));
        Assert.Contains("sample 1 has target 0; binary targets must be -1 or +1", e.Message);
    }

    [Fact]
    public void MulticlassTargetsMustBeInRange()
    {
        var e = Assert.Throws<DatasetException>(() => Dataset.Multiclass("digits", new float[3], [1], [0, 1, 3], 3));
        Assert.Contains("sample 2 has class 3; expected a class index from 0 to 2", e.Message);
    }

    [Fact]
    public void EveryClassNeedsASample()
    {
        var binary = Assert.Throws<DatasetException>(() => Dataset.Binary("positives", new float[2], [1], [1, 1]));
        var multi = Assert.Throws<DatasetException>(() => Dataset.Multiclass("gappy", new float[2], [1], [0, 2], 3));

        Assert.Contains("class -1 has no samples", binary.Message);
        Assert.Contains("class 1 of 3 has no samples", multi.Message);
    }

    [Fact]
    public void MismatchedLengthsAreArgumentErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.Binary("short", new float[5], [2], [1, -1, 1]));
        Assert.Contains("3 targets × 2 features per sample need 6 features, found 5", e.Message);
    }
}
