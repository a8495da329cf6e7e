using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// Every ONNX LayerNormalization, RMSNormalization, Gelu, Softmax and RotaryEmbedding conformance case, on every
/// kernel path, against the outputs ONNX's reference computed.
/// </summary>
public sealed class OnnxRelatedOpTests
{
    // The related operators live apart from the Attention cases, so the Attention conformance folder holds only Attention.
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "onnx-ops");

    public static TheoryData<string, KernelPath> Cases(string prefix)
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in CaseNames(prefix))
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    private static string[] CaseNames(string prefix) =>
        Directory.GetFiles(Folder, prefix + "*.safetensors").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("test_layer_normalization_", 19)]
    [InlineData("test_rms_normalization_", 19)]
    [InlineData("test_gelu_", 4)]
    [InlineData("test_softmax_", 7)]
    [InlineData("test_rotary_embedding", 8)]
    public void EveryConformanceCaseIsPresent(string prefix, int count) => Assert.Equal(count, CaseNames(prefix).Length);

    [Theory]
    [MemberData(nameof(Cases), "test_layer_normalization_")]
    public void LayerNormalization(string name, KernelPath path)
    {
        using SafeTensorsFile file = Open(name);
        int[] shape = TestTensors.Dims(file, "input.X");
        (int rows, int features) = SplitAt(shape, Axis(file, shape.Length));
        float epsilon = Attribute(file, "epsilon", 1e-5f);
        float[] y = new float[rows * features], mean = new float[rows], inverse = new float[rows];

        Normalization.LayerNorm(path, file.ReadFloat32("input.X"), rows, features, file.ReadFloat32("input.Scale"),
            file.TryGetInfo("input.B", out _) ? file.ReadFloat32("input.B") : default, epsilon, y, mean, inverse);

        AssertClose(file.ReadFloat32("output.Y"), y);
        AssertClose(file.ReadFloat32("output.Mean"), mean);
        AssertClose(file.ReadFloat32("output.InvStdDev"), inverse);
    }

    [Theory]
    [MemberData(nameof(Cases), "test_rms_normalization_")]
    public void RmsNormalization(string name, KernelPath path)
    {
        using SafeTensorsFile file = Open(name);
        int[] shape = TestTensors.Dims(file, "input.X");
        (int rows, int features) = SplitAt(shape, Axis(file, shape.Length));
        float[] y = new float[rows * features];

        Normalization.RmsNorm(path, file.ReadFloat32("input.X"), rows, features, file.ReadFloat32("input.scale"), Attribute(file, "epsilon", 1e-5f), y);

        AssertClose(file.ReadFloat32("output.Y"), y);
    }

    [Theory]
    [MemberData(nameof(Cases), "test_gelu_")]
    public void Gelu(string name, KernelPath path)
    {
        using SafeTensorsFile file = Open(name);
        float[] x = file.ReadFloat32("input.X");
        float[] y = new float[x.Length];
        bool tanh = file.Metadata.TryGetValue("attr.approximate", out string? approximate) && approximate == "tanh";

        if (tanh) Activations.GeluTanh(path, x, y);
        else Activations.Gelu(path, x, y);

        AssertClose(file.ReadFloat32("output.Y"), y);
    }

    [Theory]
    [MemberData(nameof(Cases), "test_softmax_")]
    public void Softmax(string name, KernelPath path)
    {
        using SafeTensorsFile file = Open(name);
        int[] shape = TestTensors.Dims(file, "input.input");
        int axis = Axis(file, shape.Length);
        int outer = shape[..axis].Aggregate(1, (a, b) => a * b);
        int inner = shape[(axis + 1)..].Aggregate(1, (a, b) => a * b);
        float[] x = file.ReadFloat32("input.input");
        float[] y = new float[x.Length];

        Attend.Kernels.Softmax.Forward(path, x, outer, shape[axis], inner, y);

        AssertClose(file.ReadFloat32("output.output"), y);
    }

    [Theory]
    [MemberData(nameof(Cases), "test_rotary_embedding")]
    public void RotaryEmbeddingCase(string name, KernelPath path)
    {
        using SafeTensorsFile file = Open(name);
        int[] shape = TestTensors.Dims(file, "input.X");
        bool fourD = shape.Length == 4;
        int batch = shape[0];
        int heads = fourD ? shape[1] : int.Parse(file.Metadata["attr.num_heads"], CultureInfo.InvariantCulture);
        int sequence = fourD ? shape[2] : shape[1];
        int dimHead = fourD ? shape[3] : shape[2] / heads;
        int[] cacheShape = TestTensors.Dims(file, "input.cos_cache");
        float[] x = file.ReadFloat32("input.X");
        float[] y = new float[x.Length];

        RotaryEmbedding.Onnx(path, x, y, batch, heads, sequence, dimHead, fourD,
            file.ReadFloat32("input.cos_cache"), file.ReadFloat32("input.sin_cache"), cacheShape[^1],
            file.TryGetInfo("input.position_ids", out _) ? file.ReadInt64("input.position_ids") : default,
            (int)Attribute(file, "rotary_embedding_dim", 0f), Attribute(file, "interleaved", 0f) == 1f);

        AssertClose(file.ReadFloat32("output.Y"), y);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RotaryEmbedding_InPlace_MatchesOutOfPlace(bool interleaved)
    {
        using SafeTensorsFile file = Open(interleaved ? "test_rotary_embedding_interleaved" : "test_rotary_embedding");
        float[] x = file.ReadFloat32("input.X");
        float[] cos = file.ReadFloat32("input.cos_cache"), sin = file.ReadFloat32("input.sin_cache");
        long[] ids = file.ReadInt64("input.position_ids");
        float[] separate = new float[x.Length];
        RotaryEmbedding.Onnx(KernelPath.Vector256, x, separate, 2, 4, 3, 8, true, cos, sin, 4, ids, 0, interleaved);

        RotaryEmbedding.Onnx(KernelPath.Vector256, x, x, 2, 4, 3, 8, true, cos, sin, 4, ids, 0, interleaved);

        Assert.Equal(separate, x);
    }

    [Fact]
    public void Softmax_FullyMaskedRow_IsZeros()
    {
        float[] x = [float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 1f, 2f, float.NegativeInfinity];
        foreach (KernelPath path in KernelPaths.All)
        {
            float[] y = new float[6];
            Attend.Kernels.Softmax.Forward(path, x, 2, 3, y);
            Assert.Equal([0f, 0f, 0f], y[..3]);
            Assert.Equal(1f, y[3] + y[4], 6);
            Assert.Equal(0f, y[5]);
        }
    }

    [Fact]
    public void Gelu_IsAccurateFarIntoTheNegativeTail()
    {
        // x·Φ(x) at x = −5 is −1.43326e−6; 1 + erf would cancel there, erfc keeps the relative accuracy.
        float[] x = [-5f, -3f, 0f, 3f];
        double[] expected = [-1.4332578593959731e-6, -0.004049694094890287, 0, 2.99595030590511];
        foreach (KernelPath path in KernelPaths.All)
        {
            float[] y = new float[4];
            Activations.Gelu(path, x, y);
            for (int i = 0; i < 4; i++) Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-6 * Math.Max(Math.Abs(expected[i]), 1e-3), $"{path} x = {x[i]}: {y[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Gelu_FourRegistersAtATime_GiveTheOneRegisterBits()
    {
        var random = new Random(7);
        float[] x = Enumerable.Range(0, 4 * 16 * 3 + 2 * 16 + 7).Select(_ => (float)(random.NextDouble() * 12 - 6)).ToArray();
        foreach (KernelPath path in KernelPaths.All)
        {
            float[] whole = new float[x.Length];
            Activations.Gelu(path, x, whole);
            int lanes = path switch { KernelPath.Vector512 => 16, KernelPath.Vector256 => 8, KernelPath.Vector128 => 4, _ => 1 };
            float[] oneRegisterAtATime = new float[x.Length];
            for (int start = 0; start < x.Length; start += lanes)
            {
                int length = Math.Min(lanes, x.Length - start);
                Activations.Gelu(path, x.AsSpan(start, length), oneRegisterAtATime.AsSpan(start, length));
            }

            Assert.Equal(oneRegisterAtATime, whole);
        }
    }

    [Fact]
    public void Kernels_RejectWrongLengthsByName()
    {
        var ex = Assert.Throws<ArgumentException>(() => Normalization.LayerNorm(KernelPath.Auto, new float[10], 2, 5, new float[4], default, 1e-5f, new float[10]));
        Assert.Equal("scale", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Activations.Relu(KernelPath.Auto, new float[4], new float[5]));
        Assert.Equal("output", ex.ParamName);
        float[] buffer = new float[8];
        ex = Assert.Throws<ArgumentException>(() => Activations.Gelu(KernelPath.Auto, buffer.AsSpan(0, 4), buffer.AsSpan(1, 4)));
        Assert.Equal("output", ex.ParamName);
    }

    private static SafeTensorsFile Open(string name) => SafeTensors.Open(Path.Combine(Folder, name + ".safetensors"));

    private static int Axis(SafeTensorsFile file, int rank)
    {
        int axis = (int)Attribute(file, "axis", -1f);
        return axis < 0 ? axis + rank : axis;
    }

    private static float Attribute(SafeTensorsFile file, string name, float defaultValue) =>
        file.Metadata.TryGetValue("attr." + name, out string? text) ? float.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    private static (int Rows, int Features) SplitAt(int[] shape, int axis) =>
        (shape[..axis].Aggregate(1, (a, b) => a * b), shape[axis..].Aggregate(1, (a, b) => a * b));

    /// <summary>Float32 kernels against ONNX's float32 reference: within 2e-6 absolute plus 1e-5 relative.</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 2e-6 + 1e-5 * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
