using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// The head rules every attention kind shares (Parsing/HeadRules): the same declaration numbers give the same diagnostic,
/// with the same suggestion, whatever the attribute.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void ATTEND005_every_kind_suggests_the_same_nearest_ModelDim()
    {
        string[] sources =
        [
            "[Attend.MultiHeadAttention(ModelDim = 513, Heads = 8)] public partial class Model;",
            "[Attend.TransformerEncoder(ModelDim = 513, Heads = 8, MlpDim = 16, Depth = 1)] public partial class Model;",
            "[Attend.TransformerDecoder(ModelDim = 513, Heads = 8, MlpDim = 16, Depth = 1)] public partial class Model;",
            "[Attend.BertModel(VocabSize = 100, ModelDim = 513, Heads = 8, MlpDim = 16, Depth = 1)] public partial class Model;",
        ];

        string[] messages = sources.Select(source => Single(source, "ATTEND005").GetMessage()).ToArray();

        Assert.All(messages, message => Assert.Contains("e.g. 512", message));
        Assert.Single(messages.Distinct());
    }

    [Fact]
    public void ATTEND050_on_a_derived_head_width_says_the_same_on_every_kind()
    {
        string mha = Single("[Attend.MultiHeadAttention(ModelDim = 8192, Heads = 1)] public partial class Model;", "ATTEND050").GetMessage();
        string encoder = Single("[Attend.TransformerEncoder(ModelDim = 8192, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;", "ATTEND050").GetMessage();
        string decoder = Single("[Attend.TransformerDecoder(ModelDim = 8192, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;", "ATTEND050").GetMessage();

        Assert.Contains("raise Heads", mha);
        Assert.Equal(mha, encoder);
        Assert.Equal(mha, decoder);
    }

    [Fact]
    public void ATTEND008_a_wide_decoder_head_warns_on_ModelDim_and_still_generates()
    {
        const string source = "[Attend.TransformerDecoder(ModelDim = 1024, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;";
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND008", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("ModelDim = 1024", SourceAt(source, d));
        Assert.Single(GeneratorHarness.LayerSources(result));
    }

    [Theory]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, Mask = (Attend.AttentionMask)4)] public partial class Model;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, Mask = (Attend.AttentionMask)4)] public partial class Model;")]
    [InlineData("[Attend.TransformerDecoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, Mask = (Attend.AttentionMask)4)] public partial class Model;")]
    public void ATTEND007_an_unknown_mask_flag_is_an_error_on_every_kind(string source)
    {
        Diagnostic d = Single(source, "ATTEND007");
        Assert.Equal("Mask = (Attend.AttentionMask)4", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 24, Heads = 6, KvHeads = 4)] public partial class Model;")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 6, KvHeads = 4, DimHead = 4)] public partial class Model;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 24, Heads = 6, KvHeads = 4, MlpDim = 16, Depth = 1, WeightNaming = Attend.TransformerWeightNaming.Vit)] public partial class Model;")]
    public void ATTEND006_every_kind_suggests_the_largest_divisor_of_Heads_below_KvHeads(string source)
    {
        Diagnostic d = Single(source, "ATTEND006");
        Assert.EndsWith("e.g. 3)", d.GetMessage());
    }
}
