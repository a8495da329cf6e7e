using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The weights of one Triplet Attention layer with each gate's BatchNorm folded into its 7×7 convolution. Never
/// written once built, so a generated layer publishes a new set with one reference write.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TripletAttentionWeights
{
    /// <summary>The (C, W) gate's folded <c>[1, 2, 7, 7]</c> convolution.</summary>
    public float[] ChannelWidthWeight { get; }

    /// <summary>The (C, W) gate's folded bias, one float.</summary>
    public float[] ChannelWidthBias { get; }

    /// <summary>The (H, C) gate's folded convolution.</summary>
    public float[] HeightChannelWeight { get; }

    /// <summary>The (H, C) gate's folded bias.</summary>
    public float[] HeightChannelBias { get; }

    /// <summary>The spatial (H, W) gate's folded convolution; empty without it.</summary>
    public float[] SpatialWeight { get; }

    /// <summary>The spatial gate's folded bias; empty without it.</summary>
    public float[] SpatialBias { get; }

    /// <summary>Zero weights (every gate 0.5) until a set is loaded.</summary>
    public TripletAttentionWeights(bool spatial)
        : this(new float[GateWeightLength], new float[1], new float[GateWeightLength], new float[1],
            spatial ? new float[GateWeightLength] : [], spatial ? new float[1] : [])
    {
    }

    private TripletAttentionWeights(float[] cw, float[] cwBias, float[] hc, float[] hcBias, float[] hw, float[] hwBias)
    {
        ChannelWidthWeight = cw;
        ChannelWidthBias = cwBias;
        HeightChannelWeight = hc;
        HeightChannelBias = hcBias;
        SpatialWeight = hw;
        SpatialBias = hwBias;
    }

    private const int GateWeightLength = 2 * TripletAttentionKernels.KernelSize * TripletAttentionKernels.KernelSize;

    /// <summary>
    /// Reads <c>{prefix}{gate}.conv.conv.weight</c> <c>[1, 2, 7, 7]</c> and <c>{prefix}{gate}.conv.bn.*</c> for the gates
    /// <c>cw</c>, <c>hc</c> and (with <paramref name="spatial"/>) <c>hw</c>, and folds each BatchNorm (eps 1e-5).
    /// </summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">A tensor has the wrong shape or a running variance is invalid.</exception>
    public static TripletAttentionWeights Read(IWeightSource source, string prefix, bool spatial)
    {
        (float[] cw, float[] cwBias) = ReadGate(source, prefix, "cw");
        (float[] hc, float[] hcBias) = ReadGate(source, prefix, "hc");
        (float[] hw, float[] hwBias) = spatial ? ReadGate(source, prefix, "hw") : ([], []);
        return new TripletAttentionWeights(cw, cwBias, hc, hcBias, hw, hwBias);
    }

    private static (float[] Weight, float[] Bias) ReadGate(IWeightSource source, string prefix, string gate) =>
        BatchNormFolding.ReadFolded(source, prefix, gate + ".conv.conv", false, gate + ".conv.bn", 1e-5f,
            1, 2, TripletAttentionKernels.KernelSize, TripletAttentionKernels.KernelSize);
}
