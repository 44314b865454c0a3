namespace HomogenousDsl.Kernels;

/// <summary>
/// im2col and its adjoint col2im between one NCHW sample and the column matrix
/// col[(c·K + kh)·K + kw, oh·OutWidth + ow] = x[c, oh·S − P + kh, ow·S − P + kw] (zero outside the image).
/// </summary>
internal static class ConvLowering
{
    public static void Im2Col(ReadOnlySpan<float> x, Span<float> col, in Conv2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, k = s.Kernel, stride = s.Stride, pad = s.Padding, outH = s.OutHeight, outW = s.OutWidth;
        int row = 0;
        for (int c = 0; c < s.InChannels; c++)
        for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++, row++)
        {
            (int lo, int hi) = ValidRange(outW, stride, kw - pad, w);
            for (int oh = 0; oh < outH; oh++)
            {
                Span<float> dst = col.Slice((row * outH + oh) * outW, outW);
                int ih = oh * stride - pad + kh;
                if ((uint)ih >= (uint)h)
                {
                    dst.Clear();
                    continue;
                }
                dst[..lo].Clear();
                dst[hi..].Clear();
                if (hi > lo)
                    Strided.Gather(x[((c * h + ih) * w + lo * stride - pad + kw)..], stride, dst[lo..hi]);
            }
        }
    }

    /// <summary>Overwrites x with colᵀ scattered back: every column entry is added to the input element it was copied from.</summary>
    public static void Col2Im(ReadOnlySpan<float> col, Span<float> x, in Conv2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, k = s.Kernel, stride = s.Stride, pad = s.Padding, outH = s.OutHeight, outW = s.OutWidth;
        x[..s.InputSize].Clear();
        int row = 0;
        for (int c = 0; c < s.InChannels; c++)
        for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++, row++)
        {
            (int lo, int hi) = ValidRange(outW, stride, kw - pad, w);
            for (int oh = 0; oh < outH; oh++)
            {
                int ih = oh * stride - pad + kh;
                if ((uint)ih < (uint)h && hi > lo)
                    Strided.ScatterAdd(col.Slice((row * outH + oh) * outW + lo, hi - lo), x[((c * h + ih) * w + lo * stride - pad + kw)..], stride, 1f);
            }
        }
    }

    // Output positions q in [lo, hi) are exactly those whose input coordinate q·stride + offset lies in [0, size).
    private static (int Lo, int Hi) ValidRange(int count, int stride, int offset, int size)
    {
        int lo = offset >= 0 ? 0 : Math.Min(count, (stride - 1 - offset) / stride);
        int last = size - 1 - offset;
        int hi = last < 0 ? 0 : Math.Min(count, last / stride + 1);
        return (lo, Math.Max(lo, hi));
    }
}
