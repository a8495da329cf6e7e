using System;

namespace Attend;

/// <summary>
/// Declares a squeeze-and-excitation block (Hu et al. 2018) for NCHW feature maps, with the weights of
/// torchvision's <c>SqueezeExcitation</c>: <c>y = x · gate(fc2(relu(fc1(pool(x)))))</c> per channel, where
/// <c>fc1</c> and <c>fc2</c> are 1×1 convolutions with bias. The generator emits constants, <c>LoadWeights</c>
/// (<c>fc1.weight</c>, <c>fc1.bias</c>, <c>fc2.weight</c>, <c>fc2.bias</c>) and a <c>Forward</c> specialized for
/// the channel counts; height and width are run-time arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SqueezeExcitationAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map (<c>input_channels</c>).</summary>
    public int Channels { get; set; }

    /// <summary>Reduction ratio r: the hidden layer has <c>Channels / r</c> channels (rounded down); default 16.</summary>
    public int Reduction { get; set; } = 16;

    /// <summary>Hidden channels (<c>squeeze_channels</c>) given directly; 0 (the default) means <c>Channels / Reduction</c>.</summary>
    public int SqueezeChannels { get; set; }

    /// <summary>How each channel plane is squeezed; default <see cref="ChannelPooling.Average"/>.</summary>
    public ChannelPooling Pooling { get; set; }

    /// <summary>The gate on the excitation; default <see cref="GateActivation.Sigmoid"/>.</summary>
    public GateActivation Gate { get; set; }
}
