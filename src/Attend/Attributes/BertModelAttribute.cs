using System;

namespace Attend;

/// <summary>
/// Declares a BERT-family encoder that takes token ids, as Hugging Face's <c>BertModel</c>: word, position and token-type
/// embeddings with their LayerNorm, <c>Depth</c> post-norm encoder layers with GELU, and optionally a sentence embedding
/// pooled from the last hidden state as <c>sentence-transformers</c> computes it. The generator emits the shapes as
/// constants, <c>LoadWeights</c> under the checkpoint's own names (safetensors from <c>save_pretrained</c>, with or
/// without a <c>bert.</c> prefix, or the initializers of an ONNX export), <c>Forward</c> (last hidden state) and
/// <c>Embed</c> (pooled, optionally L2-normalised).
/// </summary>
/// <example>
/// all-MiniLM-L6-v2:
/// <code>
/// [BertModel(VocabSize = 30522, ModelDim = 384, Heads = 12, MlpDim = 1536, Depth = 6,
///            Pooling = EmbeddingPooling.Mean, NormalizeEmbeddings = true)]
/// public partial class MiniLM;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BertModelAttribute : Attribute
{
    /// <summary>Rows of the word embedding (<c>vocab_size</c>); token ids run from 0 to <c>VocabSize - 1</c>.</summary>
    public int VocabSize { get; set; }

    /// <summary>Model width (<c>hidden_size</c>).</summary>
    public int ModelDim { get; set; }

    /// <summary>Number of attention heads (<c>num_attention_heads</c>); each is <c>ModelDim / Heads</c> wide.</summary>
    public int Heads { get; set; }

    /// <summary>Hidden width of the feed-forward network (<c>intermediate_size</c>).</summary>
    public int MlpDim { get; set; }

    /// <summary>Number of encoder layers (<c>num_hidden_layers</c>).</summary>
    public int Depth { get; set; }

    /// <summary>Rows of the position embedding (<c>max_position_embeddings</c>), the longest input; 0 (the default) means 512.</summary>
    public int MaxPositions { get; set; }

    /// <summary>Rows of the token-type embedding (<c>type_vocab_size</c>); 0 (the default) means 2.</summary>
    public int TypeVocabSize { get; set; }

    /// <summary>The LayerNorms' ε (<c>layer_norm_eps</c>); 0 (the default) means BERT's 1e-12.</summary>
    public float LayerNormEpsilon { get; set; }

    /// <summary>The feed-forward nonlinearity (<c>hidden_act</c>); <see cref="FeedForwardActivation.Default"/> means BERT's exact GELU.</summary>
    public FeedForwardActivation Activation { get; set; }

    /// <summary>How <c>Embed</c> turns the last hidden state into one vector per sequence.</summary>
    public EmbeddingPooling Pooling { get; set; }

    /// <summary>Whether <c>Embed</c> L2-normalises each embedding (sentence-transformers' <c>Normalize</c> module).</summary>
    public bool NormalizeEmbeddings { get; set; }

    /// <summary>
    /// How <c>LoadWeights</c> stores the projection weights (Q/K/V, output, feed-forward): <see cref="WeightPrecision.Float32"/>
    /// (the default), <see cref="WeightPrecision.BFloat16"/> (half the bytes), <see cref="WeightPrecision.Int8"/> (a quarter) or
    /// <see cref="WeightPrecision.Int8ByteActivations"/> (a quarter, and activations rounded to bytes: faster with VNNI).
    /// The generated class's <c>WeightPrecision</c> property starts at this value and may be changed before a <c>LoadWeights</c>.
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; }
}
