using System;

namespace Attend;

/// <summary>
/// Declares a convolutional block attention module (CBAM, Woo et al. 2018) for NCHW feature maps, laid out as
/// the common PyTorch ports: channel attention <c>cs = sigmoid(mlp(avgpool(x)) + mlp(maxpool(x)))</c> with a
/// shared bias-free MLP of 1×1 convolutions (<c>ca.fc.0.weight</c>, <c>ca.fc.2.weight</c>), then spatial
/// attention <c>ss = sigmoid(conv_k×k([mean_c(x1), max_c(x1)]))</c> with zero padding and no bias
/// (<c>sa.conv1.weight</c> <c>[1, 2, k, k]</c>); <c>y = ss · (cs · x)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ConvBlockAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map.</summary>
    public int Channels { get; set; }

    /// <summary>Reduction ratio r of the channel MLP: <c>Channels / r</c> hidden channels (rounded down); default 16.</summary>
    public int Reduction { get; set; } = 16;

    /// <summary>Hidden channels of the MLP given directly; 0 (the default) means <c>Channels / Reduction</c>.</summary>
    public int HiddenChannels { get; set; }

    /// <summary>Side of the spatial convolution, odd; default 7 (the paper's choice; 3 is the other common one).</summary>
    public int SpatialKernelSize { get; set; } = 7;
}
