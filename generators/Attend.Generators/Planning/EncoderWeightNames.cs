namespace Attend.Generators.Planning;

/// <summary>
/// The <c>state_dict</c> names of one encoder layer, relative to <c>layers.{i}.</c>: modules (to which <c>.weight</c> and
/// <c>.bias</c> are appended) and whole tensor names where the module holds a bare parameter.
/// </summary>
/// <param name="AttentionNorm">Norm before (pre-norm) or after (post-norm) the attention sublayer.</param>
/// <param name="QkvWeight">The packed query/key/value projection weight, <c>[QkvWidth, ModelDim]</c>.</param>
/// <param name="QkvBias">Its bias, or null when the module has none (lucidrains <c>to_qkv</c>).</param>
/// <param name="Output">The attention output projection.</param>
/// <param name="FeedForwardNorm">Norm of the feed-forward sublayer.</param>
/// <param name="Hidden">First feed-forward linear layer (<c>ModelDim → MlpDim</c>).</param>
/// <param name="Projection">Second feed-forward linear layer (<c>MlpDim → ModelDim</c>).</param>
/// <param name="RelativeBiasTable">The learned relative position bias of the attention module.</param>
/// <param name="SeparateQkv">
/// When not null, the module holding separate <c>query</c>, <c>key</c> and <c>value</c> linears (with biases), stacked at
/// load into the packed projection; <paramref name="QkvWeight"/> and <paramref name="QkvBias"/> then only describe it.
/// </param>
internal sealed record EncoderLayerNames(
    string AttentionNorm,
    string QkvWeight,
    string? QkvBias,
    string Output,
    string FeedForwardNorm,
    string Hidden,
    string Projection,
    string RelativeBiasTable,
    string? SeparateQkv = null);

/// <summary>Every <c>state_dict</c> name one stack reads, resolved from its naming: part of the stack's plan.</summary>
/// <param name="Layer">Layer <c>i</c>'s names, relative to <paramref name="LayerPrefix"/><c>{i}.</c>.</param>
/// <param name="FinalNorm">The norm after the last layer, or null when the stack has none.</param>
/// <param name="PositionEmbedding">The learned position table (read only when the stack learns its positions).</param>
internal sealed record EncoderStackNames(EncoderLayerNames Layer, string LayerPrefix, string? FinalNorm, string PositionEmbedding);

/// <summary>Maps a weight naming to its tensor names; a pure function, tested without Roslyn.</summary>
internal static class EncoderWeightNames
{
    public const string LayerPrefix = "layers.";

    /// <summary>Where layer <c>i</c>'s tensors start: <c>layers.{i}.</c>, or <c>encoder.layer.{i}.</c> for Hugging Face BERT.</summary>
    public static string LayerPrefixFor(int naming) => naming == BlockOptions.NamingBert ? "encoder.layer." : LayerPrefix;

    public const string FinalNorm = "norm";

    public static EncoderStackNames Resolve(EncoderStackSpec stack) =>
        new(For(stack.Naming), LayerPrefixFor(stack.Naming), stack.FinalNorm ? FinalNorm : null, PositionEmbedding(stack.Naming));

    public static EncoderLayerNames For(int naming) => naming switch
    {
        BlockOptions.NamingVitPreNorm => new EncoderLayerNames(
            "0.norm", "0.fn.to_qkv.weight", null, "0.fn.to_out.0", "1.norm", "1.fn.net.0", "1.fn.net.3", "0.fn.relative_position_bias_table"),
        BlockOptions.NamingVit => new EncoderLayerNames(
            "0.norm", "0.to_qkv.weight", null, "0.to_out.0", "1.net.0", "1.net.1", "1.net.4", "0.relative_position_bias_table"),
        BlockOptions.NamingBert => new EncoderLayerNames(
            "attention.output.LayerNorm", "attention.self.{query,key,value}.weight", "attention.self.{query,key,value}.bias", "attention.output.dense",
            "output.LayerNorm", "intermediate.dense", "output.dense", "attention.self.relative_position_bias_table", SeparateQkv: "attention.self."),
        _ => new EncoderLayerNames(
            "norm1", "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj", "norm2", "linear1", "linear2", "self_attn.relative_position_bias_table"),
    };

    /// <summary>The learned position table: an <c>nn.Embedding</c> for torch.nn stacks, a bare <c>nn.Parameter</c> <c>[1, n, dim]</c> for lucidrains.</summary>
    public static string PositionEmbedding(int naming) => naming == BlockOptions.NamingTorch ? "pos_embedding.weight" : "pos_embedding";
}
