using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Everything <see cref="ScoreAttention.Run{TKernels}"/> needs for one call: prepared rows, run-time lengths,
/// masks, the declaration's selection and locality, and the optional outputs. Rows are dense and batch first.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public ref struct ScoreAttentionProblem
{
    /// <summary>Instruction-set path; <see cref="KernelPath.Auto"/> picks the widest accelerated one.</summary>
    public KernelPath Path;

    /// <summary>Sequences in the batch.</summary>
    public int Batch;

    /// <summary>Query rows per sequence.</summary>
    public int QueryLength;

    /// <summary>Key (and value) rows per sequence.</summary>
    public int KeyLength;

    /// <summary>Prepared queries, <c>[Batch, QueryLength, QueryWidth]</c>.</summary>
    public ReadOnlySpan<float> Queries;

    /// <summary>Prepared keys, <c>[Batch, KeyLength, KeyWidth]</c>.</summary>
    public ReadOnlySpan<float> Keys;

    /// <summary>Values, <c>[Batch, KeyLength, ValueSize]</c>.</summary>
    public ReadOnlySpan<float> Values;

    /// <summary>Weights the score function reads per pair; see <see cref="IScoreAttentionKernels.Scores"/>.</summary>
    public ReadOnlySpan<float> ScoreWeights;

    /// <summary>Receives <c>[Batch, QueryLength, ValueSize]</c>.</summary>
    public Span<float> Output;

    /// <summary>
    /// Empty, <c>[Batch]</c> or <c>[Batch, QueryLength]</c> (d2l's <c>valid_lens</c>): keys at or past the length are
    /// masked. Each in <c>[0, KeyLength]</c>.
    /// </summary>
    public ReadOnlySpan<int> ValidLengths;

    /// <summary>Empty or <c>[Batch, KeyLength]</c>, <c>true</c> = padded key (PyTorch's polarity).</summary>
    public ReadOnlySpan<bool> KeyPaddingMask;

    /// <summary>Soft, hard or top-k.</summary>
    public AttentionSelection Selection;

    /// <summary>Keys kept by <see cref="AttentionSelection.TopK"/>, at least 1.</summary>
    public int TopK;

    /// <summary>Global, local-m or local-p.</summary>
    public LocalAttention Local;

    /// <summary>Half-width D of the local window, at least 1 when <see cref="Local"/> is set.</summary>
    public int Window;

    /// <summary>local-m: empty (centre = query index) or <c>[Batch, QueryLength]</c> window centres.</summary>
    public ReadOnlySpan<int> Positions;

    /// <summary>local-p: <c>[Batch, QueryLength]</c> predicted fractions <c>sigmoid(v_pᵀ tanh(W_p q))</c> ∈ (0, 1).</summary>
    public ReadOnlySpan<float> PositionFractions;

    /// <summary>Empty, or receives the weights <c>[Batch, QueryLength, KeyLength]</c> (0 for keys a row does not see).</summary>
    public Span<float> AttentionWeights;

    /// <summary>Empty, or receives the scores <c>[Batch, QueryLength, KeyLength]</c> before selection; −∞ for keys a row does not see.</summary>
    public Span<float> Scores;

    /// <summary>Most threads to use, at least 1.</summary>
    public int MaxDegreeOfParallelism;
}
