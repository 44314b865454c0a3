using static System.FormattableString;

namespace HomogenousDsl.Data;

/// <summary>
/// Loads MNIST-format image/label file pairs (MNIST, Fashion-MNIST) and selects classes from them as a
/// <see cref="Dataset"/> with pixels scaled to [0, 1] and sample shape {1, H, W}.
/// </summary>
public static class MnistLoader
{
    /// <summary>Reads an IDX image file (N×H×W) and its IDX label file (N), gzip-compressed or raw.</summary>
    /// <param name="imagesPath">The image file, e.g. train-images-idx3-ubyte.gz.</param>
    /// <param name="labelsPath">The label file, e.g. train-labels-idx1-ubyte.gz.</param>
    /// <exception cref="DataFormatException">A file is malformed or the counts differ.</exception>
    public static LabeledImages Load(string imagesPath, string labelsPath) =>
        new(Path.GetFileName(imagesPath), IdxReader.Read(imagesPath), IdxReader.Read(labelsPath));

    /// <summary>
    /// A binary set of the images labelled <paramref name="positiveClass"/> (target +1) or
    /// <paramref name="negativeClass"/> (target −1), in file order, at most <paramref name="maxPerClass"/> of each.
    /// </summary>
    /// <param name="source">The images to select from.</param>
    /// <param name="positiveClass">The label whose images get target +1.</param>
    /// <param name="negativeClass">The label whose images get target −1; must differ from the positive one.</param>
    /// <param name="maxPerClass">Keeps only the first this many images of each class.</param>
    /// <exception cref="ArgumentException">The two classes are equal.</exception>
    /// <exception cref="DatasetException">A requested class has no images.</exception>
    public static Dataset TwoClass(LabeledImages source, int positiveClass, int negativeClass, int maxPerClass = int.MaxValue)
    {
        if (positiveClass == negativeClass)
            throw new ArgumentException(Invariant($"The positive and negative class are both {positiveClass}; a binary set needs two different classes."), nameof(negativeClass));
        var (features, indices) = Select(source, [positiveClass, negativeClass], maxPerClass);
        // Class index 0 is the positive class: map 0 → +1 and 1 → −1.
        var signs = Array.ConvertAll(indices, c => 1 - 2 * c);
        return Dataset.Binary(Invariant($"{source.Name} {positiveClass} vs {negativeClass}"), features, Shape(source), signs);
    }

    /// <summary>
    /// A multiclass set of the images labelled with one of <paramref name="classes"/>, in file order, at most
    /// <paramref name="maxPerClass"/> of each; an image's target is the position of its label in
    /// <paramref name="classes"/>.
    /// </summary>
    /// <param name="source">The images to select from.</param>
    /// <param name="classes">Two or more distinct labels; their order defines the class indices.</param>
    /// <param name="maxPerClass">Keeps only the first this many images of each class.</param>
    /// <exception cref="ArgumentException">Fewer than two classes, or a class listed twice.</exception>
    /// <exception cref="DatasetException">A requested class has no images.</exception>
    public static Dataset Classes(LabeledImages source, int[] classes, int maxPerClass = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Length < 2 || classes.Distinct().Count() != classes.Length)
            throw new ArgumentException($"Expected two or more distinct classes, found [{string.Join(", ", classes)}].", nameof(classes));
        var (features, indices) = Select(source, classes, maxPerClass);
        return Dataset.Multiclass($"{source.Name} classes {string.Join(",", classes)}", features, Shape(source), indices, classes.Length);
    }

    // Returns the scaled pixels of the selected images and, per image, the position of its label in classes.
    private static (float[] Features, int[] ClassIndices) Select(LabeledImages source, int[] classes, int maxPerClass)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerClass);
        var indexOfLabel = new int[256];
        Array.Fill(indexOfLabel, -1);
        for (int c = 0; c < classes.Length; c++)
        {
            if ((uint)classes[c] < 256)
                indexOfLabel[classes[c]] = c;
        }

        var taken = new int[classes.Length];
        var chosen = new List<int>();
        for (int i = 0; i < source.Count; i++)
        {
            int c = indexOfLabel[source.Labels[i]];
            if (c >= 0 && taken[c] < maxPerClass)
            {
                taken[c]++;
                chosen.Add(i);
            }
        }
        int missing = Array.IndexOf(taken, 0);
        if (missing >= 0)
            throw new DatasetException(Invariant($"{source.Labels.Length:N0} labels of {source.Name} contain no image of class {classes[missing]}."));

        int pixels = source.Height * source.Width;
        var features = new float[(long)chosen.Count * pixels];
        var indices = new int[chosen.Count];
        for (int k = 0; k < chosen.Count; k++)
        {
            var image = source.Image(chosen[k]);
            var row = features.AsSpan(k * pixels, pixels);
            for (int p = 0; p < pixels; p++)
                row[p] = image[p] / 255f;
            indices[k] = indexOfLabel[source.Labels[chosen[k]]];
        }
        return (features, indices);
    }

    private static int[] Shape(LabeledImages source) => [1, source.Height, source.Width];
}
