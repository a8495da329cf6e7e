namespace Attend.Generators.Planning;

/// <summary>What a planned attention layer adds: the shared kernel struct it names.</summary>
internal interface IHeadLayerPlan : ILayerPlan
{
    /// <summary>The head shape whose struct (<c>Attend.Generated.HeadKernels_D…_Dv…</c>) the layer runs on.</summary>
    HeadShape Shape { get; }
}

/// <summary>
/// A layer that runs attention through a shared head kernel struct, planned: its spec, the head shape it shares and the
/// register layout of that shape's kernels, which its remarks state. Value-equal and free of compilation objects, so it
/// is an incremental step of its own between parse and emit; the emitter only turns it into text.
/// </summary>
internal sealed record HeadLayerPlan<TSpec>(LayerIdentity Identity, TSpec Spec, HeadShape Shape, HeadKernelPlan Kernels) : IHeadLayerPlan
    where TSpec : class;

/// <summary>
/// A layer built on the encoder stack (<c>[TransformerEncoder]</c>, <c>[BertModel]</c>, <c>[VisionTransformer]</c>),
/// planned: the head kernels plus every <c>state_dict</c> name the stack reads under its naming.
/// </summary>
internal sealed record EncoderLayerPlan<TSpec>(LayerIdentity Identity, TSpec Spec, HeadShape Shape, HeadKernelPlan Kernels, EncoderStackNames Names) : IHeadLayerPlan
    where TSpec : class;

/// <summary>A planned <c>[MultiHeadAttention]</c> layer: the head kernels plus the projection and decoding choices.</summary>
/// <param name="PackedProjections">
/// KeyDim and ValueDim equal ModelDim, so self-attention projects Q, K and V in one pass with PyTorch's packed
/// <c>in_proj_weight</c>; otherwise the projections are separate (<c>q_proj_weight</c>, <c>k_proj_weight</c>, <c>v_proj_weight</c>).
/// </param>
/// <param name="KvCache">
/// Causal, no key padding and packed projections: the layer gets <c>CreateKvCache</c>, <c>Prefill</c> and a one-token
/// <c>Forward</c>, so decoding costs one query row per step. A cache holds the keys of the sequence being decoded, so it
/// needs query = key = value (packed projections) and no per-call padding mask (a padded position would have to stay
/// masked in every later step).
/// </param>
internal sealed record MultiHeadAttentionPlan(
    LayerIdentity Identity,
    MultiHeadAttentionSpec Spec,
    HeadShape Shape,
    HeadKernelPlan Kernels,
    bool PackedProjections,
    bool KvCache) : IHeadLayerPlan;

/// <summary>Spec → plan for every layer kind that runs on the head kernels. Pure; tested without Roslyn.</summary>
internal static class AttentionLayerPlanner
{
    public static MultiHeadAttentionPlan Plan(MultiHeadAttentionSpec spec)
    {
        HeadShape shape = HeadShapes.Of(spec);
        bool packed = spec.KeyDim == spec.ModelDim && spec.ValueDim == spec.ModelDim;
        return new MultiHeadAttentionPlan(spec.Identity, spec, shape, Kernels(shape), packed, KvCache: spec.Causal && !spec.KeyPadding && packed);
    }

    public static HeadLayerPlan<ScaledDotProductAttentionSpec> Plan(ScaledDotProductAttentionSpec spec) => Plan(spec.Identity, spec, HeadShapes.Of(spec));

    public static EncoderLayerPlan<TransformerEncoderSpec> Plan(TransformerEncoderSpec spec) => Stacked(spec.Identity, spec, spec.Stack);

    public static HeadLayerPlan<TransformerDecoderSpec> Plan(TransformerDecoderSpec spec) => Plan(spec.Identity, spec, HeadShapes.Of(spec));

    public static EncoderLayerPlan<BertModelSpec> Plan(BertModelSpec spec) => Stacked(spec.Identity, spec, spec.Stack);

    public static EncoderLayerPlan<VisionTransformerSpec> Plan(VisionTransformerSpec spec) => Stacked(spec.Identity, spec, spec.Stack);

    public static HeadLayerPlan<DanetPositionAttentionSpec> Plan(DanetPositionAttentionSpec spec) => Plan(spec.Identity, spec, HeadShapes.Of(spec));

    private static HeadLayerPlan<TSpec> Plan<TSpec>(LayerIdentity identity, TSpec spec, HeadShape shape)
        where TSpec : class =>
        new(identity, spec, shape, Kernels(shape));

    private static EncoderLayerPlan<TSpec> Stacked<TSpec>(LayerIdentity identity, TSpec spec, EncoderStackSpec stack)
        where TSpec : class
    {
        HeadShape shape = HeadShapes.Of(stack);
        return new(identity, spec, shape, Kernels(shape), EncoderWeightNames.Resolve(stack));
    }

    private static HeadKernelPlan Kernels(HeadShape shape) => HeadKernelPlanner.Plan(shape.DimHead, shape.ValueDimHead);
}
