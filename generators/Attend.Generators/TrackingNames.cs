namespace Attend.Generators;

/// <summary>Names of the incremental steps, so tests can assert each one is cached after an unrelated edit.</summary>
internal static class TrackingNames
{
    public const string MultiHeadAttentionParse = nameof(MultiHeadAttentionParse);
    public const string MultiHeadAttentionDiagnostics = nameof(MultiHeadAttentionDiagnostics);
    public const string MultiHeadAttentionSpecs = nameof(MultiHeadAttentionSpecs);
    public const string ScaledDotProductAttentionParse = nameof(ScaledDotProductAttentionParse);
    public const string ScaledDotProductAttentionDiagnostics = nameof(ScaledDotProductAttentionDiagnostics);
    public const string ScaledDotProductAttentionSpecs = nameof(ScaledDotProductAttentionSpecs);
    public const string TransformerEncoderParse = nameof(TransformerEncoderParse);
    public const string TransformerEncoderDiagnostics = nameof(TransformerEncoderDiagnostics);
    public const string TransformerEncoderSpecs = nameof(TransformerEncoderSpecs);
    public const string TransformerDecoderParse = nameof(TransformerDecoderParse);
    public const string TransformerDecoderDiagnostics = nameof(TransformerDecoderDiagnostics);
    public const string TransformerDecoderSpecs = nameof(TransformerDecoderSpecs);
    public const string BertModelParse = nameof(BertModelParse);
    public const string BertModelDiagnostics = nameof(BertModelDiagnostics);
    public const string BertModelSpecs = nameof(BertModelSpecs);
    public const string VisionTransformerParse = nameof(VisionTransformerParse);
    public const string VisionTransformerDiagnostics = nameof(VisionTransformerDiagnostics);
    public const string VisionTransformerSpecs = nameof(VisionTransformerSpecs);
    public const string SqueezeExcitationParse = nameof(SqueezeExcitationParse);
    public const string SqueezeExcitationDiagnostics = nameof(SqueezeExcitationDiagnostics);
    public const string SqueezeExcitationSpecs = nameof(SqueezeExcitationSpecs);
    public const string EfficientChannelAttentionParse = nameof(EfficientChannelAttentionParse);
    public const string EfficientChannelAttentionDiagnostics = nameof(EfficientChannelAttentionDiagnostics);
    public const string EfficientChannelAttentionSpecs = nameof(EfficientChannelAttentionSpecs);
    public const string BottleneckAttentionParse = nameof(BottleneckAttentionParse);
    public const string BottleneckAttentionDiagnostics = nameof(BottleneckAttentionDiagnostics);
    public const string BottleneckAttentionSpecs = nameof(BottleneckAttentionSpecs);

    public const string TripletAttentionParse = nameof(TripletAttentionParse);
    public const string TripletAttentionDiagnostics = nameof(TripletAttentionDiagnostics);
    public const string TripletAttentionSpecs = nameof(TripletAttentionSpecs);

    public const string SelectiveKernelAttentionParse = nameof(SelectiveKernelAttentionParse);
    public const string SelectiveKernelAttentionDiagnostics = nameof(SelectiveKernelAttentionDiagnostics);
    public const string SelectiveKernelAttentionSpecs = nameof(SelectiveKernelAttentionSpecs);

    public const string ConvBlockAttentionParse = nameof(ConvBlockAttentionParse);
    public const string ConvBlockAttentionDiagnostics = nameof(ConvBlockAttentionDiagnostics);
    public const string ConvBlockAttentionSpecs = nameof(ConvBlockAttentionSpecs);
    public const string ScoreAttentionParse = nameof(ScoreAttentionParse);
    public const string ScoreAttentionDiagnostics = nameof(ScoreAttentionDiagnostics);
    public const string ScoreAttentionSpecs = nameof(ScoreAttentionSpecs);
    public const string GraphAttentionParse = nameof(GraphAttentionParse);
    public const string GraphAttentionDiagnostics = nameof(GraphAttentionDiagnostics);
    public const string GraphAttentionSpecs = nameof(GraphAttentionSpecs);
    public const string MemoryHeadsParse = nameof(MemoryHeadsParse);
    public const string MemoryHeadsDiagnostics = nameof(MemoryHeadsDiagnostics);
    public const string MemoryHeadsSpecs = nameof(MemoryHeadsSpecs);
    public const string NadarayaWatsonParse = nameof(NadarayaWatsonParse);
    public const string NadarayaWatsonDiagnostics = nameof(NadarayaWatsonDiagnostics);
    public const string NadarayaWatsonSpecs = nameof(NadarayaWatsonSpecs);
    public const string AttentionPoolingParse = nameof(AttentionPoolingParse);
    public const string AttentionPoolingDiagnostics = nameof(AttentionPoolingDiagnostics);
    public const string AttentionPoolingSpecs = nameof(AttentionPoolingSpecs);
    public const string DanetPositionAttentionParse = nameof(DanetPositionAttentionParse);
    public const string DanetPositionAttentionDiagnostics = nameof(DanetPositionAttentionDiagnostics);
    public const string DanetPositionAttentionSpecs = nameof(DanetPositionAttentionSpecs);
    public const string DanetChannelAttentionParse = nameof(DanetChannelAttentionParse);
    public const string DanetChannelAttentionDiagnostics = nameof(DanetChannelAttentionDiagnostics);
    public const string DanetChannelAttentionSpecs = nameof(DanetChannelAttentionSpecs);
    public const string ConvolutionalSelfAttentionParse = nameof(ConvolutionalSelfAttentionParse);
    public const string ConvolutionalSelfAttentionDiagnostics = nameof(ConvolutionalSelfAttentionDiagnostics);
    public const string ConvolutionalSelfAttentionSpecs = nameof(ConvolutionalSelfAttentionSpecs);

    public const string SimAmParse = nameof(SimAmParse);
    public const string SimAmDiagnostics = nameof(SimAmDiagnostics);
    public const string SimAmSpecs = nameof(SimAmSpecs);
    public const string ShuffleAttentionParse = nameof(ShuffleAttentionParse);
    public const string ShuffleAttentionDiagnostics = nameof(ShuffleAttentionDiagnostics);
    public const string ShuffleAttentionSpecs = nameof(ShuffleAttentionSpecs);
    public const string CoordinateAttentionParse = nameof(CoordinateAttentionParse);
    public const string CoordinateAttentionDiagnostics = nameof(CoordinateAttentionDiagnostics);
    public const string CoordinateAttentionSpecs = nameof(CoordinateAttentionSpecs);
    public const string PolarizedSelfAttentionParse = nameof(PolarizedSelfAttentionParse);
    public const string PolarizedSelfAttentionDiagnostics = nameof(PolarizedSelfAttentionDiagnostics);
    public const string PolarizedSelfAttentionSpecs = nameof(PolarizedSelfAttentionSpecs);
    public const string ExternalAttentionParse = nameof(ExternalAttentionParse);
    public const string ExternalAttentionDiagnostics = nameof(ExternalAttentionDiagnostics);
    public const string ExternalAttentionSpecs = nameof(ExternalAttentionSpecs);
    public const string SeparableSelfAttentionParse = nameof(SeparableSelfAttentionParse);
    public const string SeparableSelfAttentionDiagnostics = nameof(SeparableSelfAttentionDiagnostics);
    public const string SeparableSelfAttentionSpecs = nameof(SeparableSelfAttentionSpecs);

    // Spec → plan, for the layer kinds that run on the head kernels.
    public const string MultiHeadAttentionPlan = nameof(MultiHeadAttentionPlan);
    public const string ScaledDotProductAttentionPlan = nameof(ScaledDotProductAttentionPlan);
    public const string TransformerEncoderPlan = nameof(TransformerEncoderPlan);
    public const string TransformerDecoderPlan = nameof(TransformerDecoderPlan);
    public const string BertModelPlan = nameof(BertModelPlan);
    public const string VisionTransformerPlan = nameof(VisionTransformerPlan);
    public const string DanetPositionAttentionPlan = nameof(DanetPositionAttentionPlan);

    // Spec → plan, for the layer kinds whose kernels are row loops of constant width.
    public const string GraphAttentionPlan = nameof(GraphAttentionPlan);
    public const string MemoryHeadsPlan = nameof(MemoryHeadsPlan);
    public const string NadarayaWatsonPlan = nameof(NadarayaWatsonPlan);
    public const string AttentionPoolingPlan = nameof(AttentionPoolingPlan);
    public const string ScoreAttentionPlan = nameof(ScoreAttentionPlan);

    // Spec → plan, for the channel-attention kinds whose MLP and convolution kernels are emitted per shape.
    public const string SqueezeExcitationPlan = nameof(SqueezeExcitationPlan);
    public const string EfficientChannelAttentionPlan = nameof(EfficientChannelAttentionPlan);
    public const string ConvBlockAttentionPlan = nameof(ConvBlockAttentionPlan);

    // Spec → plan, for the DANet channel and quadratic-position kinds (the sizes their code and remarks state).
    public const string DanetChannelAttentionPlan = nameof(DanetChannelAttentionPlan);
    public const string ConvolutionalSelfAttentionPlan = nameof(ConvolutionalSelfAttentionPlan);

    // Spec → plan, for feature-map kinds on runtime generics (the derived sizes their code and remarks state).
    public const string SelectiveKernelAttentionPlan = nameof(SelectiveKernelAttentionPlan);
    public const string ShuffleAttentionPlan = nameof(ShuffleAttentionPlan);
    public const string PolarizedSelfAttentionPlan = nameof(PolarizedSelfAttentionPlan);

    /// <summary>The distinct head shapes of every attention layer, each emitted once as a kernel struct.</summary>
    public const string HeadShapes = nameof(HeadShapes);

    /// <summary>Each distinct head shape's struct, planned (row and tile kernels).</summary>
    public const string HeadStructPlans = nameof(HeadStructPlans);

    /// <summary>
    /// The steps IncrementalTests checks (its declarations have no <c>[BertModel]</c>, so the BertModel steps are not listed).
    /// </summary>
    public static readonly string[] All =
    {
        HeadShapes, HeadStructPlans,
        MultiHeadAttentionPlan, ScaledDotProductAttentionPlan, TransformerEncoderPlan, TransformerDecoderPlan, VisionTransformerPlan, DanetPositionAttentionPlan,
        GraphAttentionPlan, MemoryHeadsPlan, NadarayaWatsonPlan, AttentionPoolingPlan, ScoreAttentionPlan,
        SqueezeExcitationPlan, EfficientChannelAttentionPlan, ConvBlockAttentionPlan, DanetChannelAttentionPlan, ConvolutionalSelfAttentionPlan,
        SelectiveKernelAttentionPlan, ShuffleAttentionPlan, PolarizedSelfAttentionPlan,
        MultiHeadAttentionParse, MultiHeadAttentionDiagnostics, MultiHeadAttentionSpecs,
        ScaledDotProductAttentionParse, ScaledDotProductAttentionDiagnostics, ScaledDotProductAttentionSpecs,
        TransformerEncoderParse, TransformerEncoderDiagnostics, TransformerEncoderSpecs,
        TransformerDecoderParse, TransformerDecoderDiagnostics, TransformerDecoderSpecs,
        VisionTransformerParse, VisionTransformerDiagnostics, VisionTransformerSpecs,
        SqueezeExcitationParse, SqueezeExcitationDiagnostics, SqueezeExcitationSpecs,
        EfficientChannelAttentionParse, EfficientChannelAttentionDiagnostics, EfficientChannelAttentionSpecs,
        ConvBlockAttentionParse, ConvBlockAttentionDiagnostics, ConvBlockAttentionSpecs,
        BottleneckAttentionParse, BottleneckAttentionDiagnostics, BottleneckAttentionSpecs,
        TripletAttentionParse, TripletAttentionDiagnostics, TripletAttentionSpecs,
        SelectiveKernelAttentionParse, SelectiveKernelAttentionDiagnostics, SelectiveKernelAttentionSpecs,
        ScoreAttentionParse, ScoreAttentionDiagnostics, ScoreAttentionSpecs,
        GraphAttentionParse, GraphAttentionDiagnostics, GraphAttentionSpecs,
        MemoryHeadsParse, MemoryHeadsDiagnostics, MemoryHeadsSpecs,
        NadarayaWatsonParse, NadarayaWatsonDiagnostics, NadarayaWatsonSpecs,
        AttentionPoolingParse, AttentionPoolingDiagnostics, AttentionPoolingSpecs,
        SimAmParse, SimAmDiagnostics, SimAmSpecs,
        ShuffleAttentionParse, ShuffleAttentionDiagnostics, ShuffleAttentionSpecs,
        CoordinateAttentionParse, CoordinateAttentionDiagnostics, CoordinateAttentionSpecs,
        PolarizedSelfAttentionParse, PolarizedSelfAttentionDiagnostics, PolarizedSelfAttentionSpecs,
        ExternalAttentionParse, ExternalAttentionDiagnostics, ExternalAttentionSpecs,
        SeparableSelfAttentionParse, SeparableSelfAttentionDiagnostics, SeparableSelfAttentionSpecs,
        DanetPositionAttentionParse, DanetPositionAttentionDiagnostics, DanetPositionAttentionSpecs,
        DanetChannelAttentionParse, DanetChannelAttentionDiagnostics, DanetChannelAttentionSpecs,
        ConvolutionalSelfAttentionParse, ConvolutionalSelfAttentionDiagnostics, ConvolutionalSelfAttentionSpecs,
    };
}
