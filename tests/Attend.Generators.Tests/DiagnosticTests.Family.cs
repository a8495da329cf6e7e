using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Diagnostics of the channel/spatial attention and score attention declarations (ATTEND030–035).</summary>
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Attend.SqueezeExcitation(Channels = 8, Reduction = 16)]", "SqueezeChannels")]
    [InlineData("[Attend.SqueezeExcitation(Channels = 8)]", "SqueezeChannels")]
    [InlineData("[Attend.ConvBlockAttention(Channels = 4, Reduction = 5)]", "HiddenChannels")]
    public void ATTEND030_reduction_leaves_no_hidden_channels(string attribute, string direct)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND030");
        Assert.Contains("= 0 hidden channels", d.GetMessage());
        Assert.Contains("set " + direct + " directly", d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.EfficientChannelAttention(Channels = 32, KernelSize = 4)]", "KernelSize 4", "use 3 or 5")]
    [InlineData("[Attend.ConvBlockAttention(Channels = 32, SpatialKernelSize = 6)]", "SpatialKernelSize 6", "use 5 or 7")]
    public void ATTEND031_even_kernel_size(string attribute, string expected, string fix)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND031");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(fix, d.GetMessage());
        Assert.StartsWith(expected.Split(' ')[0] + " =", SourceAt(source, d));
    }

    [Theory]
    [InlineData("[Attend.SqueezeExcitation(Channels = 32, Pooling = (Attend.ChannelPooling)3)]", "Pooling = 3", "ChannelPooling.Both")]
    [InlineData("[Attend.SqueezeExcitation(Channels = 32, Gate = (Attend.GateActivation)(-1))]", "Gate = -1", "GateActivation.HardSigmoid")]
    [InlineData("[Attend.Attention(QuerySize = 4, Score = (Attend.AttentionScore)9)]", "Score = 9", "AttentionScore.Mlp")]
    [InlineData("[Attend.Attention(QuerySize = 4, Selection = (Attend.AttentionSelection)5)]", "Selection = 5", "AttentionSelection.TopK")]
    [InlineData("[Attend.Attention(QuerySize = 4, Local = (Attend.LocalAttention)3)]", "Local = 3", "LocalAttention.Predictive")]
    public void ATTEND032_undefined_option_value(string attribute, string expected, string listed)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND032");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(listed, d.GetMessage());
    }

    // One rule for an undefined enum value: a channel layer, a transformer block and a graph layer give the same id and the
    // same message, naming the argument, its value, the class and every defined member.
    [Theory]
    [InlineData("[Attend.SqueezeExcitation(Channels = 32, Pooling = (Attend.ChannelPooling)3)]", "Pooling = 3", "ChannelPooling.Average, ChannelPooling.Max, ChannelPooling.Both")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1, Norm = (Attend.NormPlacement)7)]", "Norm = 7", "NormPlacement.Default, NormPlacement.Post, NormPlacement.Pre")]
    [InlineData("[Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, Combine = (Attend.GraphHeadCombine)5)]", "Combine = 5", "GraphHeadCombine.Concat, GraphHeadCombine.Mean")]
    public void ATTEND032_same_rule_and_message_for_every_attribute(string attribute, string argument, string members)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND032");
        Assert.Equal($"{argument} on 'Layer' is not a defined value; use one of {members}", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith(argument.Split(' ')[0], SourceAt(source, d));
    }

    [Theory]
    [InlineData("Dot")]
    [InlineData("ScaledDot")]
    [InlineData("Cosine")]
    public void ATTEND033_score_needs_equal_query_and_key_sizes(string score)
    {
        string source = $"[Attend.Attention(Score = Attend.AttentionScore.{score}, QuerySize = 5, KeySize = 6)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND033");
        Assert.Contains("KeySize (6) must equal QuerySize (5)", d.GetMessage());
        Assert.Contains("Score = General, Additive or Mlp", d.GetMessage());
        Assert.Equal("KeySize = 6", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND033_not_reported_for_scores_that_project_keys()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(
            "[Attend.Attention(Score = Attend.AttentionScore.General, QuerySize = 5, KeySize = 6)] public partial class Layer;");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Theory]
    [InlineData("[Attend.Attention(QuerySize = 4, Hidden = 8)]", "Hidden", "has no hidden layer")]
    [InlineData("[Attend.Attention(QuerySize = 4, TopK = 2)]", "TopK", "unless Selection = AttentionSelection.TopK")]
    [InlineData("[Attend.Attention(QuerySize = 4, Window = 2)]", "Window", "unless Local is")]
    [InlineData("[Attend.Attention(QuerySize = 4, Local = Attend.LocalAttention.Monotonic, Window = 2, PositionHidden = 3)]", "PositionHidden", "unless Local = LocalAttention.Predictive")]
    [InlineData("[Attend.SqueezeExcitation(Channels = 32, Reduction = 4, SqueezeChannels = 8)]", "Reduction", "because SqueezeChannels is set")]
    public void ATTEND034_option_has_no_effect_is_a_warning_and_still_generates(string attribute, string property, string reason)
    {
        string source = attribute + " public partial class Layer;";
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND034", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains(reason, d.GetMessage());
        Assert.StartsWith(property + " =", SourceAt(source, d));
        Assert.Single(GeneratorHarness.LayerSources(result));
        Assert.DoesNotContain(GeneratorHarness.ProblemsIn(output), p => !p.Contains("ATTEND034", System.StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[Attend.ConvBlockAttention(Channels = 32, SpatialKernelSize = 17)]", "SpatialKernelSize = 17", "exceeds 15")]
    [InlineData("[Attend.EfficientChannelAttention(Channels = 32, KernelSize = 21)]", "KernelSize = 21", "exceeds 15")]
    [InlineData("[Attend.SqueezeExcitation(Channels = 1000000, Reduction = 1)]", "Channels × SqueezeChannels = 1000000000000", "one .NET array")]
    [InlineData("[Attend.Attention(Score = Attend.AttentionScore.Additive, QuerySize = 100000, Hidden = 100000)]", "Hidden × (QuerySize + KeySize) = 20000000000", "one .NET array")]
    public void ATTEND035_size_exceeds_limit(string attribute, string expected, string why)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND035");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(why, d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.SqueezeExcitation(Reduction = 4)]", "Channels is 0")]
    [InlineData("[Attend.EfficientChannelAttention(Channels = 32, KernelSize = 0)]", "KernelSize is 0")]
    [InlineData("[Attend.ConvBlockAttention(Channels = 32, HiddenChannels = -2)]", "HiddenChannels is -2")]
    [InlineData("[Attend.Attention(Score = Attend.AttentionScore.Additive, QuerySize = 4)]", "Hidden is 0")]
    [InlineData("[Attend.Attention(QuerySize = 4, Selection = Attend.AttentionSelection.TopK)]", "TopK is 0")]
    [InlineData("[Attend.Attention(QuerySize = 4, Local = Attend.LocalAttention.Predictive)]", "Window is 0")]
    public void ATTEND004_family_sizes_not_positive(string attribute, string expected)
    {
        Diagnostic d = Single(attribute + " public partial class Layer;", "ATTEND004");
        Assert.Contains(expected, d.GetMessage());
    }
}
