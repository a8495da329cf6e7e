using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>BAM, Triplet and SK layers beyond the fixtures: arguments, in-place use, threads, weight loading, allocation.</summary>
public sealed class ExternalAttentionTests
{
    /// <summary>Each test layer with a fixture holding its weights.</summary>
    public static TheoryData<string, string> Layers => new()
    {
        { nameof(BamC32R16D2), "bam_r16_d2_small" },
        { nameof(TripletC6), "triplet_small" },
        { nameof(TripletC6NoSpatial), "triplet_nospatial_small" },
        { nameof(SkC8), "sk_k1357_small" },
        { nameof(SkC8K35G4), "sk_k35_g4_small" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Bad_arguments_throw_before_writing_and_name_the_argument(string layer, string fixture)
    {
        (FeatureMapForward forward, int channels) = Create(layer, fixture, KernelPath.Auto);
        var x = new float[2 * channels * 5 * 6];
        var y = new float[x.Length];
        y.AsSpan().Fill(42f);

        ArgumentException input = Assert.Throws<ArgumentException>(() => forward(x.AsSpan(1), y, 2, 5, 6, default, default));
        Assert.Equal("input", input.ParamName);
        Assert.Contains($"batch × Channels × height × width = 2 × {channels} × 5 × 6 = {x.Length}", input.Message);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => forward(x, y.AsSpan(0, 10), 2, 5, 6, default, default)).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 2, 0, 6, default, default)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 2, 5, -1, default, default)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => forward(x, y, 0, 5, 6, default, default)).ParamName);
        var shared = new float[x.Length + 4];
        ArgumentException overlap = Assert.Throws<ArgumentException>(() => forward(shared.AsSpan(0, x.Length), shared.AsSpan(4, x.Length), 2, 5, 6, default, default));
        Assert.Equal("output", overlap.ParamName);
        Assert.Contains("overlaps", overlap.Message);
        Assert.All(y, v => Assert.Equal(42f, v));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void In_place_gives_the_same_result_as_separate_buffers(string layer, string fixture)
    {
        (FeatureMapForward forward, int channels) = Create(layer, fixture, KernelPath.Auto);
        float[] x = Random(new Random(7), 2 * channels * 9 * 19);
        var separate = new float[x.Length];
        forward(x, separate, 2, 9, 19, default, default);
        float[] inPlace = (float[])x.Clone();
        forward(inPlace, inPlace, 2, 9, 19, default, default);

        Assert.Equal(separate, inPlace);
        Assert.NotEqual(x, inPlace);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Threads_do_not_change_a_single_bit(string layer, string fixture)
    {
        int channels = Create(layer, fixture, KernelPath.Auto).Channels;
        const int batch = 6, height = 29, width = 37;
        float[] x = Random(new Random(11), batch * channels * height * width);
        Assert.True(x.Length >= Attend.Kernels.FeatureMapAttention.ParallelWorkThreshold, "the case must be large enough to be split");

        var serial = new float[x.Length];
        var parallel = new float[x.Length];
        Create(layer, fixture, KernelPath.Auto, threads: 1).Forward(x, serial, batch, height, width, default, default);
        Create(layer, fixture, KernelPath.Auto, threads: 3).Forward(x, parallel, batch, height, width, default, default);
        Assert.Equal(serial, parallel);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_path_agrees_on_maps_wider_than_every_register(string layer, string fixture)
    {
        // The fixtures are at most 11 wide; 37 columns run full registers, an overlapping one and (H × C, C × W) other shapes.
        int channels = Create(layer, fixture, KernelPath.Scalar).Channels;
        float[] x = Random(new Random(5), 2 * channels * 13 * 37);
        var reference = new float[x.Length];
        Create(layer, fixture, KernelPath.Scalar).Forward(x, reference, 2, 13, 37, default, default);
        foreach (KernelPath path in Attend.Kernels.KernelPaths.All)
        {
            var y = new float[x.Length];
            Create(layer, fixture, path).Forward(x, y, 2, 13, 37, default, default);
            AssertClose(reference, y, 1e-5, 1e-4, $"{layer} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void LoadWeights_names_the_missing_or_misshaped_tensor_and_changes_nothing_on_failure(string layer, string fixture)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        List<string> names = file.Names.Where(n => !n.StartsWith("input.", StringComparison.Ordinal) && !n.StartsWith("output.", StringComparison.Ordinal)
            && !n.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        (FeatureMapForward forward, int channels) = Create(layer, fixture, KernelPath.Scalar);
        float[] x = Random(new Random(3), channels * 4 * 4);
        var before = new float[x.Length];
        forward(x, before, 1, 4, 4, default, default);

        foreach (string name in new[] { names[0], names[^1], names.First(n => n.Contains("running_var", StringComparison.Ordinal)) })
        {
            WeightDictionary missing = Copy(file, names, skip: name);
            Assert.Contains(name, Assert.Throws<KeyNotFoundException>(() => Load(layer, missing)).Message);
            WeightDictionary misshaped = Copy(file, names, misshape: name);
            InvalidDataException shape = Assert.Throws<InvalidDataException>(() => Load(layer, misshaped));
            Assert.Contains(name, shape.Message);
        }

        WeightDictionary negativeVariance = Copy(file, names, negate: names.First(n => n.Contains("running_var", StringComparison.Ordinal)));
        Assert.Contains("running_var", Assert.Throws<InvalidDataException>(() => Load(layer, negativeVariance)).Message);

        var after = new float[x.Length];
        forward(x, after, 1, 4, 4, default, default);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Prefix_is_prepended_to_every_name()
    {
        using SafeTensorsFile file = OpenFixture("triplet_small");
        var prefixed = new WeightDictionary();
        var plain = new WeightDictionary();
        foreach (string name in file.Names.Where(n => !n.StartsWith("input.", StringComparison.Ordinal) && !n.StartsWith("output.", StringComparison.Ordinal)))
        {
            file.TryGetInfo(name, out TensorInfo info);
            var data = new float[info.ElementCount];
            file.ReadFloat32(name, data);
            prefixed.Add("backbone.layer2.attention." + name, data, info.Shape.ToArray());
        }

        var layer = new TripletC6 { Path = KernelPath.Scalar };
        layer.LoadWeights(prefixed, "backbone.layer2.attention.");
        float[] x = file.ReadFloat32("input.x");
        var y = new float[x.Length];
        layer.Forward(x, y, 2, 5, 7);
        AssertClose(file.ReadFloat32("output.y"), y, Atol(file), Rtol(file), "prefixed");
        Assert.Throws<KeyNotFoundException>(() => new TripletC6().LoadWeights(prefixed));
    }

    [Fact]
    public void Extreme_inputs_give_no_nan()
    {
        // Saturated gates: sigmoid of ±1e30 logits is exactly 0 or 1, and SK's softmax subtracts the largest logit.
        foreach ((string layer, string fixture) in new[] { (nameof(BamC32R16D2), "bam_r16_d2_small"), (nameof(TripletC6), "triplet_small"), (nameof(SkC8), "sk_k1357_small") })
        {
            (FeatureMapForward forward, int channels) = Create(layer, fixture, KernelPath.Auto);
            float[] x = Random(new Random(9), channels * 5 * 6, scale: 1e30);
            var y = new float[x.Length];
            forward(x, y, 1, 5, 6, default, default);
            Assert.All(y, v => Assert.False(float.IsNaN(v), $"{layer} gave NaN"));
        }
    }

    private static (FeatureMapForward Forward, int Channels) Create(string layer, string fixture, KernelPath path, int threads = 1)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        return (ExternalAttentionLayers.Create(layer, file, path, threads), Int(file, "channels"));
    }

    private static void Load(string layer, IWeightSource weights) => ExternalAttentionLayers.Create(layer, weights, KernelPath.Scalar);

    private static WeightDictionary Copy(SafeTensorsFile file, IEnumerable<string> names, string? skip = null, string? misshape = null, string? negate = null)
    {
        var copy = new WeightDictionary();
        foreach (string name in names.Where(n => n != skip))
        {
            file.TryGetInfo(name, out TensorInfo info);
            var data = new float[info.ElementCount];
            file.ReadFloat32(name, data);
            if (name == negate) data[0] = -1f;
            long[] shape = info.Shape.ToArray();
            copy.Add(name, data, name == misshape ? [.. shape, 1] : shape);
        }

        return copy;
    }
}
