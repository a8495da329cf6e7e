using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Diagnostics of the BAM, Triplet and SK declarations (ATTEND070–072, and the shared size rules).</summary>
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Attend.BottleneckAttention(Channels = 8, Reduction = 16)]", "8 / 16 = 0")]
    [InlineData("[Attend.BottleneckAttention(Channels = 3)]", "3 / 16 = 0")]
    public void ATTEND070_reduction_leaves_no_bottleneck_channels(string attribute, string expected)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND070");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("use a Reduction of at most", d.GetMessage());
    }

    [Fact]
    public void ATTEND071_no_branches()
    {
        string source = "[Attend.SelectiveKernelAttention(Channels = 8, KernelSizes = new int[0])] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND071");
        Assert.Contains("KernelSizes on 'Layer' is empty", d.GetMessage());
        Assert.StartsWith("KernelSizes =", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND072_channels_not_divisible_by_groups()
    {
        string source = "[Attend.SelectiveKernelAttention(Channels = 12, Groups = 8)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND072");
        Assert.Contains("Channels 12 on 'Layer' is not a multiple of Groups 8", d.GetMessage());
        Assert.Contains("(e.g. 6)", d.GetMessage());
        Assert.Equal("Groups = 8", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.BottleneckAttention(Channels = 0)]", "Channels")]
    [InlineData("[Attend.BottleneckAttention(Channels = 32, DilationValue = 0)]", "DilationValue")]
    [InlineData("[Attend.BottleneckAttention(Channels = 32, Layers = -1)]", "Layers")]
    [InlineData("[Attend.BottleneckAttention(Channels = 32, Reduction = 0)]", "Reduction")]
    [InlineData("[Attend.TripletAttention(Channels = -4)]", "Channels")]
    [InlineData("[Attend.SelectiveKernelAttention(Channels = 8, Groups = 0)]", "Groups")]
    [InlineData("[Attend.SelectiveKernelAttention(Channels = 8, MinHiddenChannels = 0)]", "MinHiddenChannels")]
    [InlineData("[Attend.SelectiveKernelAttention(Channels = 8, KernelSizes = new[] { 3, -1 })]", "KernelSizes")]
    public void ATTEND004_external_attention_sizes_must_be_positive(string attribute, string property)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND004");
        Assert.StartsWith(property + " is", d.GetMessage());
        Assert.StartsWith(property + " =", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND031_even_branch_kernel_size()
    {
        string source = "[Attend.SelectiveKernelAttention(Channels = 8, KernelSizes = new[] { 3, 4 })] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND031");
        Assert.Contains("KernelSizes 4", d.GetMessage());
        Assert.Contains("use 3 or 5", d.GetMessage());
    }
}
