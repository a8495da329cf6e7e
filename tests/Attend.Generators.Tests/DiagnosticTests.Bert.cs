using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary><c>[BertModel]</c>'s diagnostics: its own sizes and options, and the stack rules it shares with every block.</summary>
public sealed partial class DiagnosticTests
{
    private const string Bert = "Attend.BertModel(VocabSize = 100, ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1";

    [Theory]
    [InlineData("VocabSize = 0, ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1", "VocabSize = 0")]
    [InlineData("VocabSize = 100, ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, MaxPositions = -4", "MaxPositions = -4")]
    [InlineData("VocabSize = 100, ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, TypeVocabSize = -1", "TypeVocabSize = -1")]
    public void ATTEND004_bert_sizes_must_be_positive(string arguments, string squiggled)
    {
        string source = $"[Attend.BertModel({arguments})] public partial class Model;";
        Diagnostic d = Single(source, "ATTEND004");
        Assert.Contains(squiggled.Split(' ')[0], d.GetMessage());
        Assert.Equal(squiggled, SourceAt(source, d));
    }

    [Fact]
    public void ATTEND032_bert_pooling_out_of_range_lists_the_values()
    {
        string source = $"[{Bert}, Pooling = (Attend.EmbeddingPooling)9)] public partial class Model;";
        Diagnostic d = Single(source, "ATTEND032");
        Assert.Contains("Pooling = 9", d.GetMessage());
        Assert.Contains("EmbeddingPooling.Pooler", d.GetMessage());
    }

    [Fact]
    public void ATTEND032_bert_and_decoder_weight_precision_out_of_range()
    {
        Diagnostic bert = Single($"[{Bert}, WeightPrecision = (Attend.WeightPrecision)5)] public partial class Model;", "ATTEND032");
        Assert.Contains("WeightPrecision = 5", bert.GetMessage());
        Diagnostic decoder = Single("[Attend.TransformerDecoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, WeightPrecision = (Attend.WeightPrecision)(-1))] public partial class Model;", "ATTEND032");
        Assert.Contains("WeightPrecision.BFloat16", decoder.GetMessage());
    }

    [Fact]
    public void ATTEND032_multi_head_attention_weight_precision_out_of_range()
    {
        Diagnostic d = Single("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, WeightPrecision = (Attend.WeightPrecision)4)] public partial class Model;", "ATTEND032");
        Assert.Contains("WeightPrecision = 4", d.GetMessage());
        Assert.Contains("WeightPrecision.Int8ByteActivations", d.GetMessage());
    }

    [Fact]
    public void ATTEND005_bert_gets_the_same_suggestion_as_multi_head_attention()
    {
        Diagnostic bert = Single("[Attend.BertModel(VocabSize = 100, ModelDim = 513, Heads = 8, MlpDim = 16, Depth = 1)] public partial class Model;", "ATTEND005");
        Diagnostic encoder = Single("[Attend.TransformerEncoder(ModelDim = 513, Heads = 8, MlpDim = 16, Depth = 1)] public partial class Model;", "ATTEND005");
        Assert.Equal(encoder.GetMessage(), bert.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.BertModel(VocabSize = 100, ModelDim = 8192, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 8192, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8192, Heads = 1)] public partial class Model;")]
    [InlineData("[Attend.TransformerDecoder(ModelDim = 8192, Heads = 1, MlpDim = 16, Depth = 1)] public partial class Model;")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 1, DimHead = 8192)] public partial class Model;")]
    public void ATTEND050_a_head_too_wide_to_unroll_is_an_error_on_every_kind(string source)
    {
        Diagnostic d = Single(source, "ATTEND050");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("8192", d.GetMessage());
    }

    [Fact]
    public void ATTEND012_a_vocabulary_too_large_for_one_array()
    {
        string source = "[Attend.BertModel(VocabSize = 2000000000, ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1)] public partial class Model;";
        Diagnostic d = Single(source, "ATTEND012");
        Assert.Contains("VocabSize × ModelDim", d.GetMessage());
        Assert.Equal("VocabSize = 2000000000", SourceAt(source, d));
    }
}
