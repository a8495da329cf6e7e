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

    public static readonly string[] All =
    {
        MultiHeadAttentionParse, MultiHeadAttentionDiagnostics, MultiHeadAttentionSpecs,
        ScaledDotProductAttentionParse, ScaledDotProductAttentionDiagnostics, ScaledDotProductAttentionSpecs,
        GraphAttentionParse, GraphAttentionDiagnostics, GraphAttentionSpecs,
        MemoryHeadsParse, MemoryHeadsDiagnostics, MemoryHeadsSpecs,
        NadarayaWatsonParse, NadarayaWatsonDiagnostics, NadarayaWatsonSpecs,
        AttentionPoolingParse, AttentionPoolingDiagnostics, AttentionPoolingSpecs,
    };
}
