namespace HomogenousDsl.Kernels;

/// <summary>
/// Small passes over feature-major activations ([features, batch]): a row per feature. The per-row bias and activation
/// of a layer whose product is its output, bias gradients as row sums, and the plain transposes that let the small
/// products take a layout they have no loop for.
/// </summary>
internal static class FeatureRows
{
    /// <summary>row = act(row + bias) in place (the bias only when <paramref name="hasBias"/>).</summary>
    public static void Finish<TOp>(Span<float> row, float bias, bool hasBias, float slope) where TOp : IUnaryOperator
    {
        if (hasBias)
            Elementwise.Map<AddParameter>(row, row, bias);
        if (typeof(TOp) != typeof(Epilogue.None))
            Elementwise.Map<TOp>(row, row, slope);
    }

    /// <summary>Finishes every row of a [rows, columns] block.</summary>
    public static void FinishAll<TOp>(Span<float> block, ReadOnlySpan<float> bias, int rows, int columns, float slope) where TOp : IUnaryOperator
    {
        if (bias.IsEmpty && typeof(TOp) == typeof(Epilogue.None))
            return;
        for (int o = 0; o < rows; o++)
            Finish<TOp>(block.Slice(o * columns, columns), bias.IsEmpty ? 0f : bias[o], !bias.IsEmpty, slope);
    }

    /// <summary>sums[o] += Σ_j block[o·columns + j]: a bias gradient from a feature-major adjoint.</summary>
    public static void AddRowSums(ReadOnlySpan<float> block, Span<float> sums, int rows, int columns)
    {
        for (int o = 0; o < rows; o++)
            sums[o] += VectorMath.Sum(block.Slice(o * columns, columns));
    }

    /// <summary>destination[j·rows + i] = source[i·columns + j] (a [rows, columns] block turned into [columns, rows]).</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns)
    {
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> row = source.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
                destination[j * rows + i] = row[j];
        }
    }

    /// <summary>x + p: the bias of one row.</summary>
    private readonly struct AddParameter : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV x, TV parameter) where TV : struct where T : ISimd<TV> => T.Add(x, parameter);
    }
}
