namespace Attend.Generators.Model;

/// <summary>
/// The runtime's block enums as integer constants for the specs: the values come from the runtime's own enum files,
/// linked into the generator (<c>NormPlacement</c>, <c>FeedForwardActivation</c>, <c>TransformerWeightNaming</c>,
/// <c>PositionEncoding</c>, <c>Pooling</c>, <c>EmbeddingPooling</c>), so a change there cannot leave a copy behind.
/// </summary>
internal static class BlockOptions
{
    public const int NormDefault = (int)NormPlacement.Default, NormPost = (int)NormPlacement.Post, NormPre = (int)NormPlacement.Pre;

    public const int ActivationDefault = (int)FeedForwardActivation.Default, ActivationRelu = (int)FeedForwardActivation.Relu,
        ActivationGelu = (int)FeedForwardActivation.Gelu, ActivationGeluTanh = (int)FeedForwardActivation.GeluTanh;

    public const int NamingTorch = (int)TransformerWeightNaming.TorchEncoder, NamingVitPreNorm = (int)TransformerWeightNaming.VitPreNorm, NamingVit = (int)TransformerWeightNaming.Vit;

    /// <summary>Hugging Face <c>BertModel</c>'s encoder (<c>encoder.layer.{i}.…</c>); only <c>[BertModel]</c> uses it, so it is not in <see cref="NamingNames"/>.</summary>
    public const int NamingBert = NamingVit + 1;

    public const int PositionsNone = (int)PositionEncoding.None, PositionsSinusoidal = (int)PositionEncoding.Sinusoidal,
        PositionsLearned = (int)PositionEncoding.Learned, PositionsRotaryHalf = (int)PositionEncoding.RotaryHalf,
        PositionsRotaryInterleaved = (int)PositionEncoding.RotaryInterleaved, PositionsAlibi = (int)PositionEncoding.Alibi,
        PositionsRelative1D = (int)PositionEncoding.RelativeBias1D, PositionsRelative2D = (int)PositionEncoding.RelativeBias2D;

    public const int PoolingClassToken = (int)Pooling.ClassToken, PoolingMean = (int)Pooling.Mean;

    public static readonly string[] NormNames = Enum.GetNames(typeof(NormPlacement));

    public static readonly string[] ActivationNames = Enum.GetNames(typeof(FeedForwardActivation));

    public static readonly string[] NamingNames = Enum.GetNames(typeof(TransformerWeightNaming));

    public static readonly string[] PositionNames = Enum.GetNames(typeof(PositionEncoding));

    public static readonly string[] PoolingNames = Enum.GetNames(typeof(Pooling));

    /// <summary><c>WeightPrecision</c>'s members, in value order.</summary>
    public static readonly string[] WeightPrecisionNames = Enum.GetNames(typeof(WeightPrecision));

    public const int EmbeddingPoolingMean = (int)EmbeddingPooling.Mean, EmbeddingPoolingCls = (int)EmbeddingPooling.Cls,
        EmbeddingPoolingMax = (int)EmbeddingPooling.Max, EmbeddingPoolingPooler = (int)EmbeddingPooling.Pooler;

    public static readonly string[] EmbeddingPoolingNames = Enum.GetNames(typeof(EmbeddingPooling));

    /// <summary>A naming as the remarks name it, <see cref="NamingBert"/> included.</summary>
    public static string NamingDisplay(int naming) => naming == NamingBert ? "Hugging Face BertModel" : NamingNames[naming];
}
