using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The weights of one BAM layer with every BatchNorm folded into the layer before it and the channel gate's linear
/// layers packed for <see cref="LinearKernels"/>. Never written once built.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BottleneckAttentionWeights
{
    /// <summary>Feature-map channels.</summary>
    public int Channels { get; }

    /// <summary>Hidden channels of both gates.</summary>
    public int Hidden { get; }

    /// <summary>Hidden layers of each gate.</summary>
    public int Layers { get; }

    /// <summary>The channel gate's hidden layers, packed one after another (<c>[Hidden, Channels]</c>, then <c>[Hidden, Hidden]</c>).</summary>
    public float[] ChannelPacked { get; }

    /// <summary>Their folded biases, <c>[Layers, Hidden]</c>.</summary>
    public float[] ChannelBiases { get; }

    /// <summary><c>last_fc</c> packed, <c>[Channels, Hidden]</c>.</summary>
    public float[] ChannelLastPacked { get; }

    /// <summary><c>last_fc.bias</c>, <c>[Channels]</c>.</summary>
    public float[] ChannelLastBias { get; }

    /// <summary>The folded 1×1 reduction, <c>[Hidden, Channels, 1, 1]</c>, and its bias.</summary>
    public float[] ReduceWeight { get; }

    /// <inheritdoc cref="ReduceWeight"/>
    public float[] ReduceBias { get; }

    /// <summary>The folded dilated 3×3 convolutions, <c>[Layers, Hidden, Hidden, 3, 3]</c>, and their biases <c>[Layers, Hidden]</c>.</summary>
    public float[] DilatedWeights { get; }

    /// <inheritdoc cref="DilatedWeights"/>
    public float[] DilatedBiases { get; }

    /// <summary><c>last_conv</c>, <c>[1, Hidden, 1, 1]</c>, and its one-float bias.</summary>
    public float[] LastConvWeight { get; }

    /// <inheritdoc cref="LastConvWeight"/>
    public float[] LastConvBias { get; }

    /// <summary>Zero weights until a set is loaded.</summary>
    public BottleneckAttentionWeights(int channels, int hidden, int layers)
    {
        ArgumentChecks.Positive(channels, nameof(channels));
        ArgumentChecks.Positive(hidden, nameof(hidden));
        ArgumentChecks.Positive(layers, nameof(layers));
        Channels = channels;
        Hidden = hidden;
        Layers = layers;
        ChannelPacked = new float[LinearKernels.PackedLength(channels, hidden) + (layers - 1) * LinearKernels.PackedLength(hidden, hidden)];
        ChannelBiases = new float[layers * hidden];
        ChannelLastPacked = new float[LinearKernels.PackedLength(hidden, channels)];
        ChannelLastBias = new float[channels];
        ReduceWeight = new float[hidden * channels];
        ReduceBias = new float[hidden];
        DilatedWeights = new float[layers * hidden * hidden * 9];
        DilatedBiases = new float[layers * hidden];
        LastConvWeight = new float[hidden];
        LastConvBias = new float[1];
    }

    /// <summary>
    /// Reads <c>BAMBlock</c>'s <c>state_dict</c> under <paramref name="prefix"/>: <c>ca.ca.fc{i}</c> + <c>ca.ca.bn{i}</c>,
    /// <c>ca.ca.last_fc</c>, <c>sa.sa.conv_reduce1</c> + <c>sa.sa.bn_reduce1</c>, <c>sa.sa.conv_{i}</c> + <c>sa.sa.bn_{i}</c>,
    /// <c>sa.sa.last_conv</c>; every BatchNorm (eps 1e-5) folded into the layer before it.
    /// </summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">A tensor has the wrong shape or a running variance is invalid.</exception>
    public static BottleneckAttentionWeights Read(IWeightSource source, string prefix, int channels, int hidden, int layers)
    {
        const float epsilon = 1e-5f;
        var set = new BottleneckAttentionWeights(channels, hidden, layers);
        int offset = 0;
        for (int i = 0; i < layers; i++)
        {
            int inputs = i == 0 ? channels : hidden;
            (float[] weight, float[] bias) = BatchNormFolding.ReadFolded(source, prefix, $"ca.ca.fc{i}", true, $"ca.ca.bn{i}", epsilon, hidden, inputs);
            int length = LinearKernels.PackedLength(inputs, hidden);
            LinearKernels.Pack(weight, inputs, hidden, set.ChannelPacked.AsSpan(offset, length));
            bias.CopyTo(set.ChannelBiases, i * hidden);
            offset += length;
        }

        LinearKernels.Pack(WeightLoading.Read(source, prefix, "ca.ca.last_fc.weight", channels, hidden), hidden, channels, set.ChannelLastPacked);
        WeightLoading.Read(source, prefix, "ca.ca.last_fc.bias", channels).CopyTo(set.ChannelLastBias, 0);
        (float[] reduce, float[] reduceBias) = BatchNormFolding.ReadFolded(source, prefix, "sa.sa.conv_reduce1", true, "sa.sa.bn_reduce1", epsilon, hidden, channels, 1, 1);
        reduce.CopyTo(set.ReduceWeight, 0);
        reduceBias.CopyTo(set.ReduceBias, 0);
        for (int i = 0; i < layers; i++)
        {
            (float[] weight, float[] bias) = BatchNormFolding.ReadFolded(source, prefix, $"sa.sa.conv_{i}", true, $"sa.sa.bn_{i}", epsilon, hidden, hidden, 3, 3);
            weight.CopyTo(set.DilatedWeights, i * hidden * hidden * 9);
            bias.CopyTo(set.DilatedBiases, i * hidden);
        }

        WeightLoading.Read(source, prefix, "sa.sa.last_conv.weight", 1, hidden, 1, 1).CopyTo(set.LastConvWeight, 0);
        WeightLoading.Read(source, prefix, "sa.sa.last_conv.bias", 1).CopyTo(set.LastConvBias, 0);
        return set;
    }
}
