using System;
using Attend;
using Attend.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.ImageAttention;

/// <summary>
/// Self-attention as convolution beyond the fixtures: layers converted from random K×K convolutions equal the direct
/// convolution to 1e-5 on every path; a layer with HeadDim ≠ OutChannels and arbitrary centres matches the float64
/// formula; the per-query maps are softmaxes peaked where the convolution looks.
/// </summary>
public sealed class ConvolutionalSelfAttentionTests
{
    public static TheoryData<string, int, int, int, KernelPath> ConvolutionCases()
    {
        var cases = new (string Layer, int Batch, int Height, int Width)[]
        {
            (nameof(AttnConvK3Small), 2, 7, 9),
            (nameof(AttnConvK3Small), 1, 1, 1),    // every key but the centre is padding
            (nameof(AttnConvK5Small), 2, 3, 17),   // K larger than the height: padding on both sides of every row
            (nameof(AttnConvK3Medium), 1, 12, 19),
            (nameof(AttnConvK5Medium), 2, 9, 8),
        };
        var data = new TheoryData<string, int, int, int, KernelPath>();
        foreach (var c in cases)
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(c.Layer, c.Batch, c.Height, c.Width, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void Layer_built_from_a_convolution_equals_the_convolution(string layer, int batch, int height, int width, KernelPath path)
    {
        (int inChannels, int outChannels, int k) = Shape(layer);
        var random = new Random(height * 131 + width * 7 + k);
        float[] convWeight = Random(random, outChannels * inChannels * k * k, 0.3);
        float[] convBias = Random(random, outChannels, 0.3);
        float[] x = Random(random, batch * inChannels * height * width);
        ImageForward forward = ImageAttentionLayers.Create(layer, ConvolutionAsAttention.Weights(convWeight, convBias, outChannels, inChannels, k), path);
        var y = new float[batch * outChannels * height * width];
        forward(x, y, batch, height, width);

        double[] expected = Convolution(x, convWeight, convBias, batch, inChannels, outChannels, height, width, k);
        AssertClose(expected, y, 1e-5, 0, $"{layer} {path} {height}×{width}");
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Layer_with_narrow_heads_and_free_centres_matches_the_float64_formula(KernelPath path)
    {
        const int InChannels = 7, OutChannels = 5, K = 3, Heads = 9, HeadDim = 3, Batch = 2, Height = 6, Width = 11;
        var random = new Random(5);
        float[] centers = Random(random, Heads * 2, 2.5);
        float[] alpha = new float[Heads];
        for (int h = 0; h < Heads; h++) alpha[h] = (float)(0.1 + 3 * random.NextDouble());
        float[] value = Random(random, Heads * HeadDim * InChannels, 0.5);
        float[] outWeight = Random(random, OutChannels * Heads * HeadDim, 0.5);
        float[] outBias = Random(random, OutChannels, 0.5);
        float[] x = Random(random, Batch * InChannels * Height * Width);
        WeightDictionary weights = Weights(("centers", centers, new long[] { Heads, 2 }), ("alpha", alpha, new long[] { Heads }),
            ("value.weight", value, new long[] { Heads * HeadDim, InChannels }), ("out.weight", outWeight, new long[] { OutChannels, Heads * HeadDim }),
            ("out.bias", outBias, new long[] { OutChannels }));
        var y = new float[Batch * OutChannels * Height * Width];
        ImageAttentionLayers.Create(nameof(AttnConvHeadDim3), weights, path)(x, y, Batch, Height, Width);

        double[] expected = Reference(x, centers, alpha, value, outWeight, outBias, Batch, InChannels, OutChannels, Height, Width, K, HeadDim);
        AssertClose(expected, y, 1e-5, 1e-4, $"{path}");
    }

    [Fact]
    public void Attention_maps_of_a_converted_layer_are_one_hot_on_the_kernel_offsets()
    {
        var layer = new AttnConvK3Small();
        layer.LoadWeights(ConvolutionAsAttention.Weights(new float[6 * 4 * 9], new float[6], 6, 4, 3));
        const int Height = 5, Width = 6, Row = 2, Column = 3, Padded = (Height + 2) * (Width + 2);
        var maps = new float[9 * Padded];
        layer.AttentionMaps(Height, Width, Row, Column, maps);
        for (int h = 0; h < 9; h++)
        {
            // Head (dy + 1)·3 + (dx + 1) looks at padded key (Row + 1 + dy, Column + 1 + dx).
            int peak = (Row + 1 + h / 3 - 1) * (Width + 2) + Column + 1 + h % 3 - 1;
            double sum = 0;
            for (int i = 0; i < Padded; i++) sum += maps[h * Padded + i];
            Assert.Equal(1.0, sum, 5);
            Assert.True(maps[h * Padded + peak] > 1 - 1e-9, $"head {h}: weight {maps[h * Padded + peak]} at its offset");
        }
    }

    [Fact]
    public void Weights_rejects_bad_sizes_naming_the_argument()
    {
        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => ConvolutionAsAttention.Weights(new float[36], new float[1], 1, 9, 2)).ParamName);
        ArgumentException length = Assert.Throws<ArgumentException>(() => ConvolutionAsAttention.Weights(new float[10], new float[2], 2, 1, 3));
        Assert.Equal("convWeight", length.ParamName);
        Assert.Contains("18", length.Message, StringComparison.Ordinal);
        Assert.Equal("convBias", Assert.Throws<ArgumentException>(() => ConvolutionAsAttention.Weights(new float[18], new float[3], 2, 1, 3)).ParamName);
        Assert.Equal("outChannels", Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionAsAttention.Weights(new float[18], new float[2], 0, 1, 3)).ParamName);
    }

    private static (int InChannels, int OutChannels, int K) Shape(string layer) => layer switch
    {
        nameof(AttnConvK3Small) => (AttnConvK3Small.InChannels, AttnConvK3Small.OutChannels, AttnConvK3Small.KernelSize),
        nameof(AttnConvK5Small) => (AttnConvK5Small.InChannels, AttnConvK5Small.OutChannels, AttnConvK5Small.KernelSize),
        nameof(AttnConvK3Medium) => (AttnConvK3Medium.InChannels, AttnConvK3Medium.OutChannels, AttnConvK3Medium.KernelSize),
        _ => (AttnConvK5Medium.InChannels, AttnConvK5Medium.OutChannels, AttnConvK5Medium.KernelSize),
    };

    /// <summary>PyTorch's <c>F.conv2d(x, w, b, padding=K // 2)</c> in float64.</summary>
    internal static double[] Convolution(float[] x, float[] w, float[] b, int batch, int inChannels, int outChannels, int height, int width, int k)
    {
        int p = k / 2;
        var y = new double[batch * outChannels * height * width];
        for (int n = 0; n < batch; n++)
        for (int o = 0; o < outChannels; o++)
        for (int i = 0; i < height; i++)
        for (int j = 0; j < width; j++)
        {
            double sum = b[o];
            for (int c = 0; c < inChannels; c++)
            for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
            {
                int yy = i + ky - p, xx = j + kx - p;
                if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                sum += (double)w[((o * inChannels + c) * k + ky) * k + kx] * x[((n * inChannels + c) * height + yy) * width + xx];
            }

            y[((n * outChannels + o) * height + i) * width + j] = sum;
        }

        return y;
    }

    /// <summary>The fixtures' formula (check_fixtures.py) in float64: softmax over the zero-padded keys, values, heads concatenated, output projection.</summary>
    private static double[] Reference(float[] x, float[] centers, float[] alpha, float[] value, float[] outWeight, float[] outBias,
        int batch, int inChannels, int outChannels, int height, int width, int k, int headDim)
    {
        int p = k / 2, heads = k * k, hp = height + 2 * p, wp = width + 2 * p;
        var y = new double[batch * outChannels * height * width];
        var probabilities = new double[hp * wp];
        var concat = new double[heads * headDim];
        for (int n = 0; n < batch; n++)
        for (int i = 0; i < height; i++)
        for (int j = 0; j < width; j++)
        {
            for (int h = 0; h < heads; h++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int key = 0; key < hp * wp; key++)
                {
                    double dy = key / wp - (i + p) - centers[2 * h], dx = key % wp - (j + p) - centers[2 * h + 1];
                    probabilities[key] = -alpha[h] * (dy * dy + dx * dx);
                    max = Math.Max(max, probabilities[key]);
                }

                for (int key = 0; key < hp * wp; key++) sum += probabilities[key] = Math.Exp(probabilities[key] - max);
                for (int d = 0; d < headDim; d++)
                {
                    double acc = 0;
                    for (int key = 0; key < hp * wp; key++)
                    {
                        int yy = key / wp - p, xx = key % wp - p;
                        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                        double v = 0;
                        for (int c = 0; c < inChannels; c++) v += (double)value[(h * headDim + d) * inChannels + c] * x[((n * inChannels + c) * height + yy) * width + xx];
                        acc += probabilities[key] / sum * v;
                    }

                    concat[h * headDim + d] = acc;
                }
            }

            for (int o = 0; o < outChannels; o++)
            {
                double acc = outBias[o];
                for (int e = 0; e < heads * headDim; e++) acc += (double)outWeight[o * heads * headDim + e] * concat[e];
                y[((n * outChannels + o) * height + i) * width + j] = acc;
            }
        }

        return y;
    }
}
