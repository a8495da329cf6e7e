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

    public static readonly string[] All =
    {
        MultiHeadAttentionParse, MultiHeadAttentionDiagnostics, MultiHeadAttentionSpecs,
        ScaledDotProductAttentionParse, ScaledDotProductAttentionDiagnostics, ScaledDotProductAttentionSpecs,
    };
}
