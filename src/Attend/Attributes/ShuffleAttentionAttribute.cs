using System;

namespace Attend;

/// <summary>
/// Declares Shuffle Attention (SA-Net, Zhang &amp; Yang 2021) for NCHW feature maps, as <c>ShuffleAttention(channel, G)</c>
/// of xmu-xiaoma666/External-Attention-pytorch <c>model/attention/ShuffleAttention.py</c>: the channels split into
/// <c>Groups</c> groups, each half channel attention <c>x · σ(cweight · mean(x) + cbias)</c> and half spatial attention
/// <c>x · σ(sweight · GroupNorm(x) + sbias)</c>, then a channel shuffle with two groups. <c>LoadWeights</c> reads
/// <c>cweight</c>, <c>cbias</c>, <c>sweight</c>, <c>sbias</c> [1, C/2G, 1, 1] and <c>gn.weight</c>, <c>gn.bias</c> [C/2G].
/// The module's <c>reduction</c> argument is unused by it and has no counterpart here.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ShuffleAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>channel</c>); a multiple of 2 × <see cref="Groups"/>.</summary>
    public int Channels { get; set; }

    /// <summary>Groups G (<c>G</c>); default 8, the module's.</summary>
    public int Groups { get; set; } = 8;
}
