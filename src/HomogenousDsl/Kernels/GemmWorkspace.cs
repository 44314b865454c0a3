using System.Runtime.CompilerServices;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Per-thread scratch for the packed GEMM and the layers built on it: packed panels, offset tables, staging buffers.
/// Arrays live on the pinned heap and only grow, so after warm-up no call allocates, pointers stay valid without
/// <c>fixed</c>, and two threads never share a buffer. Each slot is a distinct, non-overlapping buffer.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? t_current;

    private readonly float[]?[] _floats = new float[]?[(int)FloatSlot.Count];
    private readonly int[]?[] _ints = new int[]?[(int)IntSlot.Count];

    public static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>At least <paramref name="count"/> floats, 64-byte aligned, plus register-wide slack past the end.</summary>
    public float* Floats(FloatSlot slot, long count) => Grow(ref _floats[(int)slot], count);

    /// <summary>
    /// <paramref name="array"/> grown, if it must be, to hold <paramref name="count"/> floats from a 64-byte boundary
    /// plus slack, on the pinned heap; the aligned start. For buffers kept outside the slots.
    /// </summary>
    public static float* Grow(ref float[]? array, long count)
    {
        long needed = count + 16 + 64;
        if (array is null || array.Length < needed)
            array = GC.AllocateUninitializedArray<float>(checked((int)Math.Max(needed, (array?.Length ?? 0) * 3L / 2)), pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref array[0]);
        return (float*)(((nuint)p + 63) & ~(nuint)63);
    }

    public int* Ints(IntSlot slot, int count) => Grow(ref _ints[(int)slot], count);

    /// <summary>
    /// <paramref name="array"/> grown, if it must be, to hold <paramref name="count"/> ints on the pinned heap; its start.
    /// For offset tables kept outside the slots.
    /// </summary>
    public static int* Grow(ref int[]? array, int count)
    {
        if (array is null || array.Length < count)
            array = GC.AllocateUninitializedArray<int>(Math.Max(count, (array?.Length ?? 0) * 3 / 2), pinned: true);
        return (int*)Unsafe.AsPointer(ref array[0]);
    }
}

internal enum FloatSlot { PackedA, PackedB, Product, Padded, Weights, Partial, Count }

internal enum IntSlot { ARows, AColumns, BRows, BColumns, Count }
