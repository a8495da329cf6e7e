using System;

namespace Attend;

/// <summary>
/// Declares Polarized Self-Attention (Liu et al. 2021) for NCHW feature maps, as <c>ParallelPolarizedSelfAttention(channel)</c>
/// or <c>SequentialPolarizedSelfAttention(channel)</c> of xmu-xiaoma666/External-Attention-pytorch
/// <c>model/attention/PolarizedSelfAttention.py</c>. Channel branch: <c>cw = σ(LayerNorm(ch_wz(ch_wv(x) · softmax_HW(ch_wq(x)))))</c>;
/// spatial branch on <c>s</c> (x, or <c>cw · x</c> when sequential): <c>sw = σ(softmax_C(mean_HW(sp_wq(s)))ᵀ sp_wv(s))</c>.
/// <c>LoadWeights</c> reads <c>ch_wv.weight</c> [C/2, C, 1, 1], <c>ch_wq.weight</c> [1, C, 1, 1], <c>ch_wz.weight</c> [C, C/2, 1, 1],
/// <c>ln.weight</c>, <c>ln.bias</c> [C], <c>sp_wv.weight</c>, <c>sp_wq.weight</c> [C/2, C, 1, 1] and every convolution's bias.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PolarizedSelfAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>channel</c>), at least 2; the value and query convolutions have C / 2 outputs, rounded down as the module's <c>c // 2</c>.</summary>
    public int Channels { get; set; }

    /// <summary>Parallel (the default) or sequential combination of the two branches.</summary>
    public PolarizedLayout Layout { get; set; }
}
