using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>Straightforward double-precision definitions the vectorized kernels are checked against.</summary>
internal static class Reference
{
    public static double[] DenseForward(float[] weight, float[]? bias, float[] input, int batch, int inFeatures, int outFeatures)
    {
        var output = new double[batch * outFeatures];
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < outFeatures; o++)
        {
            double sum = bias is null ? 0 : bias[o];
            for (int i = 0; i < inFeatures; i++)
                sum += (double)weight[o * inFeatures + i] * input[b * inFeatures + i];
            output[b * outFeatures + o] = sum;
        }
        return output;
    }

    public static (double[] Weight, double[] Bias, double[] Input) DenseBackward(float[] weight, float[] input, float[] outputAdjoint,
        int batch, int inFeatures, int outFeatures)
    {
        var dw = new double[outFeatures * inFeatures];
        var db = new double[outFeatures];
        var dx = new double[batch * inFeatures];
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < outFeatures; o++)
        {
            double dy = outputAdjoint[b * outFeatures + o];
            db[o] += dy;
            for (int i = 0; i < inFeatures; i++)
            {
                dw[o * inFeatures + i] += dy * input[b * inFeatures + i];
                dx[b * inFeatures + i] += dy * weight[o * inFeatures + i];
            }
        }
        return (dw, db, dx);
    }

    /// <summary>Every (weight, input, output) index triple of a convolution whose input tap lies inside the image.</summary>
    public static IEnumerable<(int Weight, int Input, int Output, int Channel)> ConvTaps(int batch, Conv2dShape s)
    {
        for (int n = 0; n < batch; n++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int oh = 0; oh < s.OutHeight; oh++)
        for (int ow = 0; ow < s.OutWidth; ow++)
        for (int c = 0; c < s.InChannels; c++)
        for (int kh = 0; kh < s.Kernel; kh++)
        for (int kw = 0; kw < s.Kernel; kw++)
        {
            int ih = oh * s.Stride - s.Padding + kh, iw = ow * s.Stride - s.Padding + kw;
            if (ih < 0 || ih >= s.InHeight || iw < 0 || iw >= s.InWidth)
                continue;
            yield return (((o * s.InChannels + c) * s.Kernel + kh) * s.Kernel + kw,
                n * s.InputSize + (c * s.InHeight + ih) * s.InWidth + iw,
                n * s.OutputSize + (o * s.OutHeight + oh) * s.OutWidth + ow,
                o);
        }
    }

    public static double[] ConvForward(float[] weight, float[]? bias, float[] input, int batch, Conv2dShape s)
    {
        var output = new double[batch * s.OutputSize];
        int pixels = s.OutHeight * s.OutWidth;
        if (bias is not null)
        {
            for (int j = 0; j < output.Length; j++)
                output[j] = bias[j / pixels % s.OutChannels];
        }
        foreach (var (w, x, y, _) in ConvTaps(batch, s))
            output[y] += (double)weight[w] * input[x];
        return output;
    }

    public static (double[] Weight, double[] Bias, double[] Input) ConvBackward(float[] weight, float[] input, float[] outputAdjoint,
        int batch, Conv2dShape s)
    {
        var dw = new double[s.WeightSize];
        var db = new double[s.OutChannels];
        var dx = new double[batch * s.InputSize];
        int pixels = s.OutHeight * s.OutWidth;
        for (int j = 0; j < outputAdjoint.Length; j++)
            db[j / pixels % s.OutChannels] += outputAdjoint[j];
        foreach (var (w, x, y, _) in ConvTaps(batch, s))
        {
            dw[w] += (double)outputAdjoint[y] * input[x];
            dx[x] += (double)weight[w] * outputAdjoint[y];
        }
        return (dw, db, dx);
    }

    /// <summary>Each output index with the sample-relative input indices of its window, in row-major window order.</summary>
    public static IEnumerable<(int Output, int SampleOffset, int[] Window)> PoolWindows(int batch, Pool2dShape s)
    {
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < s.Channels; c++)
        for (int oh = 0; oh < s.OutHeight; oh++)
        for (int ow = 0; ow < s.OutWidth; ow++)
        {
            var window = new int[s.Kernel * s.Kernel];
            for (int kh = 0; kh < s.Kernel; kh++)
            for (int kw = 0; kw < s.Kernel; kw++)
                window[kh * s.Kernel + kw] = (c * s.InHeight + oh * s.Stride + kh) * s.InWidth + ow * s.Stride + kw;
            yield return (n * s.OutputSize + (c * s.OutHeight + oh) * s.OutWidth + ow, n * s.InputSize, window);
        }
    }

    public static (float[] Output, int[] Argmax) MaxForward(float[] input, int batch, Pool2dShape s)
    {
        var output = new float[batch * s.OutputSize];
        var argmax = new int[output.Length];
        foreach (var (j, offset, window) in PoolWindows(batch, s))
        {
            int best = window[0];
            foreach (int i in window)
            {
                if (input[offset + i] > input[offset + best])
                    best = i;
            }
            (output[j], argmax[j]) = (input[offset + best], best);
        }
        return (output, argmax);
    }

    public static double[] MaxBackward(float[] outputAdjoint, int[] argmax, int batch, Pool2dShape s)
    {
        var dx = new double[batch * s.InputSize];
        foreach (var (j, offset, _) in PoolWindows(batch, s))
            dx[offset + argmax[j]] += outputAdjoint[j];
        return dx;
    }

    public static double[] AvgForward(float[] input, int batch, Pool2dShape s)
    {
        var output = new double[batch * s.OutputSize];
        foreach (var (j, offset, window) in PoolWindows(batch, s))
        {
            foreach (int i in window)
                output[j] += input[offset + i];
            output[j] /= window.Length;
        }
        return output;
    }

    public static double[] AvgBackward(float[] outputAdjoint, int batch, Pool2dShape s)
    {
        var dx = new double[batch * s.InputSize];
        foreach (var (j, offset, window) in PoolWindows(batch, s))
        {
            foreach (int i in window)
                dx[offset + i] += (double)outputAdjoint[j] / window.Length;
        }
        return dx;
    }
}
