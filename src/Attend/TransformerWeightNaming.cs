// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>Whose <c>state_dict</c> names a transformer block's <c>LoadWeights</c> expects (each under <c>layers.{i}.</c>).</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum TransformerWeightNaming
{
    /// <summary>
    /// <c>torch.nn.TransformerEncoderLayer</c> / <c>TransformerDecoderLayer</c>: <c>self_attn.in_proj_weight</c>,
    /// <c>self_attn.out_proj</c>, <c>linear1</c>, <c>linear2</c>, <c>norm1</c>, <c>norm2</c> (decoder: also
    /// <c>multihead_attn</c> and <c>norm3</c>).
    /// </summary>
    TorchEncoder = 0,

    /// <summary>
    /// lucidrains/vit-pytorch's older <c>Transformer</c> with <c>PreNorm(dim, fn)</c> wrappers: <c>0.norm</c>,
    /// <c>0.fn.to_qkv</c> (no bias), <c>0.fn.to_out.0</c>, <c>1.norm</c>, <c>1.fn.net.0</c>, <c>1.fn.net.3</c>; no final norm.
    /// </summary>
    VitPreNorm = 1,

    /// <summary>
    /// lucidrains/vit-pytorch's current <c>Transformer</c>, the norms inside the modules: <c>0.norm</c>, <c>0.to_qkv</c>
    /// (no bias), <c>0.to_out.0</c>, <c>1.net.0</c> (norm), <c>1.net.1</c>, <c>1.net.4</c>, and a final <c>norm</c>.
    /// </summary>
    Vit = 2,
}
