using System;

namespace Attend;

/// <summary>
/// Declares a bottleneck attention module (BAM, Park et al. 2018) for NCHW feature maps, mirroring
/// External-Attention-pytorch's <c>BAMBlock(channel, reduction, dia_val)</c>:
/// channel logits <c>ca = last_fc(relu(bn(fc(… relu(bn0(fc0(mean_hw(x))))))))</c> over <c>Layers</c> hidden layers of
/// <c>Channels / Reduction</c>, spatial logits <c>sa = last_conv(relu(bn(conv(… relu(bn_reduce1(conv_reduce1(x)))))))</c>
/// with <c>Layers</c> 3×3 convolutions dilated by <see cref="DilationValue"/>, and <c>y = (1 + sigmoid(ca + sa)) · x</c>.
/// Weights (every BatchNorm folded into the layer before it at load): <c>ca.ca.fc{i}.weight/.bias</c>,
/// <c>ca.ca.bn{i}.*</c>, <c>ca.ca.last_fc.weight/.bias</c>, <c>sa.sa.conv_reduce1.weight/.bias</c>, <c>sa.sa.bn_reduce1.*</c>,
/// <c>sa.sa.conv_{i}.weight/.bias</c>, <c>sa.sa.bn_{i}.*</c>, <c>sa.sa.last_conv.weight/.bias</c>.
/// The dilated convolutions pad by the dilation, as the paper and the authors' code do (the collection's padding of 1
/// changes the map size for a dilation other than 1).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BottleneckAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>channel</c>).</summary>
    public int Channels { get; set; }

    /// <summary>Reduction ratio r: both gates' hidden layers have <c>Channels / r</c> channels (rounded down); default 16.</summary>
    public int Reduction { get; set; } = 16;

    /// <summary>Dilation of the spatial gate's 3×3 convolutions (<c>dia_val</c>); default 2.</summary>
    public int DilationValue { get; set; } = 2;

    /// <summary>Hidden layers of each gate (<c>num_layers</c>); default 3, the module's.</summary>
    public int Layers { get; set; } = 3;
}
