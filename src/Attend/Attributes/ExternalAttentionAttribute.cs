using System;

namespace Attend;

/// <summary>
/// Declares External Attention (Guo et al. 2021) over tokens <c>[batch, tokens, ModelDim]</c>, as
/// <c>ExternalAttention(d_model, S)</c> of xmu-xiaoma666/External-Attention-pytorch <c>model/attention/ExternalAttention.py</c>:
/// two learned memories (bias-free linear layers) <c>mk</c> [S, ModelDim] and <c>mv</c> [ModelDim, S];
/// <c>a = x mkᵀ</c>, softmax over the tokens, then each row divided by its sum over the S memory units (double
/// normalisation), <c>y = a mvᵀ</c>. <c>LoadWeights</c> reads <c>mk.weight</c> and <c>mv.weight</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ExternalAttentionAttribute : Attribute
{
    /// <summary>Features per token (<c>d_model</c>).</summary>
    public int ModelDim { get; set; }

    /// <summary>Memory units S (<c>S</c>); default 64, the module's.</summary>
    public int MemoryUnits { get; set; } = 64;
}
