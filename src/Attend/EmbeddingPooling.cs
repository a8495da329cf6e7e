// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How a <see cref="BertModelAttribute"/> model pools its last hidden state into one embedding per sequence.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum EmbeddingPooling
{
    /// <summary>The mean over the real tokens (attention mask 1), sentence-transformers' <c>pooling_mode_mean_tokens</c>.</summary>
    Mean = 0,

    /// <summary>The first token's (<c>[CLS]</c>) final state, sentence-transformers' <c>pooling_mode_cls_token</c>.</summary>
    Cls = 1,

    /// <summary>The element-wise maximum over the real tokens, sentence-transformers' <c>pooling_mode_max_tokens</c>.</summary>
    Max = 2,

    /// <summary>
    /// Hugging Face's <c>pooler_output</c>: <c>tanh(pooler.dense([CLS]))</c>; the checkpoint must hold
    /// <c>pooler.dense.weight</c> and <c>pooler.dense.bias</c>.
    /// </summary>
    Pooler = 3,
}
