using System;

namespace Attend;

/// <summary>
/// Declares Selective Kernel attention (SKNet, Li et al. 2019) for NCHW feature maps, mirroring External-Attention-pytorch's
/// <c>SKAttention(channel, kernels, reduction, group, L)</c>: branch <c>i</c> is <c>U_i = relu(bn(conv_{k_i}(x)))</c>
/// (zero padding <c>k_i / 2</c>, <see cref="Groups"/> groups, with bias); <c>s = mean_hw(Σ_i U_i)</c>, <c>z = fc(s)</c>
/// (<c>d = max(MinHiddenChannels, Channels / Reduction)</c>, no activation), <c>a_i = fcs_i(z)</c>, softmax over the
/// branches per channel, <c>y = Σ_i a_i · U_i</c>. Weights (each BatchNorm folded into its convolution at load):
/// <c>convs.{i}.conv.weight/.bias</c>, <c>convs.{i}.bn.*</c>, <c>fc.weight/.bias</c>, <c>fcs.{i}.weight/.bias</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SelectiveKernelAttentionAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>channel</c>).</summary>
    public int Channels { get; set; }

    /// <summary>Each branch's odd kernel size (<c>kernels</c>); default <c>{ 1, 3, 5, 7 }</c>, the module's.</summary>
    public int[] KernelSizes { get; set; } = [1, 3, 5, 7];

    /// <summary>Reduction ratio r of the selection's hidden layer; default 16.</summary>
    public int Reduction { get; set; } = 16;

    /// <summary>Groups of every branch convolution (<c>group</c>); must divide <see cref="Channels"/>; default 1.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Fewest hidden channels of the selection (<c>L</c>): <c>d = max(L, Channels / Reduction)</c>; default 32.</summary>
    public int MinHiddenChannels { get; set; } = 32;
}
