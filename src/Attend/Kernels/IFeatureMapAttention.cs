using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One generated channel/spatial attention block applied to one sample of an NCHW batch. Generated layers
/// emit a struct implementing it (holding references to the layer's weights, with every channel count a
/// constant); <see cref="FeatureMapAttention.Run{TBlock}"/> is instantiated over that struct, so the JIT
/// specializes the batch loop too.
/// </summary>
/// <remarks>Implementations may assume every span has been validated and <c>path</c> is never <see cref="KernelPath.Auto"/>.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public interface IFeatureMapAttention
{
    /// <summary>Floats of scratch <see cref="Apply"/> needs for one sample of <paramref name="height"/> × <paramref name="width"/>.</summary>
    int ScratchLength(int height, int width);

    /// <summary>Computes one sample: <paramref name="input"/> and <paramref name="output"/> are <c>[Channels, height, width]</c> and may be the same memory.</summary>
    /// <param name="path">The resolved instruction-set path.</param>
    /// <param name="input">The sample's feature map.</param>
    /// <param name="output">Receives the re-weighted feature map.</param>
    /// <param name="height">Rows of the map.</param>
    /// <param name="width">Columns of the map.</param>
    /// <param name="channelScale">Empty, or receives the per-channel factors <c>[Channels]</c>.</param>
    /// <param name="spatialScale">Empty, or receives the per-pixel factors <c>[height, width]</c>.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats, contents undefined.</param>
    void Apply(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int height, int width, Span<float> channelScale, Span<float> spatialScale, Span<float> scratch);
}
