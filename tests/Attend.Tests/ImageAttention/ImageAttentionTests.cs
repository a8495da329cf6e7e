using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend;
using Attend.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.ImageAttention;

/// <summary>DANet and convolutional self-attention layers: argument and weight errors, thread-count invariance.</summary>
public sealed class ImageAttentionTests
{
    /// <summary>Every test layer with random weights under its names, and the input/output channels of Forward.</summary>
    internal static (IWeightSource Weights, int InChannels, int OutChannels) RandomLayer(string layer, Random random)
    {
        var tensors = new List<(string, float[], long[])>();
        void Add(string name, params long[] shape)
        {
            long count = 1;
            foreach (long d in shape) count *= d;
            tensors.Add((name, Random(random, (int)count, 0.3), shape));
        }

        switch (layer)
        {
            case nameof(PamC64) or nameof(PamC16):
            {
                int c = layer == nameof(PamC64) ? 64 : 16;
                Add("cnn.weight", c, c, 3, 3);
                Add("cnn.bias", c);
                foreach (string p in new[] { "q", "k", "v", "o" })
                {
                    Add($"pa.fc_{p}.weight", c, c);
                    Add($"pa.fc_{p}.bias", c);
                }

                return (Weights(tensors.ToArray()), c, c);
            }

            case nameof(PamOfficialC64) or nameof(PamOfficialC16):
            {
                int c = layer == nameof(PamOfficialC64) ? 64 : 16;
                Add("gamma", 1);
                Add("query_conv.weight", c / 8, c, 1, 1);
                Add("query_conv.bias", c / 8);
                Add("key_conv.weight", c / 8, c, 1, 1);
                Add("key_conv.bias", c / 8);
                Add("value_conv.weight", c, c, 1, 1);
                Add("value_conv.bias", c);
                return (Weights(tensors.ToArray()), c, c);
            }

            case nameof(CamC64H7W7):
                Add("cnn.weight", 64, 64, 3, 3);
                Add("cnn.bias", 64);
                Add("pa.fc_o.weight", 49, 49);
                Add("pa.fc_o.bias", 49);
                return (Weights(tensors.ToArray()), 64, 64);
            case nameof(CamOfficialC64):
                Add("gamma", 1);
                return (Weights(tensors.ToArray()), 64, 64);
            default:
                return (ConvolutionAsAttention.Weights(Random(random, 24 * 16 * 9, 0.3), Random(random, 24, 0.3), 24, 16, 3), 16, 24);
        }
    }

    public static TheoryData<string, int, int> ThreadCases() => new()
    {
        { nameof(PamC64), 28, 28 },
        { nameof(PamOfficialC64), 28, 28 },
        { nameof(CamC64H7W7), 7, 7 },
        { nameof(CamOfficialC64), 40, 40 },
        { nameof(AttnConvK3Medium), 40, 40 },
    };

    [Theory]
    [MemberData(nameof(ThreadCases))]
    public void Results_do_not_depend_on_the_thread_count(string layer, int height, int width)
    {
        var random = new Random(3);
        (IWeightSource weights, int inChannels, int outChannels) = RandomLayer(layer, random);
        const int Batch = 3;
        float[] x = Random(random, Batch * inChannels * height * width);
        var single = new float[Batch * outChannels * height * width];
        var parallel = new float[single.Length];
        ImageAttentionLayers.Create(layer, weights, KernelPath.Auto, threads: 1)(x, single, Batch, height, width);
        ImageAttentionLayers.Create(layer, weights, KernelPath.Auto, threads: 4)(x, parallel, Batch, height, width);
        Assert.Equal(single, parallel);
    }

    public static TheoryData<string> Layers() => new()
    {
        nameof(PamC64), nameof(PamOfficialC64), nameof(CamC64H7W7), nameof(CamOfficialC64), nameof(AttnConvK3Medium),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Forward_rejects_bad_arguments_naming_them(string layer)
    {
        (IWeightSource weights, int inChannels, int outChannels) = RandomLayer(layer, new Random(4));
        ImageForward forward = ImageAttentionLayers.Create(layer, weights, KernelPath.Auto);
        const int Height = 7, Width = 7;
        var x = new float[2 * inChannels * Height * Width];
        var y = new float[2 * outChannels * Height * Width];

        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 0, Height, Width)).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 2, -1, Width)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 2, Height, 0)).ParamName);
        ArgumentException input = Assert.Throws<ArgumentException>(() => forward(x.AsSpan(1), y, 2, Height, Width));
        Assert.Equal("input", input.ParamName);
        Assert.Contains(x.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), input.Message, StringComparison.Ordinal);
        ArgumentException output = Assert.Throws<ArgumentException>(() => forward(x, y.AsSpan(0, y.Length - 1), 2, Height, Width));
        Assert.Equal("output", output.ParamName);
        Assert.Contains(y.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), output.Message, StringComparison.Ordinal);
        if (inChannels == outChannels)
        {
            Assert.Equal("output", Assert.Throws<ArgumentException>(() => forward(x, x, 2, Height, Width)).ParamName);
        }
    }

    [Fact]
    public void Collection_channel_attention_rejects_another_map_size()
    {
        (IWeightSource weights, _, _) = RandomLayer(nameof(CamC64H7W7), new Random(5));
        ImageForward forward = ImageAttentionLayers.Create(nameof(CamC64H7W7), weights, KernelPath.Auto);
        var x = new float[64 * 49];
        var y = new float[64 * 49];
        ArgumentException error = Assert.Throws<ArgumentException>(() => forward(x, y, 1, 49, 1));
        Assert.Equal("height", error.ParamName);
        Assert.Contains("Height = 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadWeights_names_the_missing_or_misshapen_tensor_and_keeps_the_old_weights()
    {
        var random = new Random(6);
        (IWeightSource good, _, _) = RandomLayer(nameof(PamOfficialC64), random);
        var layer = new PamOfficialC64 { MaxDegreeOfParallelism = 1 };
        layer.LoadWeights(good);
        float[] x = Random(random, 64 * 5 * 5);
        var before = new float[x.Length];
        layer.Forward(x, before, 1, 5, 5);

        var missing = new WeightDictionary();
        missing.Add("gamma", new float[] { 1 }, 1);
        Assert.Contains("query_conv.weight", Assert.Throws<KeyNotFoundException>(() => layer.LoadWeights(missing)).Message, StringComparison.Ordinal);

        var misshapen = new WeightDictionary();
        foreach (string name in new[] { "gamma", "query_conv.weight", "query_conv.bias", "key_conv.weight", "key_conv.bias", "value_conv.bias" })
        {
            good.TryGetInfo(name, out TensorInfo info);
            var data = new float[info.ElementCount];
            good.ReadFloat32(name, data);
            misshapen.Add(name, data, info.Shape.ToArray());
        }

        misshapen.Add("value_conv.weight", new float[64 * 64], 64, 64);
        Assert.Contains("value_conv.weight", Assert.Throws<InvalidDataException>(() => layer.LoadWeights(misshapen)).Message, StringComparison.Ordinal);

        var after = new float[x.Length];
        layer.Forward(x, after, 1, 5, 5);
        Assert.Equal(before, after);
    }
}
