using System;

namespace Attend;

/// <summary>
/// Declares efficient channel attention (ECA-Net, Wang et al. 2020) for NCHW feature maps:
/// <c>y = x · sigmoid(conv1d_k(mean_hw(x)))</c>, the 1-D convolution running along the channels with zero
/// padding and no bias (weight <c>conv.weight</c> <c>[1, 1, k]</c>). The kernel size adapts to the channel
/// count, <c>t = ⌊|(log₂ C + 1) / 2|⌋</c>, <c>k = t</c> if odd else <c>t + 1</c> (γ = 2, b = 1), unless
/// <see cref="KernelSize"/> is given.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class EfficientChannelAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map.</summary>
    public int Channels { get; set; }

    /// <summary>The 1-D kernel size, odd; 0 (the default) means the adaptive size from <see cref="Channels"/>.</summary>
    public int KernelSize { get; set; }
}
