using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The transformer blocks' diagnostics, ATTEND041–048 (an undefined option is ATTEND032, as for every attribute).</summary>
public sealed partial class DiagnosticTests
{
    private const string Encoder = "Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 1";

    [Theory]
    [InlineData("Norm = (Attend.NormPlacement)7", "Norm = 7", "NormPlacement.Pre")]
    [InlineData("Activation = (Attend.FeedForwardActivation)9", "Activation = 9", "FeedForwardActivation.GeluTanh")]
    [InlineData("Positions = (Attend.PositionEncoding)(-1)", "Positions = -1", "PositionEncoding.RelativeBias2D")]
    [InlineData("WeightNaming = (Attend.TransformerWeightNaming)3", "WeightNaming = 3", "TransformerWeightNaming.Vit")]
    [InlineData("WeightPrecision = (Attend.WeightPrecision)4", "WeightPrecision = 4", "WeightPrecision.Int8ByteActivations")]
    public void ATTEND032_block_option_out_of_range(string argument, string expected, string suggestion)
    {
        string source = $"[{Encoder}, {argument})] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND032");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains(suggestion, d.GetMessage());
        Assert.StartsWith(argument.Split(' ')[0], SourceAt(source, d));
    }

    [Fact]
    public void ATTEND041_vit_naming_with_post_norm()
    {
        Diagnostic d = Single($"[{Encoder}, WeightNaming = Attend.TransformerWeightNaming.Vit, Norm = Attend.NormPlacement.Post)] public partial class Layer;", "ATTEND041");
        Assert.Contains("WeightNaming Vit", d.GetMessage());
        Assert.Contains("remove Norm or use WeightNaming = TorchEncoder", d.GetMessage());
    }

    [Fact]
    public void ATTEND042_torch_naming_with_another_head_width()
    {
        string source = $"[{Encoder}, DimHead = 3)] public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND042");
        Assert.Contains("DimHead 3", d.GetMessage());
        Assert.Contains("ModelDim / Heads = 4", d.GetMessage());
        Assert.Equal("DimHead = 3", SourceAt(source, d));
    }

    [Theory]
    [InlineData("Positions = Attend.PositionEncoding.Learned", "MaxLength")]
    [InlineData("Positions = Attend.PositionEncoding.RelativeBias1D, MaxLength = 0", "MaxLength")]
    [InlineData("Positions = Attend.PositionEncoding.RelativeBias2D, GridHeight = 3", "GridHeight and GridWidth")]
    public void ATTEND043_positions_need_a_size(string argument, string expected)
    {
        Diagnostic d = Single($"[{Encoder}, {argument})] public partial class Layer;", "ATTEND043");
        Assert.Contains(expected, d.GetMessage());
    }

    [Theory]
    [InlineData("RotaryDim = 3", "RotaryDim 3")]
    [InlineData("RotaryDim = 6", "RotaryDim 6")]
    public void ATTEND044_rotary_dim_must_be_even_and_fit(string argument, string expected)
    {
        Diagnostic d = Single($"[{Encoder}, Positions = Attend.PositionEncoding.RotaryHalf, {argument})] public partial class Layer;", "ATTEND044");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("no larger than DimHead 4", d.GetMessage());
    }

    [Theory]
    [InlineData("LayerNormEpsilon = -1f", "LayerNormEpsilon = -1")]
    [InlineData("Positions = Attend.PositionEncoding.RotaryHalf, RotaryBase = float.NaN", "RotaryBase = NaN")]
    public void ATTEND045_float_option_must_be_positive(string argument, string expected)
    {
        Diagnostic d = Single($"[{Encoder}, {argument})] public partial class Layer;", "ATTEND045");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("leave it at 0", d.GetMessage());
    }

    [Fact]
    public void ATTEND046_image_not_divisible_by_patch()
    {
        Diagnostic d = Single("[Attend.VisionTransformer(ImageSize = 10, PatchSize = 4, Classes = 3, ModelDim = 8, Depth = 1, Heads = 2, MlpDim = 8)] public partial class Vit;", "ATTEND046");
        Assert.Contains("ImageSize 10", d.GetMessage());
        Assert.Contains("e.g. 2", d.GetMessage());
    }

    [Fact]
    public void ATTEND047_vision_transformer_with_torch_naming()
    {
        Diagnostic d = Single("[Attend.VisionTransformer(ImageSize = 8, PatchSize = 2, Classes = 3, ModelDim = 8, Depth = 1, Heads = 2, MlpDim = 8, WeightNaming = Attend.TransformerWeightNaming.TorchEncoder)] public partial class Vit;", "ATTEND047");
        Assert.Contains("[VisionTransformer]", d.GetMessage());
        Assert.Contains("Vit or VitPreNorm", d.GetMessage());
    }

    [Fact]
    public void ATTEND048_option_without_effect_is_a_warning_and_still_generates()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($"[{Encoder}, MaxLength = 64)] public partial class Layer;");
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND048", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("MaxLength", d.GetMessage());
        Assert.Contains("Positions = None", d.GetMessage());
        Assert.Single(GeneratorHarness.LayerSources(result));
        Assert.DoesNotContain(GeneratorHarness.ProblemsIn(output), p => !p.Contains("ATTEND048"));
    }

    [Fact]
    public void Block_size_diagnostics_reuse_the_shared_ids()
    {
        Assert.Equal("ATTEND004", Single("[Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 16, Depth = 0)] public partial class Layer;", "ATTEND004").Id);
        Assert.Equal("ATTEND005", Single("[Attend.TransformerDecoder(ModelDim = 10, Heads = 3, MlpDim = 16, Depth = 1)] public partial class Layer;", "ATTEND005").Id);
        Assert.Equal("ATTEND006", Single($"[{Encoder}, KvHeads = 3)] public partial class Layer;", "ATTEND006").Id);
        Assert.Equal("ATTEND006", Single("[Attend.MultiHeadAttention(ModelDim = 12, Heads = 4, KvHeads = 3)] public partial class Layer;", "ATTEND006").Id);
        Assert.Equal("ATTEND007", Single($"[{Encoder}, Mask = (Attend.AttentionMask)4)] public partial class Layer;", "ATTEND007").Id);
    }
}
