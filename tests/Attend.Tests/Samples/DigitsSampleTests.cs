using System;
using System.Globalization;
using System.IO;
using Attend.Samples.Digits;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Samples;

/// <summary>The Digits sample's vision transformer reproduces PyTorch on the whole held-out split, on every kernel path.</summary>
public sealed class DigitsSampleTests(ITestOutputHelper output)
{
    private static SafeTensorsFile Open(string folder, string name) => SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, folder, name));

    [Fact]
    public void TheDeclarationMatchesTheTrainedModel()
    {
        using SafeTensorsFile weights = Open("weights", "digits_vit.safetensors");
        int Meta(string key) => int.Parse(weights.Metadata[key], CultureInfo.InvariantCulture);
        Assert.Equal(DigitsVit.ImageSize, Meta("image_size"));
        Assert.Equal(DigitsVit.PatchSize, Meta("patch_size"));
        Assert.Equal(DigitsVit.Channels, Meta("channels"));
        Assert.Equal(DigitsVit.Classes, Meta("num_classes"));
        Assert.Equal(DigitsVit.ModelDim, Meta("dim"));
        Assert.Equal(DigitsVit.Depth, Meta("depth"));
        Assert.Equal(DigitsVit.Heads, Meta("heads"));
        Assert.Equal(DigitsVit.DimHead, Meta("dim_head"));
        Assert.Equal(DigitsVit.MlpDim, Meta("mlp_dim"));
    }

    [Theory]
    [MemberData(nameof(Blocks.BlockFixtures.Paths), MemberType = typeof(Blocks.BlockFixtures))]
    public void LogitsMatchPyTorchWithin1e4_AndTheAccuracyIsIdentical(KernelPath path)
    {
        using SafeTensorsFile weights = Open("weights", "digits_vit.safetensors");
        using SafeTensorsFile data = Open("data", "digits_test.safetensors");
        var vit = new DigitsVit { Path = path };
        vit.LoadWeights(weights);
        float[] images = data.ReadFloat32("images");
        long[] labels = data.ReadInt64("labels");
        float[] expected = data.ReadFloat32("pytorch_logits");
        float[] logits = new float[expected.Length];

        vit.Forward(images, logits, labels.Length);

        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            for (int c = 0; c < DigitsVit.Classes; c++)
            {
                int k = i * DigitsVit.Classes + c;
                Assert.True(Math.Abs(logits[k] - expected[k]) <= 1e-4, $"image {i} class {c}: Attend {logits[k]}, PyTorch {expected[k]}");
            }

            correct += ArgMax(logits.AsSpan(i * DigitsVit.Classes, DigitsVit.Classes)) == labels[i] ? 1 : 0;
        }

        Assert.Equal(int.Parse(data.Metadata["pytorch_test_correct"], CultureInfo.InvariantCulture), correct);
        Assert.Equal(360, labels.Length);
    }

    [Theory]
    [InlineData(WeightPrecision.BFloat16)]
    [InlineData(WeightPrecision.Int8)]
    [InlineData(WeightPrecision.Int8ByteActivations)]
    public void LowPrecisionWeights_KeepTheAccuracy(WeightPrecision precision)
    {
        using SafeTensorsFile weights = Open("weights", "digits_vit.safetensors");
        using SafeTensorsFile data = Open("data", "digits_test.safetensors");
        var vit = new DigitsVit { WeightPrecision = precision };
        vit.LoadWeights(weights);
        float[] images = data.ReadFloat32("images");
        long[] labels = data.ReadInt64("labels");
        float[] logits = new float[labels.Length * DigitsVit.Classes];
        vit.Forward(images, logits, labels.Length);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) correct += ArgMax(logits.AsSpan(i * DigitsVit.Classes, DigitsVit.Classes)) == labels[i] ? 1 : 0;
        CiReport.Line(output, $"Digits ViT {precision}: {correct} of {labels.Length} test images correct (PyTorch float32: {data.Metadata["pytorch_test_correct"]})");
        // Not lower than float32's (PyTorch's) count: bf16 measured one borderline image more right (334 of 360 against 333), int8 the same.
        Assert.True(correct >= int.Parse(data.Metadata["pytorch_test_correct"], CultureInfo.InvariantCulture), $"{precision}: {correct} of {labels.Length} correct");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
