using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Loops over the run-time <c>height × width</c> plane of NCHW feature maps that generated channel- and
/// spatial-attention layers call: pooling each channel plane, pooling across channels, and scaling by
/// per-channel or per-pixel factors. Every function has a scalar body and one per register width; a vector
/// body covers what its width divides and hands the tail to the next narrower body, so no element is read
/// twice and there is no masked load.
/// </summary>
/// <remarks>
/// Callers validate lengths first (<c>input</c> holds <c>channels × plane</c> floats and so on). Input and
/// output may be the same memory: every element is read before the element at the same index is written.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class FeatureMapKernels
{
    /// <summary><c>means[c] = mean(input[c·plane .. (c+1)·plane))</c> for each channel c (global average pooling).</summary>
    public static void ChannelMeans(KernelPath path, ReadOnlySpan<float> input, int channels, int plane, Span<float> means)
    {
        float inverse = 1f / plane;
        for (int c = 0; c < channels; c++)
        {
            (float sum, _) = SumAndMax(path, input.Slice(c * plane, plane));
            means[c] = sum * inverse;
        }
    }

    /// <summary><c>maxima[c] = max(input[c·plane .. (c+1)·plane))</c> for each channel c (global max pooling).</summary>
    public static void ChannelMaxima(KernelPath path, ReadOnlySpan<float> input, int channels, int plane, Span<float> maxima)
    {
        for (int c = 0; c < channels; c++)
        {
            (_, maxima[c]) = SumAndMax(path, input.Slice(c * plane, plane));
        }
    }

    /// <summary>Both poolings of each channel plane in one pass over the input.</summary>
    public static void ChannelMeansAndMaxima(KernelPath path, ReadOnlySpan<float> input, int channels, int plane, Span<float> means, Span<float> maxima)
    {
        float inverse = 1f / plane;
        for (int c = 0; c < channels; c++)
        {
            (float sum, float max) = SumAndMax(path, input.Slice(c * plane, plane));
            means[c] = sum * inverse;
            maxima[c] = max;
        }
    }

    /// <summary>
    /// Pools across channels at every pixel: <c>mean[i] = Σ_c input[c·plane + i] / channels</c> and
    /// <c>max[i] = max_c input[c·plane + i]</c>. Streams the input once, channel after channel.
    /// </summary>
    public static void MeanAndMaxOverChannels(KernelPath path, ReadOnlySpan<float> input, int channels, int plane, Span<float> mean, Span<float> max)
    {
        ReadOnlySpan<float> first = input.Slice(0, plane);
        first.CopyTo(mean.Slice(0, plane));
        first.CopyTo(max.Slice(0, plane));
        for (int c = 1; c < channels; c++)
        {
            AccumulateSumAndMax(path, input.Slice(c * plane, plane), mean.Slice(0, plane), max.Slice(0, plane));
        }

        Scale(path, mean.Slice(0, plane), 1f / channels, mean.Slice(0, plane));
    }

    /// <summary><c>output[c·plane + i] = scales[c] · input[c·plane + i]</c>: one factor per channel plane.</summary>
    public static void ScaleChannels(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> scales, int plane, Span<float> output)
    {
        for (int c = 0; c < scales.Length; c++)
        {
            Scale(path, input.Slice(c * plane, plane), scales[c], output.Slice(c * plane, plane));
        }
    }

    /// <summary><c>output[c·plane + i] = pixelScales[i] · input[c·plane + i]</c>: one factor per pixel, shared by every channel.</summary>
    public static void ScalePixels(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> pixelScales, int channels, Span<float> output)
    {
        int plane = pixelScales.Length;
        for (int c = 0; c < channels; c++)
        {
            Multiply(path, input.Slice(c * plane, plane), pixelScales, output.Slice(c * plane, plane));
        }
    }

    /// <summary>Sum and maximum of a non-empty run.</summary>
    internal static (float Sum, float Max) SumAndMax(KernelPath path, ReadOnlySpan<float> x) => path switch
    {
        KernelPath.Vector512 => SumAndMax512(x),
        KernelPath.Vector256 => SumAndMax256(x),
        KernelPath.Vector128 => SumAndMax128(x),
        _ => SumAndMaxScalar(x),
    };

    private static (float Sum, float Max) SumAndMax512(ReadOnlySpan<float> x)
    {
        int full = x.Length / 16 * 16;
        if (full == 0) return SumAndMax256(x);
        ref float start = ref MemoryMarshal.GetReference(x);
        Vector512<float> sum = Vector512<float>.Zero;
        Vector512<float> max = Vector512.LoadUnsafe(ref start);
        for (int i = 0; i < full; i += 16)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref start, (nuint)i);
            sum += v;
            max = Vector512.Max(max, v);
        }

        return Combine(Vector512.Sum(sum), VectorMath.MaxAcross(max), x.Slice(full), SumAndMax256);
    }

    private static (float Sum, float Max) SumAndMax256(ReadOnlySpan<float> x)
    {
        int full = x.Length / 8 * 8;
        if (full == 0) return SumAndMax128(x);
        ref float start = ref MemoryMarshal.GetReference(x);
        Vector256<float> sum = Vector256<float>.Zero;
        Vector256<float> max = Vector256.LoadUnsafe(ref start);
        for (int i = 0; i < full; i += 8)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref start, (nuint)i);
            sum += v;
            max = Vector256.Max(max, v);
        }

        return Combine(Vector256.Sum(sum), VectorMath.MaxAcross(max), x.Slice(full), SumAndMax128);
    }

    private static (float Sum, float Max) SumAndMax128(ReadOnlySpan<float> x)
    {
        int full = x.Length / 4 * 4;
        if (full == 0) return SumAndMaxScalar(x);
        ref float start = ref MemoryMarshal.GetReference(x);
        Vector128<float> sum = Vector128<float>.Zero;
        Vector128<float> max = Vector128.LoadUnsafe(ref start);
        for (int i = 0; i < full; i += 4)
        {
            Vector128<float> v = Vector128.LoadUnsafe(ref start, (nuint)i);
            sum += v;
            max = Vector128.Max(max, v);
        }

        return Combine(Vector128.Sum(sum), VectorMath.MaxAcross(max), x.Slice(full), SumAndMaxScalar);
    }

    private static (float Sum, float Max) SumAndMaxScalar(ReadOnlySpan<float> x)
    {
        float sum = 0f;
        float max = float.NegativeInfinity;
        foreach (float v in x)
        {
            sum += v;
            max = MathF.Max(max, v);
        }

        return (sum, max);
    }

    private delegate (float Sum, float Max) Reduction(ReadOnlySpan<float> x);

    private static (float Sum, float Max) Combine(float sum, float max, ReadOnlySpan<float> tail, Reduction narrower)
    {
        if (tail.IsEmpty) return (sum, max);
        (float tailSum, float tailMax) = narrower(tail);
        return (sum + tailSum, MathF.Max(max, tailMax));
    }

    /// <summary><c>sum[i] += x[i]</c>, <c>max[i] = max(max[i], x[i])</c>.</summary>
    private static void AccumulateSumAndMax(KernelPath path, ReadOnlySpan<float> x, Span<float> sum, Span<float> max)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ss = ref MemoryMarshal.GetReference(sum);
        ref float ms = ref MemoryMarshal.GetReference(max);
        int i = 0;
        if (path == KernelPath.Vector512)
        {
            for (; i <= x.Length - 16; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref xs, (nuint)i);
                (Vector512.LoadUnsafe(ref ss, (nuint)i) + v).StoreUnsafe(ref ss, (nuint)i);
                Vector512.Max(Vector512.LoadUnsafe(ref ms, (nuint)i), v).StoreUnsafe(ref ms, (nuint)i);
            }
        }

        if (path >= KernelPath.Vector256)
        {
            for (; i <= x.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref xs, (nuint)i);
                (Vector256.LoadUnsafe(ref ss, (nuint)i) + v).StoreUnsafe(ref ss, (nuint)i);
                Vector256.Max(Vector256.LoadUnsafe(ref ms, (nuint)i), v).StoreUnsafe(ref ms, (nuint)i);
            }
        }

        if (path >= KernelPath.Vector128)
        {
            for (; i <= x.Length - 4; i += 4)
            {
                Vector128<float> v = Vector128.LoadUnsafe(ref xs, (nuint)i);
                (Vector128.LoadUnsafe(ref ss, (nuint)i) + v).StoreUnsafe(ref ss, (nuint)i);
                Vector128.Max(Vector128.LoadUnsafe(ref ms, (nuint)i), v).StoreUnsafe(ref ms, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            sum[i] += x[i];
            max[i] = MathF.Max(max[i], x[i]);
        }
    }

    /// <summary><c>output[i] = factor · x[i]</c>.</summary>
    private static void Scale(KernelPath path, ReadOnlySpan<float> x, float factor, Span<float> output)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float os = ref MemoryMarshal.GetReference(output);
        int i = 0;
        if (path == KernelPath.Vector512)
        {
            Vector512<float> f = Vector512.Create(factor);
            for (; i <= x.Length - 16; i += 16) (Vector512.LoadUnsafe(ref xs, (nuint)i) * f).StoreUnsafe(ref os, (nuint)i);
        }

        if (path >= KernelPath.Vector256)
        {
            Vector256<float> f = Vector256.Create(factor);
            for (; i <= x.Length - 8; i += 8) (Vector256.LoadUnsafe(ref xs, (nuint)i) * f).StoreUnsafe(ref os, (nuint)i);
        }

        if (path >= KernelPath.Vector128)
        {
            Vector128<float> f = Vector128.Create(factor);
            for (; i <= x.Length - 4; i += 4) (Vector128.LoadUnsafe(ref xs, (nuint)i) * f).StoreUnsafe(ref os, (nuint)i);
        }

        for (; i < x.Length; i++) output[i] = factor * x[i];
    }

    /// <summary><c>output[i] = x[i] · y[i]</c>.</summary>
    private static void Multiply(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> output)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float os = ref MemoryMarshal.GetReference(output);
        int i = 0;
        if (path == KernelPath.Vector512)
        {
            for (; i <= x.Length - 16; i += 16) (Vector512.LoadUnsafe(ref xs, (nuint)i) * Vector512.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref os, (nuint)i);
        }

        if (path >= KernelPath.Vector256)
        {
            for (; i <= x.Length - 8; i += 8) (Vector256.LoadUnsafe(ref xs, (nuint)i) * Vector256.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref os, (nuint)i);
        }

        if (path >= KernelPath.Vector128)
        {
            for (; i <= x.Length - 4; i += 4) (Vector128.LoadUnsafe(ref xs, (nuint)i) * Vector128.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref os, (nuint)i);
        }

        for (; i < x.Length; i++) output[i] = x[i] * y[i];
    }
}
