using System;
using System.Collections.Generic;
using System.IO;
using Attend;
using Attend.Tests.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.FamilyPointwise;

/// <summary>
/// The External-Attention layers beyond the fixtures: argument and weight errors, in-place use, thread-count invariance,
/// and degenerate inputs. Weights come from the fixtures, inputs are random.
/// </summary>
public sealed class PointwiseAttentionTests
{
    /// <summary>Each feature-map test layer with the fixture its weights come from (null: no weights) and its channels.</summary>
    public static TheoryData<string, string?, int> FeatureMapLayers => new()
    {
        { nameof(SimAmC8), null, 8 },
        { nameof(ShuffleC32G4), "shuffle_g4_small", 32 },
        { nameof(CoordC40R4), "coordatt_r4_small", 40 },
        { nameof(PsaC16Parallel), "psa_parallel_small", 16 },
        { nameof(PsaC16Sequential), "psa_sequential_small", 16 },
    };

    public static TheoryData<string, string, int> TokenLayers => new()
    {
        { nameof(ExternalD15S64), "external_attention_s64_small", 15 },
        { nameof(SeparableD15Relu), "mobilevitv2_relu_small", 15 },
    };

    [Theory]
    [MemberData(nameof(FeatureMapLayers))]
    public void Feature_map_in_place_gives_the_same_result_as_separate_buffers(string layer, string? fixture, int channels)
    {
        using SafeTensorsFile? file = fixture is null ? null : OpenFixture(fixture);
        PointwiseForward forward = PointwiseRunner.Create(layer, file, KernelPath.Auto);
        float[] x = Random(new Random(7), 2 * channels * 5 * 6, 2);

        var separate = new float[x.Length];
        forward(x, separate, 2, 5, 6, new Dictionary<string, float[]>());
        float[] inPlace = (float[])x.Clone();
        forward(inPlace, inPlace, 2, 5, 6, new Dictionary<string, float[]>());

        Assert.Equal(separate, inPlace);
        Assert.NotEqual(x, inPlace);
    }

    [Theory]
    [MemberData(nameof(FeatureMapLayers))]
    public void Feature_map_threads_do_not_change_a_single_bit(string layer, string? fixture, int channels)
    {
        using SafeTensorsFile? file = fixture is null ? null : OpenFixture(fixture);
        const int batch = 8, height = 16, width = 17;
        float[] x = Random(new Random(11), batch * channels * height * width);
        var serial = new float[x.Length];
        var parallel = new float[x.Length];
        PointwiseRunner.Create(layer, file, KernelPath.Auto, threads: 1)(x, serial, batch, height, width, new Dictionary<string, float[]>());
        PointwiseRunner.Create(layer, file, KernelPath.Auto, threads: 4)(x, parallel, batch, height, width, new Dictionary<string, float[]>());
        Assert.Equal(serial, parallel);
    }

    [Theory]
    [MemberData(nameof(TokenLayers))]
    public void Token_layer_threads_do_not_change_a_single_bit(string layer, string fixture, int modelDim)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        const int batch = 6, tokens = 300; // enough multiply-adds for ProjectionDriver to split
        float[] x = Random(new Random(13), batch * tokens * modelDim);
        var serial = new float[x.Length];
        var parallel = new float[x.Length];
        PointwiseRunner.Create(layer, file, KernelPath.Auto, threads: 1)(x, serial, batch, tokens, 0, new Dictionary<string, float[]>());
        PointwiseRunner.Create(layer, file, KernelPath.Auto, threads: 4)(x, parallel, batch, tokens, 0, new Dictionary<string, float[]>());
        Assert.Equal(serial, parallel);
    }

    [Fact]
    public void Feature_map_bad_arguments_throw_before_writing_and_name_the_argument()
    {
        using SafeTensorsFile file = OpenFixture("psa_parallel_small");
        var layer = new PsaC16Parallel();
        layer.LoadWeights(file);
        var x = new float[2 * 16 * 5 * 6];
        var y = new float[x.Length];
        y.AsSpan().Fill(42f);

        ArgumentException input = Assert.Throws<ArgumentException>(() => layer.Forward(x.AsSpan(1), y, 2, 5, 6));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("batch × Channels × height × width = 2 × 16 × 5 × 6", input.Message);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => layer.Forward(x, y.AsSpan(0, 10), 2, 5, 6)).ParamName);
        Assert.Equal("channelScale", Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 5, 6, channelScale: new float[31])).ParamName);
        ArgumentException spatial = Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 5, 6, spatialScale: new float[59]));
        Assert.Equal("spatialScale", spatial.ParamName);
        Assert.Contains("2 × 5 × 6", spatial.Message);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, y, 2, 5, 0)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => new SimAmC8().Forward(x, y, 0, 5, 6)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new SimAmC8().Forward(x, y, 2, 5, 6)).ParamName); // 8 channels, not 16
        Assert.All(y, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void Token_layer_bad_arguments_throw_before_writing_and_name_the_argument()
    {
        using SafeTensorsFile file = OpenFixture("mobilevitv2_repo_small");
        var layer = new SeparableD15();
        layer.LoadWeights(file);
        var x = new float[2 * 7 * 15];
        var y = new float[x.Length];
        y.AsSpan().Fill(42f);

        ArgumentException input = Assert.Throws<ArgumentException>(() => layer.Forward(x.AsSpan(0, 100), y, 2, 7));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("batch × tokens × ModelDim = 2 × 7 × 15", input.Message);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => layer.Forward(x, y.AsSpan(1), 2, 7)).ParamName);
        Assert.Equal("contextScores", Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 7, contextScores: new float[13])).ParamName);
        Assert.Contains("batch × ModelDim = 2 × 15", Assert.Throws<ArgumentException>(() => layer.Forward(x, y, 2, 7, contextVector: new float[15])).Message);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, y, 2, 0)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => layer.Forward(x, x, 2, 7)).ParamName); // in place is not supported

        using SafeTensorsFile external = OpenFixture("external_attention_s8_small");
        var memory = new ExternalD15S8();
        memory.LoadWeights(external);
        ArgumentException attention = Assert.Throws<ArgumentException>(() => memory.Forward(x, y, 2, 7, attention: new float[2 * 7 * 64]));
        Assert.Equal("attention", attention.ParamName);
        Assert.Contains("batch × tokens × MemoryUnits = 2 × 7 × 8", attention.Message);
        Assert.All(y, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void LoadWeights_names_the_missing_or_misshaped_tensor_and_changes_nothing_on_failure()
    {
        using SafeTensorsFile file = OpenFixture("coordatt_r4_small");
        var layer = new CoordC40R4 { Path = KernelPath.Scalar };
        layer.LoadWeights(file);
        float[] x = Random(new Random(3), 40 * 4 * 4);
        var before = new float[x.Length];
        layer.Forward(x, before, 1, 4, 4);

        var missing = new WeightDictionary();
        foreach (string name in new[] { "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean" }) missing.Add(name, file.ReadFloat32(name), ShapeOf(file, name));
        Assert.Contains("bn1.running_var", Assert.Throws<KeyNotFoundException>(() => layer.LoadWeights(missing)).Message);

        var misshaped = new WeightDictionary();
        foreach (string name in new[] { "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "conv_h.bias", "conv_w.weight", "conv_w.bias" })
        {
            misshaped.Add(name, file.ReadFloat32(name), ShapeOf(file, name));
        }

        misshaped.Add("conv_h.weight", file.ReadFloat32("conv_h.weight"), 40, 10);
        InvalidDataException shape = Assert.Throws<InvalidDataException>(() => layer.LoadWeights(misshaped));
        Assert.Contains("conv_h.weight", shape.Message);
        Assert.Contains("[40, 10, 1, 1]", shape.Message);

        var after = new float[x.Length];
        layer.Forward(x, after, 1, 4, 4);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Biases_a_softmax_cancels_are_checked_but_change_nothing()
    {
        // The fixture README: no output depends on PSA's ch_wq.bias or MobileViTv2's fc_i.bias; a wrong shape still fails the load.
        using SafeTensorsFile file = OpenFixture("mobilevitv2_repo_small");
        var weights = new WeightDictionary();
        foreach (string name in new[] { "fc_i.weight", "fc_k.weight", "fc_k.bias", "fc_v.weight", "fc_v.bias", "fc_o.weight", "fc_o.bias" }) weights.Add(name, file.ReadFloat32(name), ShapeOf(file, name));
        weights.Add("fc_i.bias", new[] { 1000f }, 1);
        var shifted = new SeparableD15();
        shifted.LoadWeights(weights);
        var original = new SeparableD15();
        original.LoadWeights(file);
        float[] x = file.ReadFloat32("input.x");
        var a = new float[x.Length];
        var b = new float[x.Length];
        shifted.Forward(x, a, 2, 7);
        original.Forward(x, b, 2, 7);
        Assert.Equal(b, a);

        var wrong = new WeightDictionary();
        foreach (string name in new[] { "fc_i.weight", "fc_k.weight", "fc_k.bias", "fc_v.weight", "fc_v.bias", "fc_o.weight", "fc_o.bias" }) wrong.Add(name, file.ReadFloat32(name), ShapeOf(file, name));
        wrong.Add("fc_i.bias", new[] { 0f, 0f }, 2);
        Assert.Contains("fc_i.bias", Assert.Throws<InvalidDataException>(() => shifted.LoadWeights(wrong)).Message);
    }

    private static long[] ShapeOf(SafeTensorsFile file, string name)
    {
        Assert.True(file.TryGetInfo(name, out TensorInfo? info));
        return System.Linq.Enumerable.ToArray(info!.Shape);
    }

    [Fact]
    public void Constant_channels_and_maps_give_no_nan()
    {
        // A constant plane has zero variance: SimAM divides by λ, GroupNorm by √ε, CoordAtt and PSA see equal pixels.
        foreach ((string layer, string? fixture) in new[] { (nameof(SimAmC8), (string?)null), (nameof(ShuffleC32G4), "shuffle_g4_small"), (nameof(PsaC16Sequential), "psa_sequential_small"), (nameof(CoordC40R32), "coordatt_r32_small") })
        {
            using SafeTensorsFile? file = fixture is null ? null : OpenFixture(fixture);
            int channels = layer switch { nameof(SimAmC8) => 8, nameof(ShuffleC32G4) => 32, nameof(PsaC16Sequential) => 16, _ => 40 };
            float[] input = new float[2 * channels * 12];
            input.AsSpan(0, channels * 12).Fill(0.75f);
            Random(new Random(5), channels * 12).CopyTo(input, channels * 12);
            var y = new float[input.Length];
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All)
            {
                PointwiseRunner.Create(layer, file, path)(input, y, 2, 3, 4, new Dictionary<string, float[]>());
                Assert.All(y, v => Assert.True(float.IsFinite(v), $"{layer} {path}: {v}"));
            }
        }
    }
}

/// <summary>A warm Forward of every External-Attention layer allocates nothing (one thread for the feature-map layers, whose batch split uses Parallel.For).</summary>
[Collection(AllocationCollection.Name)]
public sealed class PointwiseAttentionAllocationTests
{
    [Theory]
    [InlineData(nameof(SimAmC64), null, 64, 1)]
    [InlineData(nameof(ShuffleC128G4), "shuffle_g4_medium", 128, 1)]
    [InlineData(nameof(CoordC128R4), "coordatt_r4_medium", 128, 1)]
    [InlineData(nameof(PsaC128Parallel), "psa_parallel_medium", 128, 1)]
    [InlineData(nameof(PsaC128Sequential), "psa_sequential_medium", 128, 1)]
    [InlineData(nameof(ExternalD128S64), "external_attention_s64_medium", 128, 1)]
    [InlineData(nameof(ExternalD128S64), "external_attention_s64_medium", 128, 2)]
    [InlineData(nameof(SeparableD128Relu), "mobilevitv2_relu_medium", 128, 1)]
    [InlineData(nameof(SeparableD128Relu), "mobilevitv2_relu_medium", 128, 2)]
    public void Forward_allocates_nothing_once_warm(string layer, string? fixture, int channels, int threads)
    {
        using SafeTensorsFile? file = fixture is null ? null : OpenFixture(fixture);
        PointwiseForward forward = PointwiseRunner.Create(layer, file, KernelPath.Auto, threads);
        bool tokens = layer.StartsWith("External", StringComparison.Ordinal) || layer.StartsWith("Separable", StringComparison.Ordinal);
        int size0 = tokens ? 200 : 9, size1 = tokens ? 0 : 11;
        float[] x = Random(new Random(17), 2 * channels * size0 * Math.Max(size1, 1));
        var y = new float[x.Length];
        var extras = new Dictionary<string, float[]>();
        AllocationTests.AssertAllocatesNothing(() => forward(x, y, 2, size0, size1, extras));
    }
}
