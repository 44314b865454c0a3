namespace HomogenousDsl.Kernels;

/// <summary>Epilogues that move a GEMM product computed transposed into the caller's layout.</summary>
internal static unsafe class Transpose
{
    private const int Block = 16;

    /// <summary>
    /// destination[j·rows + i] = bias[i] (or 0) + source[i·columns + j] for a rows × columns source. Square blocks keep
    /// both sides' cache lines live while they are read and written.
    /// </summary>
    public static void AddBias(float* source, int columns, int rows, float* bias, float* destination)
    {
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < columns; j0 += Block)
            {
                int j1 = Math.Min(columns, j0 + Block);
                for (int j = j0; j < j1; j++)
                {
                    float* d = destination + (long)j * rows;
                    for (int i = i0; i < i1; i++)
                        d[i] = (bias == null ? 0f : bias[i]) + source[(long)i * columns + j];
                }
            }
        }
    }
}
