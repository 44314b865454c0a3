using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

public sealed class MnistLoaderTests : IDisposable
{
    // Six 2×3 images whose pixels are the image index times 10, plus the pixel index.
    private static readonly byte[] Labels = [3, 5, 3, 7, 5, 3];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Pixels() => [.. Enumerable.Range(0, 36).Select(i => (byte)(i / 6 * 10 + i % 6))];

    private LabeledImages LoadSix() => MnistLoader.Load(
        _dir.Write("six-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Build([6, 2, 3], Pixels()))),
        _dir.Write("six-labels-idx1-ubyte", IdxBytes.Build([6], Labels)));

    [Fact]
    public void LoadsImagesAndLabels()
    {
        var images = LoadSix();

        Assert.Equal((6, 2, 3), (images.Count, images.Height, images.Width));
        Assert.Equal("six-images-idx3-ubyte.gz", images.Name);
        Assert.Equal(Labels, images.Labels);
        Assert.Equal([30, 31, 32, 33, 34, 35], images.Image(3).ToArray());
    }

    [Fact]
    public void LabelCountMustMatchImageCount()
    {
        string images = _dir.Write("images-idx3-ubyte", IdxBytes.Build([6, 2, 3], Pixels()));
        string labels = _dir.Write("labels-idx1-ubyte", IdxBytes.Build([5], [1, 2, 3, 4, 5]));

        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load(images, labels));

        Assert.Equal(labels, e.FilePath);
        Assert.Equal($"{labels}: 5 labels but {images} has 6 images.", e.Message);
    }

    [Fact]
    public void ImagesMustHaveRankThree()
    {
        string labels = _dir.Write("labels-idx1-ubyte", IdxBytes.Build([2], [1, 2]));
        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load(labels, labels));
        Assert.Contains("labels-idx1-ubyte: expected magic 0x00000803 (unsigned byte, 3 dimensions: images × rows × columns), found 0x00000801", e.Message);
    }

    [Fact]
    public void LabelsMustHaveRankOne()
    {
        string images = _dir.Write("images-idx3-ubyte", IdxBytes.Build([6, 2, 3], Pixels()));
        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load(images, images));
        Assert.Contains("images-idx3-ubyte: expected magic 0x00000801 (unsigned byte, 1 dimension: labels), found 0x00000803", e.Message);
    }

    [Fact]
    public void TwoClassKeepsFileOrderAndScalesPixels()
    {
        var set = MnistLoader.TwoClass(LoadSix(), positiveClass: 3, negativeClass: 5);

        Assert.Equal([1, -1, 1, -1, 1], set.Targets);
        Assert.Equal([1, 2, 3], set.SampleShape);
        Assert.Equal(DatasetKind.Binary, set.Kind);
        Assert.Equal("six-images-idx3-ubyte.gz 3 vs 5", set.Name);
        // Sample 2 is image 2 (the second 3); image 3 is a 7 and skipped, so sample 3 is image 4.
        Assert.Equal(Enumerable.Range(20, 6).Select(p => p / 255f), set.Sample(2).ToArray());
        Assert.Equal(40 / 255f, set.Sample(3)[0]);
    }

    [Fact]
    public void TwoClassTakesTheFirstImagesOfEachClass()
    {
        var set = MnistLoader.TwoClass(LoadSix(), 5, 3, maxPerClass: 1);

        Assert.Equal([-1, 1], set.Targets);
        Assert.Equal(0f, set.Sample(0)[0]);
        Assert.Equal(10 / 255f, set.Sample(1)[0]);
    }

    [Fact]
    public void TwoClassRejectsAbsentAndEqualClasses()
    {
        var images = LoadSix();

        var absent = Assert.Throws<DatasetException>(() => MnistLoader.TwoClass(images, 3, 9));
        Assert.Equal("6 labels of six-images-idx3-ubyte.gz contain no image of class 9.", absent.Message);
        Assert.Throws<ArgumentException>(() => MnistLoader.TwoClass(images, 3, 3));
    }

    [Fact]
    public void ClassesMapsLabelsToTheirPositionInTheList()
    {
        var set = MnistLoader.Classes(LoadSix(), [7, 3], maxPerClass: 2);

        Assert.Equal(DatasetKind.Multiclass, set.Kind);
        Assert.Equal(2, set.ClassCount);
        // Images 0, 2 (class 3 → 1) and 3 (class 7 → 0); image 5, a third 3, is past the limit.
        Assert.Equal([1, 1, 0], set.Targets);
        Assert.Throws<ArgumentException>(() => MnistLoader.Classes(LoadSix(), [7, 7]));
    }
}
