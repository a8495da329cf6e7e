using System;

namespace Attend;

/// <summary>
/// Declares DANet's channel attention module (Fu et al., CVPR 2019) over NCHW feature maps: a C × C attention between
/// channel planes, computed as a Gram-matrix GEMM, a row softmax and a second GEMM.
/// </summary>
/// <remarks>
/// <para><see cref="DanetVariant.Collection"/> mirrors External-Attention-pytorch's <c>ChannelAttentionModule(d_model=C, kernel_size, H, W)</c>:
/// <c>t = cnn(x)</c> as <c>[C, H·W]</c>, <c>y = fc_o(softmax(t tᵀ / √(H·W)) t)</c>, output <c>[batch, C, H·W]</c>. Its
/// <c>fc_o</c> is a <c>Linear(H·W, H·W)</c>, so <see cref="Height"/> and <see cref="Width"/> are part of the declaration.
/// Weights: <c>cnn.weight</c> <c>[C, C, k, k]</c>, <c>cnn.bias</c> <c>[C]</c>, <c>pa.fc_o.weight</c> <c>[H·W, H·W]</c>, <c>pa.fc_o.bias</c> <c>[H·W]</c>.</para>
/// <para><see cref="DanetVariant.Official"/> mirrors the authors' <c>CAM_Module(in_dim=C)</c>: <c>e = X Xᵀ</c>,
/// <c>attn = softmax(max(e) − e)</c>, <c>y = gamma · (attn X) + x</c> at any size. Weight: <c>gamma</c> <c>[1]</c>.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DanetChannelAttentionAttribute : Attribute
{
    /// <summary>Channels C of the feature map (<c>d_model</c> / <c>in_dim</c>).</summary>
    public int Channels { get; set; }

    /// <summary>Which published module the layer mirrors; <see cref="DanetVariant.Collection"/> by default.</summary>
    public DanetVariant Variant { get; set; }

    /// <summary>Kernel size k of the collection's <c>cnn</c> convolution, odd; 3 by default. Collection variant only.</summary>
    public int KernelSize { get; set; }

    /// <summary>Rows H of the feature map; required by the collection variant (its <c>fc_o</c> is <c>Linear(H·W, H·W)</c>).</summary>
    public int Height { get; set; }

    /// <summary>Columns W of the feature map; required by the collection variant.</summary>
    public int Width { get; set; }
}
