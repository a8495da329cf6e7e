namespace Attend.Generators.Model;

/// <summary>A validated <c>[DanetPositionAttention]</c> declaration.</summary>
/// <param name="Official">The DANet authors' PAM (1×1 projections, gamma residual) rather than the collection's head.</param>
/// <param name="KernelSize">The collection's <c>cnn</c> kernel size (unused by the official variant).</param>
/// <param name="QueryKeyChannels">Width of queries and keys: <c>C / 8</c> or as given (official), C (collection).</param>
internal sealed record DanetPositionAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    bool Official,
    int KernelSize,
    int QueryKeyChannels);

/// <summary>A validated <c>[DanetChannelAttention]</c> declaration.</summary>
/// <param name="Height">Rows the collection's <c>fc_o</c> is built for (0 for the official variant).</param>
/// <param name="Width">Columns the collection's <c>fc_o</c> is built for (0 for the official variant).</param>
internal sealed record DanetChannelAttentionSpec(
    LayerIdentity Identity,
    int Channels,
    bool Official,
    int KernelSize,
    int Height,
    int Width);

/// <summary>A validated <c>[ConvolutionalSelfAttention]</c> declaration; heads = <c>KernelSize²</c>.</summary>
internal sealed record ConvolutionalSelfAttentionSpec(
    LayerIdentity Identity,
    int InChannels,
    int OutChannels,
    int KernelSize,
    int HeadDim);
