using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The emitted source for representative declarations, pinned, and each compiled with no error or warning.</summary>
public sealed class SnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "Mha_E15_H3", "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 15, Heads = 3)] public partial class SmallAttention;" },
        { "Mha_E512_H8_Causal", "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 512, Heads = 8, Mask = Attend.AttentionMask.Causal)] public partial class DecoderSelfAttention;" },
        { "Mha_KeyValueDims_NoBias_KeyPadding", "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 32, Heads = 4, KeyDim = 20, ValueDim = 12, Bias = false, Mask = Attend.AttentionMask.KeyPadding | Attend.AttentionMask.Causal, Scale = 0.5f)] internal partial class CrossAttention;" },
        { "Sdpa_Gqa_H9_Kv3_D8_Dv10", "namespace Demo.Onnx { public static partial class Layers { [Attend.ScaledDotProductAttention(Heads = 9, KvHeads = 3, DimHead = 8, ValueDimHead = 10)] public sealed partial class GroupedAttention { } } }" },
        { "Sdpa_D17_GlobalNamespace", "[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 17)] partial class OddHead;" },
        { "Sdpa_D160_ReloadsQuery", "namespace Demo; [Attend.ScaledDotProductAttention(Heads = 1, DimHead = 160, ValueDimHead = 160)] public partial class WideHead;" },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_matches_snapshot(string name, string declaration)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(declaration);

        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Exception);
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        Snapshot.Match(name, generated.SourceText.ToString());
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_compiles_without_errors_or_warnings(string name, string declaration)
    {
        (_, Compilation output) = GeneratorHarness.Run(declaration);

        Assert.True(output.SyntaxTrees.Count() == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }
}
