using System;
using System.Collections.Generic;
using System.IO;
using Attend;
using Attend.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>
/// Channel/spatial attention beyond the fixtures: other poolings, ragged channel counts and map widths (every path's
/// remainder handling) against the float64 reference, in-place use, threading, and argument and weight errors.
/// </summary>
public sealed class ChannelAttentionTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    private enum Kind { SqueezeExcitation, Eca, Cbam }

    /// <summary>A declared layer's shape, enough to make random weights for it and run the reference.</summary>
    private sealed record Shape(Kind Kind, int Channels, int Hidden, int Kernel, int Pooling = 0, bool HardSigmoid = false);

    private static readonly Dictionary<string, Shape> s_shapes = new()
    {
        [nameof(SeC32R4)] = new(Kind.SqueezeExcitation, 32, 8, 0),
        [nameof(SeMaxC21)] = new(Kind.SqueezeExcitation, 21, 5, 0, Pooling: 1),
        [nameof(SeBothC40)] = new(Kind.SqueezeExcitation, 40, 5, 0, Pooling: 2, HardSigmoid: true),
        [nameof(EcaC21K5)] = new(Kind.Eca, 21, 0, 5),
        [nameof(CbamC32)] = new(Kind.Cbam, 32, 8, 7),
        [nameof(CbamC12K3)] = new(Kind.Cbam, 12, 3, 3),
        [nameof(CbamC20K7)] = new(Kind.Cbam, 20, 5, 7),
    };

    public static TheoryData<string, int, int, int, KernelPath> ReferenceCases()
    {
        var cases = new (string Layer, int Batch, int Height, int Width)[]
        {
            (nameof(SeMaxC21), 3, 5, 7),
            (nameof(SeBothC40), 2, 3, 4),
            (nameof(EcaC21K5), 2, 2, 9),
            (nameof(CbamC12K3), 2, 4, 3),   // narrower than any register: the scalar row
            (nameof(CbamC12K3), 1, 1, 1),
            (nameof(CbamC12K3), 2, 5, 17),  // Vector512 16 + one overlapping register
            (nameof(CbamC20K7), 2, 6, 33),
            (nameof(CbamC20K7), 1, 3, 2),
            (nameof(CbamC20K7), 1, 9, 12),  // Vector512 falls to Vector256 + overlap
        };
        var data = new TheoryData<string, int, int, int, KernelPath>();
        foreach (var c in cases)
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(c.Layer, c.Batch, c.Height, c.Width, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Matches_float64_reference(string layer, int batch, int height, int width, KernelPath path)
    {
        var random = new Random(HashCode.Combine(layer.Length, batch, height, width));
        Shape shape = s_shapes[layer];
        (WeightDictionary weights, float[][] tensors) = RandomWeights(shape, random);
        float[] x = FamilyTestData.Random(random, batch * shape.Channels * height * width, 2);
        (double[] expected, double[] channelScale, double[] spatialScale) = Reference(shape, tensors, x, batch, height, width);

        var y = new float[x.Length];
        var cs = new float[batch * shape.Channels];
        var ss = new float[shape.Kind == Kind.Cbam ? batch * height * width : 0];
        ChannelLayers.Create(layer, weights, path)(x, y, batch, height, width, cs, ss);

        AssertClose(expected, y, Atol, Rtol, $"{layer} {path} y");
        AssertClose(channelScale, cs, Atol, Rtol, $"{layer} {path} channel scale");
        if (shape.Kind == Kind.Cbam) AssertClose(spatialScale, ss, Atol, Rtol, $"{layer} {path} spatial scale");
    }

    [Theory]
    [InlineData(nameof(SeC32R4))]
    [InlineData(nameof(CbamC32))]
    public void In_place_gives_the_same_result_as_separate_buffers(string layer)
    {
        var random = new Random(7);
        Shape shape = s_shapes[layer];
        (WeightDictionary weights, _) = RandomWeights(shape, random);
        float[] x = FamilyTestData.Random(random, 2 * shape.Channels * 5 * 6);
        FeatureMapForward forward = ChannelLayers.Create(layer, weights, KernelPath.Auto);

        var separate = new float[x.Length];
        forward(x, separate, 2, 5, 6, default, default);
        float[] inPlace = (float[])x.Clone();
        forward(inPlace, inPlace, 2, 5, 6, default, default);

        Assert.Equal(separate, inPlace);
        Assert.NotEqual(x, inPlace);
    }

    [Theory]
    [InlineData(nameof(SeC32R4))]
    [InlineData(nameof(CbamC32))]
    public void Threads_do_not_change_a_single_bit(string layer)
    {
        var random = new Random(11);
        Shape shape = s_shapes[layer];
        (WeightDictionary weights, _) = RandomWeights(shape, random);
        const int batch = 8, height = 16, width = 16;
        float[] x = FamilyTestData.Random(random, batch * shape.Channels * height * width);
        Assert.True(x.Length >= FeatureMapAttention.ParallelWorkThreshold, "the case must be large enough to be split");

        var serial = new float[x.Length];
        var parallel = new float[x.Length];
        var serialScale = new float[batch * shape.Channels];
        var parallelScale = new float[batch * shape.Channels];
        ChannelLayers.Create(layer, weights, KernelPath.Auto, threads: 1)(x, serial, batch, height, width, serialScale, default);
        ChannelLayers.Create(layer, weights, KernelPath.Auto, threads: 4)(x, parallel, batch, height, width, parallelScale, default);

        Assert.Equal(serial, parallel);
        Assert.Equal(serialScale, parallelScale);
    }

    [Fact]
    public void Bad_arguments_throw_before_writing_and_name_the_argument()
    {
        var layer = new CbamC32();
        var x = new float[2 * 32 * 5 * 6];
        var y = new float[x.Length];
        y.AsSpan().Fill(42f);

        ArgumentException input = Assert.Throws<ArgumentException>(() => layer.Forward(x.AsSpan(1), y, 2, 5, 6));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("batch × Channels × height × width = 2 × 32 × 5 × 6", input.Message);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => layer.Forward(x, y.AsSpan(0, 10), 2, 5, 6)).ParamName);
        Assert.Equal("channelScale", Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 5, 6, channelScale: new float[63])).ParamName);
        Assert.Equal("spatialScale", Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 5, 6, spatialScale: new float[59])).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, y, 2, 0, 6)).ParamName);
        Assert.All(y, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void Partly_overlapping_output_is_rejected()
    {
        var layer = new SeC32R4();
        var buffer = new float[32 * 2 * 2 + 4];
        ArgumentException e = Assert.Throws<ArgumentException>(() => layer.Forward(buffer.AsSpan(0, 128), buffer.AsSpan(4, 128), 1, 2, 2));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("overlaps", e.Message);
    }

    [Fact]
    public void LoadWeights_names_the_missing_or_misshaped_tensor_and_changes_nothing_on_failure()
    {
        var random = new Random(3);
        (WeightDictionary good, _) = RandomWeights(s_shapes[nameof(CbamC32)], random);
        var layer = new CbamC32 { Path = KernelPath.Scalar };
        layer.LoadWeights(good, "");
        float[] x = FamilyTestData.Random(random, 32 * 4 * 4);
        var before = new float[x.Length];
        layer.Forward(x, before, 1, 4, 4);

        var missing = Weights(("ca.fc.0.weight", new float[8 * 32], new long[] { 8, 32, 1, 1 }), ("ca.fc.2.weight", new float[32 * 8], new long[] { 32, 8, 1, 1 }));
        Assert.Contains("sa.conv1.weight", Assert.Throws<KeyNotFoundException>(() => layer.LoadWeights(missing)).Message);
        var misshaped = Weights(
            ("ca.fc.0.weight", new float[8 * 32], new long[] { 8, 32, 1, 1 }),
            ("ca.fc.2.weight", new float[32 * 8], new long[] { 32, 8 }),
            ("sa.conv1.weight", new float[98], new long[] { 1, 2, 7, 7 }));
        InvalidDataException shapeError = Assert.Throws<InvalidDataException>(() => layer.LoadWeights(misshaped));
        Assert.Contains("ca.fc.2.weight", shapeError.Message);
        Assert.Contains("[32, 8, 1, 1]", shapeError.Message);

        var after = new float[x.Length];
        layer.Forward(x, after, 1, 4, 4);
        Assert.Equal(before, after);
    }

    private static (WeightDictionary Weights, float[][] Tensors) RandomWeights(Shape shape, Random random)
    {
        int c = shape.Channels, h = shape.Hidden, k = shape.Kernel;
        switch (shape.Kind)
        {
            case Kind.SqueezeExcitation:
                {
                    float[] fc1 = FamilyTestData.Random(random, h * c, 0.5), b1 = FamilyTestData.Random(random, h, 0.5), fc2 = FamilyTestData.Random(random, c * h, 1), b2 = FamilyTestData.Random(random, c, 1);
                    return (Weights(("fc1.weight", fc1, new long[] { h, c, 1, 1 }), ("fc1.bias", b1, new long[] { h }), ("fc2.weight", fc2, new long[] { c, h, 1, 1 }), ("fc2.bias", b2, new long[] { c })),
                        new[] { fc1, b1, fc2, b2 });
                }

            case Kind.Eca:
                {
                    float[] taps = FamilyTestData.Random(random, k, 1);
                    return (Weights(("conv.weight", taps, new long[] { 1, 1, k })), new[] { taps });
                }

            default:
                {
                    float[] fc0 = FamilyTestData.Random(random, h * c, 0.5), fc2 = FamilyTestData.Random(random, c * h, 1), spatial = FamilyTestData.Random(random, 2 * k * k, 0.5);
                    return (Weights(("ca.fc.0.weight", fc0, new long[] { h, c, 1, 1 }), ("ca.fc.2.weight", fc2, new long[] { c, h, 1, 1 }), ("sa.conv1.weight", spatial, new long[] { 1, 2, k, k })),
                        new[] { fc0, fc2, spatial });
                }
        }
    }

    private static (double[] Y, double[] ChannelScale, double[] SpatialScale) Reference(Shape shape, float[][] t, float[] x, int batch, int height, int width)
    {
        switch (shape.Kind)
        {
            case Kind.SqueezeExcitation:
                {
                    double[] y = ChannelAttentionReference.SqueezeExcitation(x, batch, shape.Channels, height, width, t[0], t[1], t[2], t[3], shape.Pooling, shape.HardSigmoid, out double[] scale);
                    return (y, scale, Array.Empty<double>());
                }

            case Kind.Eca:
                {
                    double[] y = ChannelAttentionReference.EfficientChannelAttention(x, batch, shape.Channels, height, width, t[0], out double[] scale);
                    return (y, scale, Array.Empty<double>());
                }

            default:
                {
                    double[] y = ChannelAttentionReference.ConvBlockAttention(x, batch, shape.Channels, height, width, t[0], t[1], t[2], out double[] cs, out double[] ss);
                    return (y, cs, ss);
                }
        }
    }
}
