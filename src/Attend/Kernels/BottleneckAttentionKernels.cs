using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One sample of the bottleneck attention module (BAM, Park et al. 2018; External-Attention-pytorch <c>BAMBlock</c>)
/// with every BatchNorm folded into the layer before it: channel logits <c>ca = last_fc(relu(fc_n(… relu(fc_0(mean_hw(x))))))</c>,
/// spatial logits <c>sa = last_conv(relu(conv_n(… relu(conv_reduce(x)))))</c> (3×3 dilated convolutions), and
/// <c>y = x · (1 + sigmoid(ca[c] + sa[h, w]))</c>. Generated <c>[BottleneckAttention]</c> layers call it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BottleneckAttentionKernels
{
    /// <summary>Floats of scratch <see cref="Apply"/> needs.</summary>
    public static int ScratchLength(int channels, int hidden, int height, int width) =>
        2 * channels + 2 * hidden + (2 * hidden + 1) * height * width;

    /// <summary>
    /// Computes one sample (<paramref name="input"/> and <paramref name="output"/> <c>[Channels, height, width]</c>, validated
    /// by the caller; they may be the same memory). The dilated convolutions pad by <paramref name="dilation"/>.
    /// </summary>
    public static void Apply(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int height, int width, int dilation,
        BottleneckAttentionWeights weights, Span<float> scratch)
    {
        int channels = weights.Channels, hidden = weights.Hidden, layers = weights.Layers;
        int plane = height * width;
        Span<float> means = scratch.Slice(0, channels);
        Span<float> channelLogits = scratch.Slice(channels, channels);
        Span<float> hiddenA = scratch.Slice(2 * channels, hidden);
        Span<float> hiddenB = scratch.Slice(2 * channels + hidden, hidden);
        Span<float> mapA = scratch.Slice(2 * channels + 2 * hidden, hidden * plane);
        Span<float> mapB = scratch.Slice(2 * channels + 2 * hidden + hidden * plane, hidden * plane);
        Span<float> spatialLogits = scratch.Slice(2 * channels + 2 * hidden + 2 * hidden * plane, plane);

        // Channel gate: an MLP on the plane means, every layer a packed matrix–vector product.
        FeatureMapKernels.ChannelMeans(path, input, channels, plane, means);
        ReadOnlySpan<float> vector = means;
        int inFeatures = channels;
        int offset = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            Span<float> next = layer % 2 == 0 ? hiddenA : hiddenB;
            int length = LinearKernels.PackedLength(inFeatures, hidden);
            LinearKernels.Forward(path, vector, 1, inFeatures, weights.ChannelPacked.AsSpan(offset, length),
                weights.ChannelBiases.AsSpan(layer * hidden, hidden), inFeatures, hidden, next, hidden);
            Activations.Relu(path, next, next);
            vector = next;
            inFeatures = hidden;
            offset += length;
        }

        LinearKernels.Forward(path, vector, 1, hidden, weights.ChannelLastPacked, weights.ChannelLastBias, hidden, channels, channelLogits, channels);

        // Spatial gate: 1×1 reduction, dilated 3×3 convolutions (padding = dilation keeps H × W), 1×1 to one map.
        Convolution2d.Same(path, input, channels, height, width, weights.ReduceWeight, weights.ReduceBias, hidden, 1, 1, 1, 1, mapA);
        Activations.Relu(path, mapA, mapA);
        int dilatedLength = hidden * hidden * 9;
        for (int layer = 0; layer < layers; layer++)
        {
            Convolution2d.Same(path, mapA, hidden, height, width, weights.DilatedWeights.AsSpan(layer * dilatedLength, dilatedLength),
                weights.DilatedBiases.AsSpan(layer * hidden, hidden), hidden, 3, 3, dilation, 1, mapB);
            Activations.Relu(path, mapB, mapB);
            Span<float> swap = mapA;
            mapA = mapB;
            mapB = swap;
        }

        Convolution2d.Same(path, mapA, hidden, height, width, weights.LastConvWeight, weights.LastConvBias, 1, 1, 1, 1, 1, spatialLogits);

        for (int c = 0; c < channels; c++)
        {
            FeatureMapRows.ResidualGate(path, input.Slice(c * plane, plane), channelLogits[c], spatialLogits, output.Slice(c * plane, plane));
        }
    }
}
