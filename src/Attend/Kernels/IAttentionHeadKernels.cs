using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The inner loops of attention for one head shape, emitted by the source generator for each
/// declared layer with <see cref="DimHead"/> and <see cref="ValueDimHead"/> as constants (the head
/// dimension unrolled into vector registers, one method body per <see cref="KernelPath"/>).
/// Generic drivers such as <c>AttentionDriver</c> are instantiated over the emitted struct,
/// so the JIT specializes them too: the shapes stay constants all the way down.
/// </summary>
/// <remarks>
/// Callers validate every length before calling; implementations may assume the spans are large
/// enough and <c>path</c> is never <see cref="KernelPath.Auto"/>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public interface IAttentionHeadKernels
{
    /// <summary>Width D of one query/key head.</summary>
    static abstract int DimHead { get; }

    /// <summary>Width Dv of one value head.</summary>
    static abstract int ValueDimHead { get; }

    /// <summary>
    /// <c>scores[j] = scale · Σ_d query[d] · keys[j · keyStride + d]</c> for <c>j</c> in <c>[0, count)</c>.
    /// </summary>
    static abstract void Scores(KernelPath path, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int keyStride, int count, float scale, Span<float> scores);

    /// <summary>
    /// <c>output[d] = Σ_j weights[j] · values[j · valueStride + d]</c> for <c>d</c> in <c>[0, ValueDimHead)</c>;
    /// overwrites <paramref name="output"/>.
    /// </summary>
    static abstract void WeightedSum(KernelPath path, ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int valueStride, int count, Span<float> output);

    /// <summary>The register tile of the tiled kernels below on <paramref name="path"/>.</summary>
    static abstract AttentionTileShape TileShape(KernelPath path);

    /// <summary>
    /// Transposes <paramref name="count"/> key rows (<paramref name="keyStride"/> apart) into blocks of
    /// <c>KeyBlock</c> keys: block <c>b</c> holds <c>packed[b·D·KeyBlock + d·KeyBlock + j] = keys[(b·KeyBlock + j)·keyStride + d]</c>,
    /// zero for <c>j</c> past <paramref name="count"/>. Writes <c>ceil(count / KeyBlock) · D · KeyBlock</c> floats.
    /// </summary>
    static abstract void PackKeys(KernelPath path, ref float keys, nint keyStride, int count, ref float packed);

    /// <summary>
    /// The score tile: <c>scores[r·scoreStride + j] = Σ_d query[r·D + d] · K[j, d]</c> for the <c>QueryRows</c> rows
    /// <c>r</c> of <paramref name="query"/> (dense, <c>[QueryRows, D]</c>, the scale already folded in) and the
    /// <c>blocks · KeyBlock</c> keys <c>j</c> packed by <see cref="PackKeys"/>.
    /// </summary>
    static abstract void ScoreTile(KernelPath path, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride);

    /// <summary>
    /// The value tile: <c>output[r·Dv + d] = rescale[r] · output[r·Dv + d] + Σ_{j &lt; count} weights[r·weightStride + j] · values[j·valueStride + d]</c>
    /// for the <c>QueryRows</c> rows <c>r</c> (output dense, <c>[QueryRows, Dv]</c>): the online-softmax update of the
    /// attention accumulators.
    /// </summary>
    static abstract void AccumulateTile(KernelPath path, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale);
}
