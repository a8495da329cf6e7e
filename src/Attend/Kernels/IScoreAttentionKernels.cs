using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The inner loops of one <c>[Attention]</c> declaration, emitted with every size constant: a score function
/// over prepared query and key rows, and the weighted sum of values. <see cref="ScoreAttention.Run{TKernels}"/>
/// is instantiated over the emitted struct, so the JIT specializes the whole driver.
/// </summary>
/// <remarks>
/// "Prepared" rows are what the generated <c>Forward</c> hands the driver: the raw rows for dot scores,
/// normalized rows for cosine, projected rows for general (keys) and additive/MLP (both).
/// Callers validate every length; <c>path</c> is never <see cref="KernelPath.Auto"/>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public interface IScoreAttentionKernels
{
    /// <summary>Floats per prepared query row.</summary>
    static abstract int QueryWidth { get; }

    /// <summary>Floats per prepared key row (rows are dense: the stride is this width).</summary>
    static abstract int KeyWidth { get; }

    /// <summary>Floats per value and output row.</summary>
    static abstract int ValueSize { get; }

    /// <summary><c>scores[j] = score(query, keys[j · KeyWidth ..])</c> for <c>j</c> in <c>[0, count)</c>.</summary>
    /// <param name="path">The resolved instruction-set path.</param>
    /// <param name="query">One prepared query row.</param>
    /// <param name="keys">At least <c>count</c> prepared key rows.</param>
    /// <param name="count">Keys to score, at least 1.</param>
    /// <param name="scoreWeights">Learned weights the score reads per pair (e.g. additive's <c>v</c>); empty for dot scores.</param>
    /// <param name="scores">Receives <c>count</c> scores.</param>
    static abstract void Scores(KernelPath path, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int count, ReadOnlySpan<float> scoreWeights, Span<float> scores);

    /// <summary><c>output[d] = Σ_j weights[j] · values[j · valueStride + d]</c>; overwrites <paramref name="output"/>.</summary>
    static abstract void WeightedSum(KernelPath path, ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int valueStride, int count, Span<float> output);
}
