using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

public sealed class EmbeddedDigitsTests
{
    [Fact]
    public void ResourcesAreEmbeddedUnderTheirLogicalNames()
    {
        var names = typeof(EmbeddedDigits).Assembly.GetManifestResourceNames();

        Assert.Contains(EmbeddedDigits.ImagesResourceName, names);
        Assert.Contains(EmbeddedDigits.LabelsResourceName, names);
    }

    [Fact]
    public void HoldsTwoHundredFiftyDigitsOfEachClass()
    {
        var digits = EmbeddedDigits.Load();

        Assert.Equal((2500, 28, 28), (digits.Count, digits.Height, digits.Width));
        Assert.Equal(Enumerable.Repeat(250, 10), Enumerable.Range(0, 10).Select(c => digits.Labels.Count(l => l == c)));
        Assert.Equal(EmbeddedDigits.ImagesResourceName, digits.Images.Source);
    }

    [Fact]
    public void TwoClassSelectionOfDigitsIsBalancedAndScaled()
    {
        var set = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5);

        Assert.Equal(500, set.Count);
        Assert.Equal((250, 250), (set.CountOf(1), set.CountOf(-1)));
        Assert.Equal([1, 28, 28], set.SampleShape);
        Assert.All(set.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, set.Features.Max());
    }
}
