using System;

namespace Attend;

/// <summary>
/// Declares DANet's position attention module (Fu et al., CVPR 2019) over NCHW feature maps: every pixel attends to
/// every pixel, an (H·W) × (H·W) attention computed with Attend's tiled attention kernels (the map is never stored).
/// </summary>
/// <remarks>
/// <para><see cref="DanetVariant.Collection"/> mirrors External-Attention-pytorch's <c>PositionAttentionModule(d_model=C, kernel_size)</c>:
/// <c>t = cnn(x)</c> as tokens <c>[H·W, C]</c>, <c>y = fc_o(softmax(fc_q(t) fc_k(t)ᵀ / √C) fc_v(t))</c>, output
/// <c>[batch, H·W, C]</c>. Weights: <c>cnn.weight</c> <c>[C, C, k, k]</c>, <c>cnn.bias</c>, <c>pa.fc_q.weight</c> <c>[C, C]</c>,
/// <c>pa.fc_q.bias</c>, <c>pa.fc_k.*</c>, <c>pa.fc_v.*</c>, <c>pa.fc_o.*</c>.</para>
/// <para><see cref="DanetVariant.Official"/> mirrors the authors' <c>PAM_Module(in_dim=C)</c>: <c>q, k</c> = 1×1 convolutions to
/// <see cref="QueryKeyChannels"/>, <c>v</c> to C, <c>out = v softmax(qᵀk)ᵀ</c> (no scale), <c>y = gamma · out + x</c>, output
/// <c>[batch, C, H, W]</c>. Weights: <c>gamma</c> <c>[1]</c>, <c>query_conv.weight</c> <c>[C/8, C, 1, 1]</c>, <c>query_conv.bias</c>,
/// <c>key_conv.*</c>, <c>value_conv.weight</c> <c>[C, C, 1, 1]</c>, <c>value_conv.bias</c>.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DanetPositionAttentionAttribute : Attribute
{
    /// <summary>Channels C of the feature map (<c>d_model</c> / <c>in_dim</c>).</summary>
    public int Channels { get; set; }

    /// <summary>Which published module the layer mirrors; <see cref="DanetVariant.Collection"/> by default.</summary>
    public DanetVariant Variant { get; set; }

    /// <summary>Kernel size k of the collection's <c>cnn</c> convolution, odd; 3 by default. Collection variant only.</summary>
    public int KernelSize { get; set; }

    /// <summary>Channels of the official variant's query and key convolutions; <c>C / 8</c> (the authors') by default.</summary>
    public int QueryKeyChannels { get; set; }
}
