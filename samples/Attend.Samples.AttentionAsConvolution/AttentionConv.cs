using Attend;

namespace Attend.Samples.AttentionAsConvolution;

/// <summary>
/// Nine heads of self-attention with the quadratic position encoding over 4 → 6 channels: the shape of the
/// <c>attnconv_k3_soft_small</c> fixture in <c>weights/</c>, and of the 3×3 convolution stored beside it.
/// </summary>
[ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 3)]
internal sealed partial class AttentionConv;
