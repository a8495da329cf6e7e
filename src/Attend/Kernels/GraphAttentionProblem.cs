using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>One graph attention call as <see cref="GraphAttentionDriver"/> sees it: the projected features, the incoming edges in CSR form, and where results go.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public ref struct GraphAttentionProblem
{
    /// <summary>Number of nodes N.</summary>
    public int Nodes;

    /// <summary>Number of heads H.</summary>
    public int Heads;

    /// <summary><c>[N + 1]</c> CSR row pointers of the incoming edges.</summary>
    public ReadOnlySpan<int> IncomingOffsets;

    /// <summary><c>[slots]</c> source node of each incoming edge.</summary>
    public ReadOnlySpan<int> Sources;

    /// <summary><c>[N, H·F′]</c>: the projected features <c>x·Wᵀ</c>, head-major within a row.</summary>
    public ReadOnlySpan<float> Features;

    /// <summary>The attention vectors: <c>[H, 2F′]</c> for GAT, <c>[H, F′]</c> for GATv2.</summary>
    public ReadOnlySpan<float> Attention;

    /// <summary>Average the heads into <c>[N, F′]</c> instead of concatenating them into <c>[N, H·F′]</c>.</summary>
    public bool MeanOverHeads;

    /// <summary>Empty, or the bias added to every output row.</summary>
    public ReadOnlySpan<float> Bias;

    /// <summary><c>[N, H·F′]</c> (concat) or <c>[N, F′]</c> (mean).</summary>
    public Span<float> Output;

    /// <summary>Empty, or <c>[slots, H]</c>: receives each incoming edge's attention weight per head.</summary>
    public Span<float> SlotWeights;

    /// <summary>The instruction-set path.</summary>
    public KernelPath Path;

    /// <summary>Most threads to use, at least 1.</summary>
    public int MaxDegreeOfParallelism;
}
