using System;

namespace Attend;

/// <summary>
/// Declares multi-head self-attention over an image with the quadratic relative position encoding of Cordonnier,
/// Loukas &amp; Jaggi ("On the Relationship between Self-Attention and Convolutional Layers", ICLR 2020): K² heads,
/// head <c>h</c> scoring key pixel <c>k</c> for query pixel <c>q</c> by <c>−αₕ ‖(k − q) − Δₕ‖²</c> (no content term),
/// keys over the image zero-padded by K / 2. With Δₕ on the K² offsets and a large α it computes a K×K convolution
/// exactly; <see cref="ConvolutionAsAttention.Weights"/> builds those weights from a <c>conv.weight</c>.
/// </summary>
/// <remarks>
/// Output <c>y = concat_h(P_h · X Wᵥₕᵀ) W_outᵀ + b_out</c>, NCHW <c>[batch, OutChannels, H, W]</c>. Weights (the paper's
/// layer as the fixtures' <c>attn.*</c> tensors): <c>centers</c> <c>[K², 2]</c> (Δₕ as row, column offsets), <c>alpha</c>
/// <c>[K²]</c>, <c>value.weight</c> <c>[K² · HeadDim, InChannels]</c>, <c>out.weight</c> <c>[OutChannels, K² · HeadDim]</c>,
/// <c>out.bias</c> <c>[OutChannels]</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ConvolutionalSelfAttentionAttribute : Attribute
{
    /// <summary>Channels of the input image.</summary>
    public int InChannels { get; set; }

    /// <summary>Channels of the output image.</summary>
    public int OutChannels { get; set; }

    /// <summary>K, odd: K² heads, keys padded by K / 2 (the convolution the layer can express).</summary>
    public int KernelSize { get; set; }

    /// <summary>Width of each head's value projection; <see cref="OutChannels"/> (the paper's construction) by default.</summary>
    public int HeadDim { get; set; }
}
