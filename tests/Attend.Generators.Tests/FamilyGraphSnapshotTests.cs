using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Emitted source for graph attention, memory heads and attention pooling declarations, pinned and compiled with no error or warning.</summary>
public sealed class FamilyGraphSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "Gat_In5_F3_H2_Concat", "namespace Demo; [Attend.GraphAttention(InFeatures = 5, OutFeatures = 3, Heads = 2)] public partial class SmallGat;" },
        { "Gat_In64_F16_H4_Mean_Bias_NoLoops", "namespace Demo; [Attend.GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4, Combine = Attend.GraphHeadCombine.Mean, Bias = true, AddSelfLoops = false)] internal partial class OutputGat;" },
        { "GatV2_In34_F20_H2", "namespace Demo; [Attend.GraphAttention(InFeatures = 34, OutFeatures = 20, Heads = 2, Scoring = Attend.GraphAttentionScoring.GatV2)] public partial class DynamicGat;" },
        { "GatV2_F8_SlopeAboveOne", "[Attend.GraphAttention(InFeatures = 8, OutFeatures = 8, Scoring = Attend.GraphAttentionScoring.GatV2, NegativeSlope = 1.5f)] partial class SteepGat;" },
        { "Ntm_N128_W20_R1", "namespace Demo; [Attend.MemoryHeads(MemoryRows = 128, MemoryWidth = 20)] public partial class TuringHeads;" },
        { "Ntm_N7_W5_R0", "namespace Demo { public static partial class Models { [Attend.MemoryHeads(MemoryRows = 7, MemoryWidth = 5, ShiftRadius = 0, Epsilon = 1e-6f)] public sealed partial class NoShift { } } }" },
        { "NadarayaWatson_NonParametric", "namespace Demo; [Attend.NadarayaWatson] public partial class KernelRegression;" },
        { "NadarayaWatson_Learnable", "namespace Demo; [Attend.NadarayaWatson(LearnableWidth = true)] public partial class LearnedKernelRegression;" },
        { "NadarayaWatson_D3_Dv10_Bandwidth", "namespace Demo; [Attend.NadarayaWatson(Dim = 3, ValueDim = 10, Bandwidth = 0.5f)] public partial class WideKernelRegression;" },
        { "AttentionPooling_F64_A32", "namespace Demo; [Attend.AttentionPooling(Features = 64, HiddenDim = 32)] public partial class WordAttention;" },
        { "AttentionPooling_LearnedQuery_F20", "namespace Demo; [Attend.AttentionPooling(Features = 20, Score = Attend.PoolingScore.LearnedQuery)] public partial class QueryPooling;" },
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
