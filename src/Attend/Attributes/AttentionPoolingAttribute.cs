using System;

namespace Attend;

/// <summary>
/// Declares learned attention pooling of a sequence <c>[batch, length, Features]</c> into one vector per
/// sequence <c>[batch, Features]</c>: <c>α = softmax_t(score(h_t))</c> over the unpadded positions,
/// <c>y = Σ_t α_t h_t</c>. Stack two (word → sentence, sentence → document) for hierarchical pooling, as in
/// Yang et al. 2016's hierarchical attention networks.
/// </summary>
/// <remarks>
/// Weights: additive scoring <c>score = vᵀ tanh(W h + b)</c> reads <c>proj.weight</c> <c>[HiddenDim, Features]</c>,
/// <c>proj.bias</c> <c>[HiddenDim]</c> (when <see cref="Bias"/>) and <c>context.weight</c> <c>[1, HiddenDim]</c>
/// (an <c>nn.Linear(HiddenDim, 1, bias=False)</c>); a learned query <c>score = qᵀ h</c> reads <c>query</c> <c>[Features]</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AttentionPoolingAttribute : Attribute
{
    /// <summary>Features per position, and of the pooled vector.</summary>
    public int Features { get; set; }

    /// <summary>Width of the additive score's hidden layer (<c>W</c> is <c>[HiddenDim, Features]</c>); required by <see cref="PoolingScore.Additive"/>.</summary>
    public int HiddenDim { get; set; }

    /// <summary>The score function; default <see cref="PoolingScore.Additive"/>.</summary>
    public PoolingScore Score { get; set; } = PoolingScore.Additive;

    /// <summary>Whether the additive score's projection has a bias <c>b</c>; default true.</summary>
    public bool Bias { get; set; } = true;
}
