namespace HomogenousDsl.Kernels;

/// <summary>
/// Operations on one register of <typeparamref name="TV"/> floats. Kernels are written once against this
/// interface and instantiated for 512-bit, 256-bit and scalar (<c>TV = float</c>) registers. The JIT specializes each
/// instantiation, so the abstraction costs nothing; and where the scalar instantiation also serves as the tail loop,
/// every vector body's logic runs, unchanged, on the tails that tests with odd sizes reach.
/// </summary>
internal interface ISimd<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Create(float value);
    static abstract TV Load(ref float source);
    /// <summary>Loads source[0], source[stride], ..., touching no other element.</summary>
    static abstract TV LoadStrided(ref float source, int stride);
    static abstract void Store(TV value, ref float destination);
    /// <summary>
    /// Loads source[0..count) into the low lanes and zero into the rest, for 0 &lt; count &lt; Count, reading nothing past
    /// them: a kernel's tail as one masked register instead of a scalar loop (the lanes compute what the scalar loop
    /// would, bit for bit).
    /// </summary>
    static abstract TV LoadFirst(ref float source, int count);
    /// <summary>Stores the low <paramref name="count"/> lanes (0 &lt; count &lt; Count), writing nothing past them.</summary>
    static abstract void StoreFirst(TV value, ref float destination, int count);
    static abstract TV Add(TV x, TV y);
    static abstract TV Subtract(TV x, TV y);
    static abstract TV Multiply(TV x, TV y);
    /// <summary>x * y + addend, fused where the hardware can.</summary>
    static abstract TV MultiplyAdd(TV x, TV y, TV addend);
    /// <summary>IEEE maximum: NaN propagates.</summary>
    static abstract TV Max(TV x, TV y);
    static abstract TV Abs(TV x);
    /// <summary>Per lane: x &gt; y ? whenGreater : otherwise (false for NaN).</summary>
    static abstract TV IfGreater(TV x, TV y, TV whenGreater, TV otherwise);
    static abstract float Sum(TV x);
    /// <summary>destination[lane] = first + lane * step + (int)offsets[lane]; offsets hold small exact integers.</summary>
    static abstract void StoreIndices(TV offsets, ref int destination, int first, int step);
}

/// <summary>Adds double-precision accumulation (<typeparamref name="TD"/>) of products of float registers.</summary>
internal interface IWideSimd<TV, TD> : ISimd<TV> where TV : struct where TD : struct
{
    static abstract TD WideZero { get; }
    /// <summary>acc + Σ over lanes of (double)x * (double)y, kept lane-wise in <typeparamref name="TD"/>.</summary>
    static abstract TD MultiplyAddWide(TV x, TV y, TD acc);
    static abstract TD AddWide(TD x, TD y);
    static abstract double SumWide(TD acc);
}
