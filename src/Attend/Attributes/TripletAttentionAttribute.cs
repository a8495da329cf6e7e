using System;

namespace Attend;

/// <summary>
/// Declares Triplet Attention (Misra et al. 2021) for NCHW feature maps, mirroring External-Attention-pytorch's
/// <c>TripletAttention(no_spatial)</c> (the authors' code): three gates, over the (C, W), (H, C) and (H, W) planes,
/// each a Z-pool (max, then mean, across the remaining axis), a 7×7 convolution 2 → 1 without bias, an eval-mode
/// BatchNorm and a sigmoid; <c>y = x · (s_hw + s_cw + s_hc) / 3</c>, or <c>x · (s_cw + s_hc) / 2</c> with
/// <see cref="NoSpatial"/>. Weights (each BatchNorm folded into its convolution at load): <c>cw.conv.conv.weight</c>,
/// <c>cw.conv.bn.*</c>, <c>hc.conv.conv.weight</c>, <c>hc.conv.bn.*</c>, and without <see cref="NoSpatial"/>
/// <c>hw.conv.conv.weight</c>, <c>hw.conv.bn.*</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TripletAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (the module takes any; the generated layer fixes it).</summary>
    public int Channels { get; set; }

    /// <summary>Leaves out the spatial (h, w) gate (<c>no_spatial</c>); default false.</summary>
    public bool NoSpatial { get; set; }
}
