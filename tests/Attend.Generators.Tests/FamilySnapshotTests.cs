using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// Channel/spatial attention (SE, ECA, CBAM, the External-Attention modules, DANet, convolutional self-attention) and score attention: the emitted source for representative declarations,
/// pinned, and each compiled with no error or warning.
/// </summary>
public sealed class FamilySnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        // Fixture shapes: C = 32 (Vector512 2 registers, Vector256 4), hidden 8 (Vector512 and Vector256 share one method).
        { "Se_C32_R4", "namespace Demo; [Attend.SqueezeExcitation(Channels = 32, Reduction = 4)] public partial class SmallSe;" },
        // C = 256 on Vector128 is 64 registers: the MLP's row loop runs blocks of four accumulators; both poolings; hardsigmoid.
        { "Se_C256_S64_Both_HardSigmoid", "namespace Demo; [Attend.SqueezeExcitation(Channels = 256, SqueezeChannels = 64, Pooling = Attend.ChannelPooling.Both, Gate = Attend.GateActivation.HardSigmoid)] public partial class MobileSe;" },
        { "Eca_C32_Adaptive", "namespace Demo; [Attend.EfficientChannelAttention(Channels = 32)] public partial class Eca;" },
        // 21 channels: full registers, then a narrower one, then scalars at fixed offsets.
        { "Eca_C21_K5", "[Attend.EfficientChannelAttention(Channels = 21, KernelSize = 5)] internal partial class OddEca;" },
        { "Cbam_C32_R4", "namespace Demo; [Attend.ConvBlockAttention(Channels = 32, Reduction = 4)] public partial class Cbam;" },
        // The External-Attention layers: thin classes over runtime kernels, BatchNorm folded at load.
        { "Bam_C32_R16_D2", "namespace Demo; [Attend.BottleneckAttention(Channels = 32, Reduction = 16, DilationValue = 2)] public partial class Bam;" },
        { "Triplet_C64_NoSpatial", "namespace Demo.Vision { public partial class Net { [Attend.TripletAttention(Channels = 64, NoSpatial = true)] internal sealed partial class Triplet; } }" },
        { "Sk_C64_K35_G4", "[Attend.SelectiveKernelAttention(Channels = 64, KernelSizes = new[] { 3, 5 }, Groups = 4, Reduction = 8, MinHiddenChannels = 4)] internal partial class Sk;" },
        // SimAM, Shuffle, CoordAtt, PSA, External Attention, MobileViTv2: element-wise passes and GEMMs over runtime kernels.
        { "SimAm_C8_Lambda0p1", "namespace Demo; [Attend.SimAm(Channels = 8, Lambda = 0.1f)] public partial class Simam;" },
        { "Shuffle_C32_G4", "namespace Demo; [Attend.ShuffleAttention(Channels = 32, Groups = 4)] public partial class Shuffle;" },
        { "CoordAtt_C40_R4", "namespace Demo; [Attend.CoordinateAttention(Channels = 40, Reduction = 4)] public partial class CoordAtt;" },
        { "Psa_C16_Parallel", "namespace Demo; [Attend.PolarizedSelfAttention(Channels = 16)] public partial class ParallelPsa;" },
        { "Psa_C16_Sequential", "namespace Demo.Vision { public partial class Net { [Attend.PolarizedSelfAttention(Channels = 16, Layout = Attend.PolarizedLayout.Sequential)] internal sealed partial class SequentialPsa; } }" },
        { "ExternalAttention_D15_S8", "namespace Demo; [Attend.ExternalAttention(ModelDim = 15, MemoryUnits = 8)] public partial class External;" },
        { "Separable_D15_Relu", "namespace Demo; [Attend.SeparableSelfAttention(ModelDim = 15, ValueRelu = true)] public partial class MobileVit;" },
        // Collection head: 3×3 cnn, one head of width 64 (Vector512 4 registers), packed fc_q/k/v and fc_o.
        { "DanetPosition_C64", "namespace Demo; [Attend.DanetPositionAttention(Channels = 64)] public partial class Pam;" },
        // The authors' PAM: queries and keys of C / 8 = 8 floats, values of 64, gamma residual.
        { "DanetPosition_Official_C64", "namespace Demo; [Attend.DanetPositionAttention(Channels = 64, Variant = Attend.DanetVariant.Official)] public partial class PamOfficial;" },
        { "DanetChannel_C64_H7_W7", "namespace Demo; [Attend.DanetChannelAttention(Channels = 64, Height = 7, Width = 7)] public partial class Cam;" },
        { "DanetChannel_Official_C16", "namespace Demo.Seg { public partial class Head { [Attend.DanetChannelAttention(Channels = 16, Variant = Attend.DanetVariant.Official)] internal sealed partial class CamOfficial; } }" },
        { "ConvolutionalSelfAttention_K3", "namespace Demo; [Attend.ConvolutionalSelfAttention(InChannels = 16, OutChannels = 24, KernelSize = 3)] public partial class AttnConv;" },
        { "ConvolutionalSelfAttention_K5_D3", "[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 5, HeadDim = 3)] internal partial class NarrowAttnConv;" },
        { "Cbam_C12_H3_K3", "namespace Demo.Vision { public partial class Net { [Attend.ConvBlockAttention(Channels = 12, HiddenChannels = 3, SpatialKernelSize = 3)] internal sealed partial class SmallCbam; } }" },
        { "Attention_Additive_Q5_K6_V4_H6", "namespace Demo; [Attend.Attention(Score = Attend.AttentionScore.Additive, QuerySize = 5, KeySize = 6, ValueSize = 4, Hidden = 6)] public partial class Bahdanau;" },
        { "Attention_General_Q64_K48_V64", "namespace Demo; [Attend.Attention(Score = Attend.AttentionScore.General, QuerySize = 64, KeySize = 48, ValueSize = 64)] public partial class LuongGeneral;" },
        { "Attention_Dot_D5_V4", "namespace Demo; [Attend.Attention(QuerySize = 5, ValueSize = 4)] public partial class LuongDot;" },
        { "Attention_Cosine_D64", "namespace Demo; [Attend.Attention(Score = Attend.AttentionScore.Cosine, QuerySize = 64)] public partial class CosineAttention;" },
        { "Attention_ScaledDot_Hard_LocalM", "namespace Demo; [Attend.Attention(Score = Attend.AttentionScore.ScaledDot, QuerySize = 16, ValueSize = 8, Selection = Attend.AttentionSelection.Hard, Local = Attend.LocalAttention.Monotonic, Window = 2)] public partial class HardLocal;" },
        { "Attention_Mlp_TopK_LocalP", "namespace Demo; [Attend.Attention(Score = Attend.AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 20, Selection = Attend.AttentionSelection.TopK, TopK = 3, Local = Attend.LocalAttention.Predictive, Window = 4, PositionHidden = 7)] public partial class MlpLocalP;" },
        // 600 value features on Vector128 is 150 registers: column blocks of eight accumulators in a loop.
        { "Attention_Dot_D300_V600", "namespace Demo; [Attend.Attention(QuerySize = 300, ValueSize = 600)] public partial class WideDot;" },
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

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_doc_comments_are_well_formed(string name, string declaration)
    {
        // A project that builds its documentation file turns malformed XML in a doc comment (an unescaped
        // Vector256<float>) into a warning; the generated source must not cause one there either.
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        Compilation output;
        GeneratorHarness.CreateDriver(options).RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(options, declaration), out output, out _);

        Assert.True(GeneratorHarness.LayerTreeCount(output) == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree != output.SyntaxTrees.First()).Select(d => d.ToString()));
    }

    [Fact]
    public void Selective_kernel_defaults_are_the_modules()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("[Attend.SelectiveKernelAttention(Channels = 64)] public partial class Sk;");
        string source = Assert.Single(GeneratorHarness.LayerSources(result)).SourceText.ToString();
        Assert.Contains("KernelSizes => new int[] { 1, 3, 5, 7 };", source);
        Assert.Contains("public const int HiddenChannels = 32;", source); // max(L = 32, 64 / 16)
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 3)]
    [InlineData(32, 3)]
    [InlineData(64, 3)]
    [InlineData(128, 5)]
    [InlineData(256, 5)]
    [InlineData(512, 5)]
    [InlineData(1024, 5)]
    [InlineData(2048, 7)]
    [InlineData(100, 3)]
    public void Eca_adaptive_kernel_follows_the_paper(int channels, int expected)
    {
        // t = int(|(log2 C + 1) / 2|), k = t if odd else t + 1; 8 channels give t = 2 exactly, the case a
        // log that lands just below 3 would get wrong.
        Assert.Equal(expected, Attend.Generators.Planning.EcaKernelRule.AdaptiveKernelSize(channels));
    }
}
