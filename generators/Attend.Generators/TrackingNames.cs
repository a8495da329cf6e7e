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
    public const string VisionTransformerParse = nameof(VisionTransformerParse);
    public const string VisionTransformerDiagnostics = nameof(VisionTransformerDiagnostics);
    public const string VisionTransformerSpecs = nameof(VisionTransformerSpecs);

    public static readonly string[] All =
    {
        MultiHeadAttentionParse, MultiHeadAttentionDiagnostics, MultiHeadAttentionSpecs,
        ScaledDotProductAttentionParse, ScaledDotProductAttentionDiagnostics, ScaledDotProductAttentionSpecs,
        TransformerEncoderParse, TransformerEncoderDiagnostics, TransformerEncoderSpecs,
        TransformerDecoderParse, TransformerDecoderDiagnostics, TransformerDecoderSpecs,
        VisionTransformerParse, VisionTransformerDiagnostics, VisionTransformerSpecs,
    };
}
