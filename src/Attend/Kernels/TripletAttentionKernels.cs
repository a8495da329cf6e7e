using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One sample of Triplet Attention (Misra et al. 2021; External-Attention-pytorch <c>TripletAttention</c>): three
/// gates, each a Z-pool (max, then mean) across one axis, a 7×7 convolution 2 → 1 with its BatchNorm folded in, and a
/// sigmoid; <c>y = x · (s_hw[h, w] + s_cw[c, w] + s_hc[h, c]) / 3</c>, or <c>x · (s_cw + s_hc) / 2</c> without the
/// spatial gate. Generated <c>[TripletAttention]</c> layers call it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TripletAttentionKernels
{
    /// <summary>The side of every gate's convolution (fixed by the module).</summary>
    public const int KernelSize = 7;

    /// <summary>Floats of scratch <see cref="Apply"/> needs.</summary>
    public static int ScratchLength(int channels, int height, int width) =>
        3 * (channels * width + height * channels + height * width) + 2 * channels * height;

    /// <summary>
    /// Computes one sample (<paramref name="input"/> and <paramref name="output"/> <c>[channels, height, width]</c>, validated
    /// by the caller; they may be the same memory). Without a spatial gate in <paramref name="weights"/>, the (h, w) gate is left out.
    /// </summary>
    public static void Apply(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int channels, int height, int width,
        TripletAttentionWeights weights, Span<float> scratch)
    {
        int plane = height * width;
        int cw = channels * width, hc = height * channels;
        Span<float> pooledCw = scratch.Slice(0, 2 * cw);
        Span<float> scaleCw = scratch.Slice(2 * cw, cw);
        Span<float> pooledHc = scratch.Slice(3 * cw, 2 * hc);
        Span<float> scaleHc = scratch.Slice(3 * cw + 2 * hc, hc);
        Span<float> pooledHw = scratch.Slice(3 * cw + 3 * hc, 2 * plane);
        Span<float> scaleHw = scratch.Slice(3 * cw + 3 * hc + 2 * plane, plane);
        Span<float> rowMax = scratch.Slice(3 * cw + 3 * hc + 3 * plane, channels * height);
        Span<float> rowMean = scratch.Slice(3 * cw + 3 * hc + 3 * plane + channels * height, channels * height);

        // cw gate: pool over the rows of each channel plane (a [C, W] map per pooling).
        for (int c = 0; c < channels; c++)
        {
            FeatureMapKernels.MeanAndMaxOverChannels(path, input.Slice(c * plane, plane), height, width,
                pooledCw.Slice(cw + c * width, width), pooledCw.Slice(c * width, width));
        }

        Gate(path, pooledCw, channels, width, weights.ChannelWidthWeight, weights.ChannelWidthBias, scaleCw);

        // hc gate: pool each row over its columns, laid out [H, C] as the permuted tensor is.
        FeatureMapKernels.ChannelMeansAndMaxima(path, input, channels * height, width, rowMean, rowMax);
        for (int c = 0; c < channels; c++)
        {
            for (int h = 0; h < height; h++)
            {
                pooledHc[h * channels + c] = rowMax[c * height + h];
                pooledHc[hc + h * channels + c] = rowMean[c * height + h];
            }
        }

        Gate(path, pooledHc, height, channels, weights.HeightChannelWeight, weights.HeightChannelBias, scaleHc);

        bool spatial = weights.SpatialWeight.Length != 0;
        if (spatial)
        {
            FeatureMapKernels.MeanAndMaxOverChannels(path, input, channels, plane, pooledHw.Slice(plane, plane), pooledHw.Slice(0, plane));
            Gate(path, pooledHw, height, width, weights.SpatialWeight, weights.SpatialBias, scaleHw);
        }

        float factor = spatial ? 1f / 3f : 0.5f;
        for (int c = 0; c < channels; c++)
        {
            for (int h = 0; h < height; h++)
            {
                int row = c * plane + h * width;
                FeatureMapRows.ScaleBySum(path, input.Slice(row, width), spatial ? scaleHw.Slice(h * width, width) : default,
                    scaleCw.Slice(c * width, width), scaleHc[h * channels + c], factor, output.Slice(row, width));
            }
        }
    }

    /// <summary><c>scale = sigmoid(conv7×7(pooled))</c> over a <paramref name="rows"/> × <paramref name="columns"/> map.</summary>
    private static void Gate(KernelPath path, ReadOnlySpan<float> pooled, int rows, int columns, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> scale)
    {
        Convolution2d.Same(path, pooled, 2, rows, columns, weight, bias, 1, KernelSize, KernelSize, 1, 1, scale);
        FeatureMapRows.Sigmoid(path, scale);
    }
}
