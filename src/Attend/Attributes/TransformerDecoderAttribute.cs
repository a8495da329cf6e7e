using System;

namespace Attend;

/// <summary>
/// Declares a stack of <c>Depth</c> transformer decoder layers, as <c>torch.nn.TransformerDecoder</c> over
/// <c>TransformerDecoderLayer(batch_first=True)</c>: masked self-attention, cross-attention over an encoder's output
/// (the memory), and a feed-forward network, each with a residual connection and a layer norm. Weights load under
/// PyTorch's names: <c>layers.{i}.self_attn</c>, <c>multihead_attn</c>, <c>linear1</c>, <c>linear2</c>, <c>norm1..3</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TransformerDecoderAttribute : Attribute
{
    /// <summary>Model width (<c>d_model</c>) of the target and of the memory.</summary>
    public int ModelDim { get; set; }

    /// <summary>Number of heads (<c>nhead</c>) of both attentions.</summary>
    public int Heads { get; set; }

    /// <summary>Hidden width of the feed-forward network (<c>dim_feedforward</c>).</summary>
    public int MlpDim { get; set; }

    /// <summary>Number of layers.</summary>
    public int Depth { get; set; }

    /// <summary>Pre-norm or post-norm (<c>norm_first</c>); the default is PyTorch's post-norm.</summary>
    public NormPlacement Norm { get; set; }

    /// <summary>The feed-forward nonlinearity; the default is PyTorch's ReLU.</summary>
    public FeedForwardActivation Activation { get; set; }

    /// <summary>Masks of the self-attention (<see cref="AttentionMask.Causal"/> is <c>tgt_is_causal</c>); key padding adds a run-time argument.</summary>
    public AttentionMask Mask { get; set; }

    /// <summary>The layer norms' ε; 0 (the default) means PyTorch's 1e-5.</summary>
    public float LayerNormEpsilon { get; set; }

    /// <summary>Whether a final layer norm (<c>norm</c>) follows the last layer.</summary>
    public bool FinalNorm { get; set; }

    /// <summary>
    /// How <c>LoadWeights</c> stores the projection weights (Q/K/V, output, feed-forward): <see cref="WeightPrecision.Float32"/>
    /// (the default), <see cref="WeightPrecision.BFloat16"/> (half the bytes), <see cref="WeightPrecision.Int8"/> (a quarter) or
    /// <see cref="WeightPrecision.Int8ByteActivations"/> (a quarter, and activations rounded to bytes: faster with VNNI).
    /// The generated class's <c>WeightPrecision</c> property starts at this value and may be changed before a <c>LoadWeights</c>.
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; }
}
