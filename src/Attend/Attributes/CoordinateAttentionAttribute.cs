using System;

namespace Attend;

/// <summary>
/// Declares Coordinate Attention (Hou et al. 2021) for NCHW feature maps, as <c>CoordAtt(inp, oup = inp, reduction)</c> of
/// xmu-xiaoma666/External-Attention-pytorch <c>model/attention/CoordAttention.py</c> (the authors' code): the map is
/// averaged along each direction, the two pooled strips go through a shared 1×1 convolution <c>conv1</c>, eval-mode
/// BatchNorm <c>bn1</c> and h-swish, then <c>conv_h</c> and <c>conv_w</c> with a sigmoid give per-row and per-column
/// factors: <c>y = x · a_w · a_h</c>. <c>LoadWeights</c> reads <c>conv1.weight</c> [mip, C, 1, 1], <c>conv1.bias</c>,
/// <c>bn1.weight</c>, <c>bn1.bias</c>, <c>bn1.running_mean</c>, <c>bn1.running_var</c> [mip] (folded into conv1 at load),
/// <c>conv_h.weight</c>, <c>conv_w.weight</c> [C, mip, 1, 1] and their biases [C], with <c>mip = max(8, C / Reduction)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CoordinateAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>inp</c>; <c>oup</c> equals it, as <c>y = x · a_w · a_h</c> requires).</summary>
    public int Channels { get; set; }

    /// <summary>Reduction r: the middle width is <c>max(8, Channels / r)</c>; default 32, the module's.</summary>
    public int Reduction { get; set; } = 32;
}
