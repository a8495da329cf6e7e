using System;

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
}
