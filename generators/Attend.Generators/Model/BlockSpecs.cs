namespace Attend.Generators.Model;

/// <summary>
/// A validated stack of encoder layers, shared by <c>[TransformerEncoder]</c> and <c>[VisionTransformer]</c>; every
/// default resolved (pre/post norm, activation, head width, ε, rotary width).
/// </summary>
/// <param name="Naming">One of <see cref="BlockOptions"/>' <c>Naming*</c> values.</param>
/// <param name="Activation">One of <see cref="BlockOptions"/>' <c>Activation*</c> values, never Default.</param>
/// <param name="Positions">One of <see cref="BlockOptions"/>' <c>Positions*</c> values.</param>
/// <param name="HasOutputProjection">False only for the lucidrains namings with one head as wide as the model (its <c>to_out</c> is the identity).</param>
internal sealed record EncoderStackSpec(
    int ModelDim,
    int Heads,
    int KvHeads,
    int DimHead,
    int MlpDim,
    int Depth,
    bool PreNorm,
    int Activation,
    bool Causal,
    bool KeyPadding,
    int Naming,
    float Epsilon,
    bool FinalNorm,
    int Positions,
    int MaxLength,
    int RotaryDim,
    float RotaryBase,
    int GridHeight,
    int GridWidth,
    int Window,
    float Scale,
    bool HasOutputProjection,
    int WeightPrecision = 0);

/// <summary>A validated <c>[TransformerEncoder]</c> declaration.</summary>
internal sealed record TransformerEncoderSpec(LayerIdentity Identity, EncoderStackSpec Stack);

/// <summary>A validated <c>[TransformerDecoder]</c> declaration (PyTorch naming, heads of <c>ModelDim / Heads</c>).</summary>
internal sealed record TransformerDecoderSpec(
    LayerIdentity Identity,
    int ModelDim,
    int Heads,
    int DimHead,
    int MlpDim,
    int Depth,
    bool PreNorm,
    int Activation,
    bool Causal,
    bool KeyPadding,
    float Epsilon,
    bool FinalNorm,
    int WeightPrecision = 0);

/// <summary>A validated <c>[VisionTransformer]</c> declaration; its encoder is a pre-norm stack under <c>transformer.</c>.</summary>
internal sealed record VisionTransformerSpec(
    LayerIdentity Identity,
    int ImageSize,
    int PatchSize,
    int Channels,
    int Classes,
    int Pooling,
    EncoderStackSpec Stack);

/// <summary>
/// A validated <c>[BertModel]</c> declaration: token, position and token-type embeddings in front of a post-norm encoder
/// stack under Hugging Face's names, and the pooling <c>Embed</c> applies.
/// </summary>
/// <param name="Pooling">One of <see cref="BlockOptions"/>' <c>EmbeddingPooling*</c> values.</param>
internal sealed record BertModelSpec(
    LayerIdentity Identity,
    int VocabSize,
    int MaxPositions,
    int TypeVocabSize,
    int Pooling,
    bool NormalizeEmbeddings,
    EncoderStackSpec Stack);
