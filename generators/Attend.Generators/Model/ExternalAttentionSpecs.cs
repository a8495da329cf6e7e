namespace Attend.Generators.Model;

/// <summary>A validated <c>[BottleneckAttention]</c> declaration.</summary>
/// <param name="HiddenChannels"><c>Channels / Reduction</c>, at least 1.</param>
internal sealed record BottleneckAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    int HiddenChannels,
    int Dilation,
    int Layers);

/// <summary>A validated <c>[TripletAttention]</c> declaration.</summary>
internal sealed record TripletAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    bool NoSpatial);

/// <summary>A validated <c>[SelectiveKernelAttention]</c> declaration.</summary>
/// <param name="HiddenChannels"><c>max(MinHiddenChannels, Channels / Reduction)</c>.</param>
internal sealed record SelectiveKernelAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    EquatableArray<int> KernelSizes,
    int Groups,
    int HiddenChannels);
