namespace Attend.Generators.Planning;

/// <summary>
/// The head shape of each layer kind that runs attention through a head kernel struct: what the pipeline collects to
/// emit each struct once, and what the layer's emitter names. One place, so the two can never disagree.
/// </summary>
internal static class HeadShapes
{
    public static HeadShape Of(MultiHeadAttentionSpec spec) => new(spec.DimHead, spec.DimHead);

    public static HeadShape Of(ScaledDotProductAttentionSpec spec) => new(spec.DimHead, spec.ValueDimHead);

    public static HeadShape Of(EncoderStackSpec stack) => new(stack.DimHead, stack.DimHead);

    public static HeadShape Of(TransformerEncoderSpec spec) => Of(spec.Stack);

    public static HeadShape Of(TransformerDecoderSpec spec) => new(spec.DimHead, spec.DimHead);

    public static HeadShape Of(VisionTransformerSpec spec) => Of(spec.Stack);

    public static HeadShape Of(BertModelSpec spec) => Of(spec.Stack);

    /// <summary>Queries and keys of <c>QueryKeyChannels</c>, values of all channels.</summary>
    public static HeadShape Of(DanetPositionAttentionSpec spec) => new(spec.QueryKeyChannels, spec.Channels);
}
