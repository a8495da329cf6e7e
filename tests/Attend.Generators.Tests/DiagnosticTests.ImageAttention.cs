using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Diagnostics of <c>[DanetPositionAttention]</c>, <c>[DanetChannelAttention]</c> and <c>[ConvolutionalSelfAttention]</c> (ATTEND080–081 and the shared rules).</summary>
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16)]", "Height")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, Height = 5)]", "Width")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, Width = 5, Variant = Attend.DanetVariant.Collection)]", "Height")]
    public void ATTEND080_collection_channel_attention_needs_the_map_size(string attribute, string missing)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND080");
        Assert.Contains("Linear(H·W, H·W)", d.GetMessage());
        Assert.Contains("Variant = DanetVariant.Official", d.GetMessage());
        if (source.Contains(missing == "Height" ? "Width =" : "Height =")) Assert.StartsWith(missing == "Height" ? "Height" : "Width", missing);
    }

    [Fact]
    public void ATTEND081_official_pam_needs_eight_channels_or_query_key_channels()
    {
        string source = "[Attend.DanetPositionAttention(Channels = 4, Variant = Attend.DanetVariant.Official)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND081");
        Assert.Contains("Channels / 8 = 0", d.GetMessage());
        Assert.Contains("set QueryKeyChannels", d.GetMessage());
        Assert.Equal("Channels = 4", SourceAt(source, d));

        (GeneratorRunResult fixedResult, Compilation output) = GeneratorHarness.Run(
            "[Attend.DanetPositionAttention(Channels = 4, QueryKeyChannels = 2, Variant = Attend.DanetVariant.Official)] public partial class Layer;");
        Assert.Empty(fixedResult.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Theory]
    [InlineData("[Attend.DanetPositionAttention(Channels = 16, KernelSize = 4)]", "KernelSize 4")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, KernelSize = 2, Height = 5, Width = 5)]", "KernelSize 2")]
    [InlineData("[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 4)]", "KernelSize 4")]
    public void ATTEND031_image_attention_even_kernel_size(string attribute, string expected)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND031");
        Assert.Contains(expected, d.GetMessage());
        Assert.StartsWith("KernelSize =", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.DanetPositionAttention(Channels = 16, Variant = (Attend.DanetVariant)2)]")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, Variant = (Attend.DanetVariant)(-1))]")]
    public void ATTEND032_undefined_danet_variant(string attribute)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND032");
        Assert.Contains("DanetVariant.Collection, DanetVariant.Official", d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.DanetPositionAttention(Channels = 64, Variant = Attend.DanetVariant.Official, KernelSize = 3)]", "KernelSize", "no convolution")]
    [InlineData("[Attend.DanetPositionAttention(Channels = 64, QueryKeyChannels = 8)]", "QueryKeyChannels", "projects queries and keys to Channels")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 64, Variant = Attend.DanetVariant.Official, Height = 7)]", "Height", "works at any size")]
    public void ATTEND034_image_attention_option_has_no_effect(string attribute, string property, string reason)
    {
        string source = attribute + " public partial class Layer;";
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND034", d.Id);
        Assert.Contains(reason, d.GetMessage());
        Assert.StartsWith(property + " =", SourceAt(source, d));
        Assert.Single(GeneratorHarness.LayerSources(result));
    }

    [Theory]
    [InlineData("[Attend.DanetPositionAttention]", "Channels is 0")]
    [InlineData("[Attend.DanetPositionAttention(Channels = 16, Variant = Attend.DanetVariant.Official, QueryKeyChannels = -1)]", "QueryKeyChannels is -1")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, Height = 0, Width = 5)]", "Height is 0")]
    [InlineData("[Attend.ConvolutionalSelfAttention(OutChannels = 6, KernelSize = 3)]", "InChannels is 0")]
    [InlineData("[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6)]", "KernelSize is 0")]
    [InlineData("[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 3, HeadDim = 0)]", "HeadDim is 0")]
    public void ATTEND004_image_attention_sizes_not_positive(string attribute, string expected)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND004");
        Assert.Contains(expected, d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 33)]", "KernelSize = 33", "exceeds 31")]
    [InlineData("[Attend.DanetChannelAttention(Channels = 16, Height = 1000, Width = 1000)]", "(Height × Width)²", "one .NET array")]
    public void ATTEND035_image_attention_size_exceeds_limit(string attribute, string expected, string why)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND035");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(why, d.GetMessage());
    }

    [Fact]
    public void ATTEND050_danet_position_head_too_wide()
    {
        Diagnostic d = Single("[Attend.DanetPositionAttention(Channels = 5000)] public partial class Layer;", "ATTEND050");
        Assert.Contains("Channels 5000", d.GetMessage());
    }
}
