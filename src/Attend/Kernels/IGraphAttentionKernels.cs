using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The inner loops of graph attention for one head width F′, emitted by the source generator for each
/// <c>[GraphAttention]</c> declaration with F′ and the LeakyReLU slope as constants (the head row unrolled into
/// vector registers, one method body per <see cref="KernelPath"/>). <see cref="GraphAttentionDriver"/> is
/// instantiated over the emitted struct, so the JIT specializes it too.
/// </summary>
/// <remarks>
/// Callers validate every length and index first; implementations may assume the spans are large enough, every
/// source index addresses a whole row, and <c>path</c> is never <see cref="KernelPath.Auto"/>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public interface IGraphAttentionKernels
{
    /// <summary>Width F′ of one head.</summary>
    static abstract int HeadWidth { get; }

    /// <summary>The LeakyReLU slope for negative scores.</summary>
    static abstract float NegativeSlope { get; }

    /// <summary>True for GATv2 (<see cref="PairScores"/>); false for GAT (<see cref="NodeTerms"/>).</summary>
    static abstract bool ScoresPairs { get; }

    /// <summary>
    /// GAT's per-node halves of the score: <c>target = Σ_f attention[f]·row[f]</c> and
    /// <c>source = Σ_f attention[F′ + f]·row[f]</c>, so that <c>e_ij = LeakyReLU(target_i + source_j)</c>.
    /// </summary>
    static virtual void NodeTerms(KernelPath path, ReadOnlySpan<float> row, ReadOnlySpan<float> attention, out float target, out float source) =>
        throw new NotSupportedException("This layer scores pairs of nodes (GATv2); the driver calls PairScores.");

    /// <summary>
    /// GATv2's scores of one target's incoming edges: <c>scores[e] = Σ_f attention[f]·LeakyReLU(target[f] + features[sources[e]·rowStride + f])</c>.
    /// </summary>
    static virtual void PairScores(KernelPath path, ReadOnlySpan<float> target, ReadOnlySpan<float> attention, ReadOnlySpan<float> features, int rowStride,
        ReadOnlySpan<int> sources, Span<float> scores) =>
        throw new NotSupportedException("This layer scores each node once (GAT); the driver calls NodeTerms.");

    /// <summary>
    /// The gathered weighted sum <c>output[f] = Σ_e weights[e]·features[sources[e]·rowStride + f]</c> for
    /// <c>f</c> in <c>[0, F′)</c>; overwrites <paramref name="output"/>.
    /// </summary>
    static abstract void Aggregate(KernelPath path, ReadOnlySpan<float> weights, ReadOnlySpan<int> sources, ReadOnlySpan<float> features, int rowStride, Span<float> output);
}
