using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The diagnostics of the graph attention, memory head and attention pooling attributes (ATTEND020–026), and the shared ones they report.</summary>
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Attend.GraphAttention(InFeatures = 0, OutFeatures = 4)]", "InFeatures is 0")]
    [InlineData("[Attend.GraphAttention(InFeatures = 8)]", "OutFeatures is 0")]
    [InlineData("[Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, Heads = 0)]", "Heads is 0")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = -2, MemoryWidth = 4)]", "MemoryRows is -2")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = 8)]", "MemoryWidth is 0")]
    [InlineData("[Attend.NadarayaWatson(Dim = 0)]", "Dim is 0")]
    [InlineData("[Attend.NadarayaWatson(ValueDim = -1)]", "ValueDim is -1")]
    [InlineData("[Attend.AttentionPooling(HiddenDim = 8)]", "Features is 0")]
    [InlineData("[Attend.AttentionPooling(Features = 8)]", "HiddenDim is 0")]
    public void ATTEND004_graph_memory_pooling_sizes_not_positive(string attribute, string expected)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND004");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("positive integer", d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.GraphAttention(InFeatures = 8, OutFeatures = 600)]", "OutFeatures 600")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = 8, MemoryWidth = 513)]", "MemoryWidth 513")]
    [InlineData("[Attend.AttentionPooling(Features = 1024, HiddenDim = 8)]", "Features 1024")]
    public void ATTEND008_graph_memory_pooling_wide_rows_warn_and_still_generate(string attribute, string expected)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(attribute + " public partial class Layer;");
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND008", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains(expected, d.GetMessage());
        Assert.Single(GeneratorHarness.LayerSources(result));
    }

    [Theory]
    [InlineData("float.NaN", "NaN")]
    [InlineData("float.PositiveInfinity", "Infinity")]
    public void ATTEND020_negative_slope_not_finite(string slope, string shown)
    {
        string source = $"[Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, NegativeSlope = {slope})] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND020");
        Assert.Contains($"NegativeSlope {shown}", d.GetMessage());
        Assert.Contains("such as 0.2", d.GetMessage());
        Assert.StartsWith("NegativeSlope", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, Combine = (Attend.GraphHeadCombine)5)]", "Combine = 5", "GraphHeadCombine.Concat, GraphHeadCombine.Mean")]
    [InlineData("[Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, Scoring = (Attend.GraphAttentionScoring)(-1))]", "Scoring = -1", "GraphAttentionScoring.Gat, GraphAttentionScoring.GatV2")]
    [InlineData("[Attend.AttentionPooling(Features = 8, Score = (Attend.PoolingScore)2)]", "Score = 2", "PoolingScore.Additive, PoolingScore.LearnedQuery")]
    public void ATTEND032_undefined_graph_and_pooling_option_value(string attribute, string expected, string fix)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND032");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("use one of " + fix, d.GetMessage());
        Assert.StartsWith(expected.Split(' ')[0], SourceAt(source, d));
    }

    [Theory]
    [InlineData(3, "ShiftRadius 3")]
    [InlineData(-1, "ShiftRadius -1")]
    public void ATTEND022_shift_radius_out_of_range(int radius, string expected)
    {
        string source = $"[Attend.MemoryHeads(MemoryRows = 5, MemoryWidth = 4, ShiftRadius = {radius})] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND022");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("must lie in 0..2", d.GetMessage());
        Assert.StartsWith("ShiftRadius", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.MemoryHeads(MemoryRows = 8, MemoryWidth = 4, Epsilon = 0f)]", "Epsilon 0", "such as 1e-8")]
    [InlineData("[Attend.NadarayaWatson(Bandwidth = -1f)]", "Bandwidth -1", "standard deviation")]
    [InlineData("[Attend.NadarayaWatson(Bandwidth = float.NaN)]", "Bandwidth NaN", "standard deviation")]
    public void ATTEND023_not_positive_finite(string attribute, string expected, string fix)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND023");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(fix, d.GetMessage());
    }

    [Fact]
    public void ATTEND024_bandwidth_with_learnable_width()
    {
        const string source = "[Attend.NadarayaWatson(LearnableWidth = true, Bandwidth = 2f)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND024");
        Assert.Contains("remove Bandwidth or set LearnableWidth = false", d.GetMessage());
        Assert.StartsWith("Bandwidth", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND025_hidden_dim_with_learned_query()
    {
        const string source = "[Attend.AttentionPooling(Features = 8, HiddenDim = 4, Score = Attend.PoolingScore.LearnedQuery)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND025");
        Assert.Contains("HiddenDim 4", d.GetMessage());
        Assert.Contains("remove HiddenDim or use Score = Additive", d.GetMessage());
        Assert.StartsWith("HiddenDim", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.GraphAttention(InFeatures = 65536, OutFeatures = 4096, Heads = 16)]", "W.weight", "InFeatures, Heads or OutFeatures")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = 100000, MemoryWidth = 100000)]", "The memory", "MemoryRows or MemoryWidth")]
    [InlineData("[Attend.AttentionPooling(Features = 50000, HiddenDim = 50000)]", "proj.weight", "Features or HiddenDim")]
    public void ATTEND026_layer_does_not_fit_in_one_array(string attribute, string what, string reduce)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(attribute + " public partial class Layer;");
        Diagnostic d = Assert.Single(result.Diagnostics, x => x.Id == "ATTEND026");
        Assert.StartsWith(what, d.GetMessage());
        Assert.Contains("reduce " + reduce, d.GetMessage());
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void ATTEND027_argument_that_only_generated_code_defines()
    {
        const string source = "namespace Demo; [Attend.GraphAttention(InFeatures = 4, OutFeatures = 8, Heads = 4)] public partial class First; " +
            "[Attend.GraphAttention(InFeatures = First.OutputWidth, OutFeatures = 2)] public partial class Second;";
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND027", d.Id);
        Assert.Contains("InFeatures on 'Second'", d.GetMessage());
        Assert.Contains("write the number itself", d.GetMessage());
        Assert.StartsWith("InFeatures", SourceAt(source, d));
        Assert.DoesNotContain(d.GetMessage(), "is 0");
        Assert.Single(GeneratorHarness.LayerSources(result)); // First is generated; Second waits for a number
        Assert.NotNull(output);
    }
}
