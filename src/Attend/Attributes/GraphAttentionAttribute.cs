using System;

namespace Attend;

/// <summary>
/// Declares a graph attention layer (GAT, Veličković et al. 2018; optionally GATv2's scoring, Brody et al. 2022).
/// Each node attends over its incoming edges: <c>h = x·Wᵀ</c> split into <see cref="Heads"/> heads of
/// <see cref="OutFeatures"/>, <c>e_ij = LeakyReLU(a_target·h_i + a_source·h_j)</c> (GATv2:
/// <c>a·LeakyReLU(h_i + h_j)</c>), <c>α_ij = softmax_j(e_ij)</c> over the edges into node <c>i</c>,
/// <c>out_i = Σ_j α_ij h_j</c>, heads concatenated or averaged. Neighbourhoods are an edge list or CSR given at
/// run time and the work is O(edges): no dense node × node matrix is formed.
/// </summary>
/// <remarks>
/// Weights: <c>W.weight</c> <c>[Heads·OutFeatures, InFeatures]</c> (an <c>nn.Linear</c> without bias);
/// <c>a</c> <c>[Heads, 2·OutFeatures]</c> for GAT (first half scores the target node <c>i</c>, second half the source
/// <c>j</c>) or <c>[Heads, OutFeatures]</c> for GATv2; <c>bias</c> when <see cref="Bias"/> is set.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class GraphAttentionAttribute : Attribute
{
    /// <summary>Features per input node.</summary>
    public int InFeatures { get; set; }

    /// <summary>Features per head of each output node (F′).</summary>
    public int OutFeatures { get; set; }

    /// <summary>Number of attention heads; default 1.</summary>
    public int Heads { get; set; } = 1;

    /// <summary>How heads combine: <see cref="GraphHeadCombine.Concat"/> (default, <c>Heads·OutFeatures</c> outputs) or <see cref="GraphHeadCombine.Mean"/>.</summary>
    public GraphHeadCombine Combine { get; set; } = GraphHeadCombine.Concat;

    /// <summary>Slope of LeakyReLU for negative inputs; default 0.2, the paper's.</summary>
    public float NegativeSlope { get; set; } = 0.2f;

    /// <summary>
    /// Whether each node also attends to itself (default true, as PyG's <c>add_self_loops</c>): self loops in the
    /// edge list are dropped and exactly one loop per node is added. False uses the edges exactly as given.
    /// </summary>
    public bool AddSelfLoops { get; set; } = true;

    /// <summary>The score function: <see cref="GraphAttentionScoring.Gat"/> (default) or <see cref="GraphAttentionScoring.GatV2"/>.</summary>
    public GraphAttentionScoring Scoring { get; set; } = GraphAttentionScoring.Gat;

    /// <summary>Whether a learned <c>bias</c> is added to the combined output (PyG's <c>GATConv</c> has one; the paper's layer does not). Default false.</summary>
    public bool Bias { get; set; }
}
