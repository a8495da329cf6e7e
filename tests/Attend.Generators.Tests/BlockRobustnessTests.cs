using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The block parsers never throw and never emit for sizes that cannot work, whatever the declaration.</summary>
public sealed class BlockRobustnessTests
{
    [Theory]
    [InlineData("[Attend.TransformerEncoder] public partial class Empty;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = int.MaxValue, Heads = 1, MlpDim = 8, Depth = 1)] public partial class Huge;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 8, Heads = int.MaxValue, KvHeads = int.MaxValue, DimHead = int.MaxValue, MlpDim = 8, Depth = 1, WeightNaming = Attend.TransformerWeightNaming.Vit)] public partial class Huge;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 8, Depth = 1, Positions = Attend.PositionEncoding.RotaryHalf, RotaryDim = int.MinValue)] public partial class Odd;")]
    [InlineData("[Attend.TransformerEncoder(ModelDim = \"eight\", Heads = 2)] public partial class WrongType;")]
    [InlineData("[Attend.TransformerDecoder(ModelDim = int.MaxValue, Heads = 1, MlpDim = int.MaxValue, Depth = 1)] public partial class Huge;")]
    [InlineData("[Attend.VisionTransformer(ImageSize = int.MaxValue, PatchSize = 1, Classes = 2, ModelDim = 8, Depth = 1, Heads = 2, MlpDim = 8)] public partial class Huge;")]
    [InlineData("[Attend.VisionTransformer(ImageSize = 8, PatchSize = 0, Classes = 2, ModelDim = 8, Depth = 1, Heads = 2, MlpDim = 8)] public partial class ZeroPatch;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = int.MaxValue, Heads = 1)] [Attend.TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 8, Depth = 1)] public partial class Both;")]
    public void Odd_block_declarations_produce_no_exception_and_no_source(string source)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785" || d.Id == "ATTEND010");
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Huge_multi_head_attention_is_reported_instead_of_planned()
    {
        // ModelDim · DimHead · 3 overflows a long; the size checks must still see it as too large (or the head as too wide).
        (GeneratorRunResult result, _) = GeneratorHarness.Run("[Attend.MultiHeadAttention(ModelDim = int.MaxValue, Heads = 1)] public partial class Huge;");

        Assert.Contains(result.Diagnostics, d => d.Id is "ATTEND012" or "ATTEND050");
        Assert.Empty(result.GeneratedSources);
    }
}
