namespace Attend.Generators.Model;

/// <summary>A validated <c>[SqueezeExcitation]</c> declaration; every size resolved.</summary>
/// <param name="Pooling">0 average, 1 max, 2 both (the values of <c>Attend.ChannelPooling</c>).</param>
/// <param name="HardSigmoid">Whether the gate is PyTorch's hardsigmoid (else sigmoid).</param>
internal sealed record SqueezeExcitationSpec(
    LayerIdentity Identity,
    int Channels,
    int SqueezeChannels,
    int Pooling,
    bool HardSigmoid);

/// <summary>A validated <c>[EfficientChannelAttention]</c> declaration.</summary>
/// <param name="KernelSizeIsAdaptive">Whether <see cref="KernelSize"/> came from the ECA rule rather than the attribute.</param>
internal sealed record EfficientChannelAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    int KernelSize,
    bool KernelSizeIsAdaptive);

/// <summary>A validated <c>[ConvBlockAttention]</c> declaration.</summary>
internal sealed record ConvBlockAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    int HiddenChannels,
    int SpatialKernelSize);
