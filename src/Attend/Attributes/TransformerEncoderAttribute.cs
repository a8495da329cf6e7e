using System;

namespace Attend;

/// <summary>
/// Declares a stack of <c>Depth</c> transformer encoder layers (self-attention and a feed-forward network, each with a
/// residual connection and a normalization), as <c>torch.nn.TransformerEncoder</c> over
/// <c>TransformerEncoderLayer(batch_first=True)</c> or lucidrains/vit-pytorch's <c>Transformer</c>. The generator emits
/// the shapes as constants, <c>LoadWeights</c> under the chosen module's <c>state_dict</c> names, and a <c>Forward</c>
/// over the whole stack; with <see cref="AttentionMask.Causal"/> also a key/value cache and one-token decoding.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TransformerEncoderAttribute : Attribute
{
    /// <summary>Model width (<c>d_model</c>, lucidrains <c>dim</c>).</summary>
    public int ModelDim { get; set; }

    /// <summary>Number of query heads (<c>nhead</c>).</summary>
    public int Heads { get; set; }

    /// <summary>Width of one head; 0 (the default) means <c>ModelDim / Heads</c>. The ViT namings allow any width (lucidrains <c>dim_head</c>).</summary>
    public int DimHead { get; set; }

    /// <summary>Number of key/value heads (grouped-query attention); 0 (the default) means <see cref="Heads"/>, 1 is multi-query attention.</summary>
    public int KvHeads { get; set; }

    /// <summary>Hidden width of the feed-forward network (<c>dim_feedforward</c>, lucidrains <c>mlp_dim</c>).</summary>
    public int MlpDim { get; set; }

    /// <summary>Number of layers.</summary>
    public int Depth { get; set; }

    /// <summary>Pre-norm or post-norm (<c>norm_first</c>).</summary>
    public NormPlacement Norm { get; set; }

    /// <summary>The feed-forward nonlinearity.</summary>
    public FeedForwardActivation Activation { get; set; }

    /// <summary>Attention masks every forward pass applies; <see cref="AttentionMask.Causal"/> makes it a decoder-only stack with a KV cache.</summary>
    public AttentionMask Mask { get; set; }

    /// <summary>Whose <c>state_dict</c> names <c>LoadWeights</c> expects.</summary>
    public TransformerWeightNaming WeightNaming { get; set; }

    /// <summary>The normalizations' ε; 0 (the default) means PyTorch's 1e-5.</summary>
    public float LayerNormEpsilon { get; set; }

    /// <summary>Whether a final normalization (<c>norm</c>, as <c>TransformerEncoder(norm=LayerNorm)</c>) follows the last layer; the <see cref="TransformerWeightNaming.Vit"/> naming always has one.</summary>
    public bool FinalNorm { get; set; }

    /// <summary>How positions are encoded; see <see cref="PositionEncoding"/>.</summary>
    public PositionEncoding Positions { get; set; }

    /// <summary>Longest sequence (cache included) for <see cref="PositionEncoding.Learned"/> and <see cref="PositionEncoding.RelativeBias1D"/>.</summary>
    public int MaxLength { get; set; }

    /// <summary>Rotated features per head for the rotary encodings; 0 (the default) means <see cref="DimHead"/>.</summary>
    public int RotaryDim { get; set; }

    /// <summary>The rotary base θ; 0 (the default) means 10000.</summary>
    public float RotaryBase { get; set; }

    /// <summary>Token grid height for <see cref="PositionEncoding.RelativeBias2D"/>.</summary>
    public int GridHeight { get; set; }

    /// <summary>Token grid width for <see cref="PositionEncoding.RelativeBias2D"/>.</summary>
    public int GridWidth { get; set; }

    /// <summary>
    /// Sliding-window (local) attention: 0 (the default) is off; <c>w</c> lets query <c>i</c> see keys <c>j</c> with
    /// <c>i − w &lt; j</c> (and <c>j ≤ i</c> when causal, <c>j &lt; i + w</c> otherwise).
    /// </summary>
    public int Window { get; set; }

    /// <summary>
    /// How <c>LoadWeights</c> stores the projection weights (Q/K/V, output, feed-forward): <see cref="WeightPrecision.Float32"/>
    /// (the default), <see cref="WeightPrecision.BFloat16"/> (half the bytes), <see cref="WeightPrecision.Int8"/> (a quarter) or
    /// <see cref="WeightPrecision.Int8ByteActivations"/> (a quarter, and activations rounded to bytes: faster with VNNI).
    /// The generated class's <c>WeightPrecision</c> property starts at this value and may be changed before a <c>LoadWeights</c>.
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; }
}
