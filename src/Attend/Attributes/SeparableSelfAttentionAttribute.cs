using System;

namespace Attend;

/// <summary>
/// Declares MobileViTv2's separable self-attention (Mehta &amp; Rastegari 2022), linear in the number of tokens, over
/// <c>[batch, tokens, ModelDim]</c>, as <c>MobileViTv2Attention(d_model)</c> of xmu-xiaoma666/External-Attention-pytorch
/// <c>model/attention/MobileViTv2Attention.py</c>: <c>c = softmax_N(fc_i(x))</c>, <c>context = Σ_N c · fc_k(x)</c>,
/// <c>y = fc_o(fc_v(x) · context)</c>. <c>LoadWeights</c> reads <c>fc_i.weight</c> [1, d], <c>fc_k.weight</c>,
/// <c>fc_v.weight</c>, <c>fc_o.weight</c> [d, d] and their biases.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SeparableSelfAttentionAttribute : Attribute
{
    /// <summary>Features per token (<c>d_model</c>).</summary>
    public int ModelDim { get; set; }

    /// <summary>
    /// Whether a ReLU follows <c>fc_v</c>, as in apple/ml-cvnets' <c>LinearSelfAttention</c> (same parameters); false
    /// (the default) is the collection's module, which has none.
    /// </summary>
    public bool ValueRelu { get; set; }
}
