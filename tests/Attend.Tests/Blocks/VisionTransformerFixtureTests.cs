using System;
using Xunit;

namespace Attend.Tests.Blocks;

[VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 3, Classes = 7, ModelDim = 24, Depth = 2, Heads = 3, DimHead = 10, MlpDim = 40)]
internal sealed partial class VitCurrentClassToken;

[VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 3, Classes = 7, ModelDim = 24, Depth = 2, Heads = 1, DimHead = 24, MlpDim = 40, Pooling = Pooling.Mean)]
internal sealed partial class VitCurrentMeanOneHead;

[VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 1, Classes = 7, ModelDim = 24, Depth = 2, Heads = 3, DimHead = 10, MlpDim = 40, WeightNaming = TransformerWeightNaming.VitPreNorm)]
internal sealed partial class VitPreNormClassToken;

/// <summary>Whole lucidrains-style ViTs (both namings, class-token and mean pooling, a one-head model without to_out) against PyTorch.</summary>
public sealed class VisionTransformerFixtureTests
{
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in new[] { "vitm_current_cls", "vitm_current_mean", "vitm_prenorm_cls" })
        {
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VisionTransformer_MatchesPyTorch(string name, KernelPath path)
    {
        using SafeTensorsFile file = BlockFixtures.Open("blocks", name);
        float[] images = file.ReadFloat32("input.images");
        float[] logits = new float[3 * 7];

        foreach (int threads in new[] { 1, 4 })
        {
            Array.Clear(logits);
            switch (name)
            {
                case "vitm_current_cls": Run(new VitCurrentClassToken { Path = path, MaxDegreeOfParallelism = threads }, file, images, logits); break;
                case "vitm_current_mean": Run(new VitCurrentMeanOneHead { Path = path, MaxDegreeOfParallelism = threads }, file, images, logits); break;
                default: Run(new VitPreNormClassToken { Path = path, MaxDegreeOfParallelism = threads }, file, images, logits); break;
            }

            BlockFixtures.AssertClose(file, "output.logits", logits);
        }
    }

    [Fact]
    public void AttentionWeights_CoverEveryLayerHeadAndToken()
    {
        using SafeTensorsFile file = BlockFixtures.Open("blocks", "vitm_current_cls");
        var vit = new VitCurrentClassToken();
        vit.LoadWeights(file);
        float[] maps = new float[VitCurrentClassToken.Depth * 3 * VitCurrentClassToken.Heads * VitCurrentClassToken.Tokens * VitCurrentClassToken.Tokens];
        float[] logits = new float[21];

        vit.Forward(file.ReadFloat32("input.images"), logits, 3, maps);

        BlockFixtures.AssertClose(file, "output.logits", logits);
        Assert.Equal(17, VitCurrentClassToken.Tokens);
        for (int row = 0; row < maps.Length / 17; row++)
        {
            float sum = 0;
            for (int j = 0; j < 17; j++) sum += maps[row * 17 + j];
            Assert.Equal(1f, sum, 5);
        }
    }

    [Fact]
    public void Forward_RejectsImagesOfTheWrongSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => new VitPreNormClassToken().Forward(new float[3 * 64 * 3], new float[21], 3));
        Assert.Equal("images", ex.ParamName);
        Assert.Contains("3 × 1 × 8 × 8", ex.Message);
    }

    private static void Run(VitCurrentClassToken vit, IWeightSource weights, float[] images, float[] logits) { vit.LoadWeights(weights); vit.Forward(images, logits, 3); }

    private static void Run(VitCurrentMeanOneHead vit, IWeightSource weights, float[] images, float[] logits) { vit.LoadWeights(weights); vit.Forward(images, logits, 3); }

    private static void Run(VitPreNormClassToken vit, IWeightSource weights, float[] images, float[] logits) { vit.LoadWeights(weights); vit.Forward(images, logits, 3); }
}
