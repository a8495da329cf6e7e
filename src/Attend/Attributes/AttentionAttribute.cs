using System;

namespace Attend;

/// <summary>
/// Declares encoder-decoder attention with a chosen score function (Bahdanau, Luong, d2l.ai's
/// <c>AdditiveAttention</c>/<c>DotProductAttention</c>): <c>y_i = Σ_j a_ij v_j</c> with <c>a_i</c> the softmax
/// (or hard / top-k selection) of <c>score(q_i, k_j)</c> over the keys the query may see. Optional key padding
/// (d2l's valid lengths or a mask) and Luong's local attention restrict those keys. The generator emits
/// constants, <c>LoadWeights</c> for the score's weights, and a <c>Forward</c> whose score and weighted-sum
/// loops are specialized for the sizes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AttentionAttribute : Attribute
{
    /// <summary>The score function; default <see cref="AttentionScore.Dot"/>.</summary>
    public AttentionScore Score { get; set; }

    /// <summary>Features per query row.</summary>
    public int QuerySize { get; set; }

    /// <summary>Features per key row; 0 (the default) means <see cref="QuerySize"/>.</summary>
    public int KeySize { get; set; }

    /// <summary>Features per value row (and output row); 0 (the default) means <see cref="KeySize"/>.</summary>
    public int ValueSize { get; set; }

    /// <summary>Hidden width of the <see cref="AttentionScore.Additive"/> and <see cref="AttentionScore.Mlp"/> scores (d2l's <c>num_hiddens</c>).</summary>
    public int Hidden { get; set; }

    /// <summary>Soft, hard or top-k selection; default <see cref="AttentionSelection.Soft"/>.</summary>
    public AttentionSelection Selection { get; set; }

    /// <summary>How many keys <see cref="AttentionSelection.TopK"/> keeps.</summary>
    public int TopK { get; set; }

    /// <summary>Luong's local attention; default <see cref="LocalAttention.None"/> (global).</summary>
    public LocalAttention Local { get; set; }

    /// <summary>Half-width D of the local window: keys <c>s</c> with <c>|s - p| ≤ D</c> are visible.</summary>
    public int Window { get; set; }

    /// <summary>Hidden width of local-p's position predictor <c>W_p</c>; 0 (the default) means <see cref="QuerySize"/>.</summary>
    public int PositionHidden { get; set; }
}
