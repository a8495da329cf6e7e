using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The emitted source of representative transformer blocks, pinned, and each compiled with no error or warning.</summary>
public sealed class BlockSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "Encoder_Torch_E15_H3_PostRelu", "namespace Demo; [Attend.TransformerEncoder(ModelDim = 15, Heads = 3, MlpDim = 23, Depth = 2)] public partial class TorchEncoder;" },
        { "Encoder_Causal_Gqa_RotaryHalf_Window", "namespace Demo; [Attend.TransformerEncoder(ModelDim = 64, Heads = 8, KvHeads = 2, MlpDim = 128, Depth = 4, Mask = Attend.AttentionMask.Causal, Norm = Attend.NormPlacement.Pre, Activation = Attend.FeedForwardActivation.GeluTanh, Positions = Attend.PositionEncoding.RotaryHalf, Window = 32, FinalNorm = true)] public sealed partial class TinyLlama;" },
        { "Encoder_Vit_RelativeBias2D", "namespace Demo; [Attend.TransformerEncoder(ModelDim = 32, Heads = 4, DimHead = 16, MlpDim = 64, Depth = 2, WeightNaming = Attend.TransformerWeightNaming.Vit, Positions = Attend.PositionEncoding.RelativeBias2D, GridHeight = 4, GridWidth = 4)] internal partial class GridEncoder;" },
        { "Decoder_E16_H4_Causal_PreNorm", "namespace Demo; [Attend.TransformerDecoder(ModelDim = 16, Heads = 4, MlpDim = 24, Depth = 2, Mask = Attend.AttentionMask.Causal | Attend.AttentionMask.KeyPadding, Norm = Attend.NormPlacement.Pre, FinalNorm = true, WeightPrecision = Attend.WeightPrecision.Int8)] public partial class Decoder;" },
        { "Vit_Digits_Current", "namespace Demo; [Attend.VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 1, Classes = 10, ModelDim = 32, Depth = 2, Heads = 4, DimHead = 8, MlpDim = 64)] public sealed partial class DigitsVit;" },
        { "Vit_PreNorm_Mean", "namespace Demo; [Attend.VisionTransformer(ImageSize = 32, PatchSize = 4, Classes = 100, ModelDim = 64, Depth = 3, Heads = 4, MlpDim = 128, Pooling = Attend.Pooling.Mean, WeightNaming = Attend.TransformerWeightNaming.VitPreNorm)] public partial class CifarVit;" },
        { "Bert_MiniLM_Mean_Normalized", "namespace Demo; [Attend.BertModel(VocabSize = 30522, ModelDim = 384, Heads = 12, MlpDim = 1536, Depth = 6, NormalizeEmbeddings = true)] public partial class MiniLM;" },
        { "Bert_E96_H6_Pooler_GeluTanh", "namespace Demo; [Attend.BertModel(VocabSize = 200, ModelDim = 96, Heads = 6, MlpDim = 192, Depth = 3, MaxPositions = 32, TypeVocabSize = 1, LayerNormEpsilon = 1e-5f, Activation = Attend.FeedForwardActivation.GeluTanh, Pooling = Attend.EmbeddingPooling.Pooler, WeightPrecision = Attend.WeightPrecision.BFloat16)] internal sealed partial class SmallBert;" },
        { "Mha_E64_H4_Causal_Int8", "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 64, Heads = 4, Mask = Attend.AttentionMask.Causal, WeightPrecision = Attend.WeightPrecision.Int8)] public partial class CompactAttention;" },
        { "Mha_Gqa_Window", "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 64, Heads = 8, KvHeads = 2, Mask = Attend.AttentionMask.Causal, Window = 16)] public partial class SlidingWindowAttention;" },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_matches_snapshot(string name, string declaration)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(declaration);

        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Exception);
        GeneratedSourceResult generated = Assert.Single(GeneratorHarness.LayerSources(result));
        Snapshot.Match(name, generated.SourceText.ToString());
        Snapshot.MatchKernels(result);
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_compiles_without_errors_or_warnings(string name, string declaration)
    {
        (_, Compilation output) = GeneratorHarness.Run(declaration);

        Assert.True(GeneratorHarness.LayerTreeCount(output) == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }
}
