namespace Attend.Generators.Model;

/// <summary>
/// The runtime's block enums as the generator sees them (it cannot reference the runtime assembly): the integer
/// values must match <c>Attend.NormPlacement</c>, <c>FeedForwardActivation</c>, <c>TransformerWeightNaming</c>,
/// <c>PositionEncoding</c> and <c>Pooling</c>.
/// </summary>
internal static class BlockOptions
{
    public const int NormDefault = 0, NormPost = 1, NormPre = 2;

    public const int ActivationDefault = 0, ActivationRelu = 1, ActivationGelu = 2, ActivationGeluTanh = 3;

    public const int NamingTorch = 0, NamingVitPreNorm = 1, NamingVit = 2;

    /// <summary>Hugging Face <c>BertModel</c>'s encoder (<c>encoder.layer.{i}.…</c>); only <c>[BertModel]</c> uses it, so it is not in <see cref="NamingNames"/>.</summary>
    public const int NamingBert = 3;

    public const int PositionsNone = 0, PositionsSinusoidal = 1, PositionsLearned = 2, PositionsRotaryHalf = 3,
        PositionsRotaryInterleaved = 4, PositionsAlibi = 5, PositionsRelative1D = 6, PositionsRelative2D = 7;

    public const int PoolingClassToken = 0, PoolingMean = 1;

    public static readonly string[] NormNames = { "Default", "Post", "Pre" };

    public static readonly string[] ActivationNames = { "Default", "Relu", "Gelu", "GeluTanh" };

    public static readonly string[] NamingNames = { "TorchEncoder", "VitPreNorm", "Vit" };

    public static readonly string[] PositionNames = { "None", "Sinusoidal", "Learned", "RotaryHalf", "RotaryInterleaved", "Alibi", "RelativeBias1D", "RelativeBias2D" };

    public static readonly string[] PoolingNames = { "ClassToken", "Mean" };

    /// <summary><c>Attend.WeightPrecision</c>'s members, in value order.</summary>
    public static readonly string[] WeightPrecisionNames = { "Float32", "BFloat16", "Int8" };

    public const int EmbeddingPoolingMean = 0, EmbeddingPoolingCls = 1, EmbeddingPoolingMax = 2, EmbeddingPoolingPooler = 3;

    public static readonly string[] EmbeddingPoolingNames = { "Mean", "Cls", "Max", "Pooler" };

    /// <summary>A naming as the remarks name it, <see cref="NamingBert"/> included.</summary>
    public static string NamingDisplay(int naming) => naming == NamingBert ? "Hugging Face BertModel" : NamingNames[naming];
}
