using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Diagnostics of the External-Attention declarations SimAm, ShuffleAttention, CoordinateAttention, PolarizedSelfAttention, ExternalAttention and SeparableSelfAttention (ATTEND060, ATTEND061 and the shared rules they reuse).</summary>
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Attend.ShuffleAttention(Channels = 36, Groups = 4)]", "Channels 36", "multiple of 8", "e.g. 40")]
    [InlineData("[Attend.ShuffleAttention(Channels = 64, Groups = 64)]", "Channels 64", "multiple of 128", "e.g. 128")]
    public void ATTEND060_channels_do_not_split_evenly(string attribute, string expected, string rule, string fix)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND060");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(rule, d.GetMessage());
        Assert.Contains(fix, d.GetMessage());
        Assert.StartsWith("Channels =", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND061_polarized_attention_needs_two_channels()
    {
        string source = "[Attend.PolarizedSelfAttention(Channels = 1)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND061");
        Assert.Contains("Channels / 2 = 0", d.GetMessage());
        Assert.StartsWith("Channels =", SourceAt(source, d));
    }

    [Fact]
    public void Polarized_attention_accepts_odd_channels_as_the_module_does()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("[Attend.PolarizedSelfAttention(Channels = 15)] public partial class Layer;");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
        Assert.Contains("public const int HalfChannels = 7;", Assert.Single(GeneratorHarness.LayerSources(result)).SourceText.ToString());
    }

    [Theory]
    [InlineData("[Attend.SimAm]", "Channels is 0")]
    [InlineData("[Attend.ShuffleAttention(Channels = 32, Groups = 0)]", "Groups is 0")]
    [InlineData("[Attend.CoordinateAttention(Channels = 32, Reduction = -4)]", "Reduction is -4")]
    [InlineData("[Attend.PolarizedSelfAttention(Channels = -8)]", "Channels is -8")]
    [InlineData("[Attend.ExternalAttention(ModelDim = 16, MemoryUnits = 0)]", "MemoryUnits is 0")]
    [InlineData("[Attend.SeparableSelfAttention]", "ModelDim is 0")]
    public void ATTEND004_pointwise_sizes_not_positive(string attribute, string expected)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND004");
        Assert.Contains(expected, d.GetMessage());
    }

    [Theory]
    [InlineData("0f", "Lambda 0")]
    [InlineData("-0.5f", "Lambda -0.5")]
    [InlineData("float.PositiveInfinity", "is not a positive finite number")]
    public void ATTEND023_simam_lambda_not_positive_finite(string lambda, string expected)
    {
        string source = $"[Attend.SimAm(Channels = 8, Lambda = {lambda})] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND023");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("added to each channel's variance", d.GetMessage());
        Assert.StartsWith("Lambda =", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND032_polarized_layout_undefined()
    {
        Diagnostic d = Single("[Attend.PolarizedSelfAttention(Channels = 8, Layout = (Attend.PolarizedLayout)2)] public partial class Layer;", "ATTEND032");
        Assert.Contains("Layout = 2", d.GetMessage());
        Assert.Contains("PolarizedLayout.Sequential", d.GetMessage());
    }

    [Fact]
    public void ATTEND026_external_attention_memory_too_large()
    {
        Diagnostic d = Single("[Attend.ExternalAttention(ModelDim = 100000, MemoryUnits = 100000)] public partial class Layer;", "ATTEND026");
        Assert.Contains("packed memory mk", d.GetMessage());
    }

    [Fact]
    public void Coordinate_attention_reduction_never_leaves_zero_channels()
    {
        // CoordAtt's mip = max(8, inp // reduction): a reduction larger than the channels still gives 8, as PyTorch does.
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("[Attend.CoordinateAttention(Channels = 4, Reduction = 64)] public partial class Layer;");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
        Assert.Contains("public const int MiddleChannels = 8;", Assert.Single(GeneratorHarness.LayerSources(result)).SourceText.ToString());
    }
}
