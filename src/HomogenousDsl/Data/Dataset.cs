using static System.FormattableString;

namespace HomogenousDsl.Data;

/// <summary>
/// Validated training data: <see cref="Count"/> samples of <see cref="FeatureCount"/> finite features each, with one
/// target per sample. Every class has at least one sample, because margins of a one-class set say nothing.
/// The arrays are taken over, not copied; treat them as read-only.
/// </summary>
public sealed class Dataset
{
    private Dataset(string name, DatasetKind kind, int classCount, float[] features, int[] sampleShape, int[] targets)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(targets);
        if (sampleShape.Length == 0)
            throw new ArgumentException("A sample shape needs at least one dimension.", nameof(sampleShape));
        int featureCount = 1;
        foreach (int d in sampleShape)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(sampleShape));
            featureCount = checked(featureCount * d);
        }
        if (targets.Length == 0)
            throw Error(name, "has no samples");
        if ((long)targets.Length * featureCount != features.Length)
            throw new ArgumentException(Invariant($"{targets.Length} targets × {featureCount} features per sample need {(long)targets.Length * featureCount} features, found {features.Length}."), nameof(features));

        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
                throw Error(name, Invariant($"sample {i / featureCount} has the non-finite value {features[i]} at feature {i % featureCount}"));
        }
        var counts = new int[classCount];
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (kind == DatasetKind.Binary && t is not (1 or -1))
                throw Error(name, Invariant($"sample {i} has target {t}; binary targets must be -1 or +1"));
            if (kind == DatasetKind.Multiclass && (uint)t >= (uint)classCount)
                throw Error(name, Invariant($"sample {i} has class {t}; expected a class index from 0 to {classCount - 1}"));
            counts[kind == DatasetKind.Binary ? (t + 1) / 2 : t]++;
        }
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0)
            throw Error(name, kind == DatasetKind.Binary
                ? $"class {(empty == 0 ? "-1" : "+1")} has no samples; a binary set needs both signs"
                : Invariant($"class {empty} of {classCount} has no samples"));

        Name = name;
        Kind = kind;
        ClassCount = classCount;
        Features = features;
        SampleShape = (int[])sampleShape.Clone();
        FeatureCount = featureCount;
        Targets = targets;
    }

    /// <summary>Creates a two-class set whose targets are the signs −1 and +1.</summary>
    /// <param name="name">A short description used in messages and reports.</param>
    /// <param name="features">Count × feature-count values, row-major; taken over, not copied.</param>
    /// <param name="sampleShape">The shape of one sample, e.g. {1, 28, 28} or {2}.</param>
    /// <param name="signs">One target per sample, each −1 or +1; taken over, not copied.</param>
    /// <exception cref="DatasetException">No samples, a non-finite feature, a target other than ±1, or one sign missing.</exception>
    public static Dataset Binary(string name, float[] features, int[] sampleShape, int[] signs) =>
        new(name, DatasetKind.Binary, 2, features, sampleShape, signs);

    /// <summary>Creates a set of <paramref name="classCount"/> classes whose targets are class indices.</summary>
    /// <param name="name">A short description used in messages and reports.</param>
    /// <param name="features">Count × feature-count values, row-major; taken over, not copied.</param>
    /// <param name="sampleShape">The shape of one sample, e.g. {1, 28, 28} or {2}.</param>
    /// <param name="classes">One class index in 0..<paramref name="classCount"/>−1 per sample; taken over, not copied.</param>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <exception cref="DatasetException">No samples, a non-finite feature, a class out of range, or a class without samples.</exception>
    public static Dataset Multiclass(string name, float[] features, int[] sampleShape, int[] classes, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        return new(name, DatasetKind.Multiclass, classCount, features, sampleShape, classes);
    }

    /// <summary>A short description used in messages and reports.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Targets"/> holds signs or class indices.</summary>
    public DatasetKind Kind { get; }

    /// <summary>The number of classes: 2 for <see cref="DatasetKind.Binary"/>.</summary>
    public int ClassCount { get; }

    /// <summary>All features, <see cref="Count"/> rows of <see cref="FeatureCount"/> values, row-major.</summary>
    public float[] Features { get; }

    /// <summary>The shape of one sample, e.g. {1, 28, 28} for a grey image or {2} for a point in the plane.</summary>
    public int[] SampleShape { get; }

    /// <summary>The number of features per sample, the product of <see cref="SampleShape"/>.</summary>
    public int FeatureCount { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Targets.Length;

    /// <summary>One target per sample: −1 or +1 for <see cref="DatasetKind.Binary"/>, else a class index.</summary>
    public int[] Targets { get; }

    private Lazy<ByteCodedFeatures?>? _byteCoded;

    /// <summary>
    /// The features again as bytes when every one is k / 255 (8-bit images), else null: built on first use (by one
    /// thread, if engines on several ask at once) and kept. Assumes, as the class does, that <see cref="Features"/> is
    /// not changed after construction.
    /// </summary>
    internal ByteCodedFeatures? ByteCoded
        => LazyInitializer.EnsureInitialized(ref _byteCoded, () => new Lazy<ByteCodedFeatures?>(() => ByteCodedFeatures.TryEncode(Features, FeatureCount))).Value;

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    /// <param name="index">A sample index in 0..<see cref="Count"/>−1.</param>
    public ReadOnlySpan<float> Sample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Features.AsSpan(index * FeatureCount, FeatureCount);
    }

    /// <summary>How many samples have target <paramref name="target"/> (a sign or a class index).</summary>
    /// <param name="target">The target value to count.</param>
    public int CountOf(int target)
    {
        int n = 0;
        foreach (int t in Targets)
        {
            if (t == target)
                n++;
        }
        return n;
    }

    private static DatasetException Error(string name, string message) => new($"dataset '{name}': {message}.");
}
