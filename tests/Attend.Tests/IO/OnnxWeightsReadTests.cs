using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend;
using Xunit;
using static Attend.Tests.IO.OnnxTestModels;

namespace Attend.Tests.IO;

/// <summary>Reading valid ONNX initializers: every storage form, every supported type, and Linear weight name recovery.</summary>
public sealed class OnnxWeightsReadTests
{
    [Fact]
    public void RawData_float_tensor_reads_back_with_its_name_shape_and_values()
    {
        float[] values = Sequence(6, 0.5f);
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(FloatTensor("embeddings.LayerNorm.weight", [2, 3], values)));

        Assert.Equal(["embeddings.LayerNorm.weight"], weights.Names);
        Assert.True(weights.TryGetInfo("embeddings.LayerNorm.weight", out TensorInfo info));
        Assert.Equal(TensorDType.F32, info.DType);
        Assert.Equal([2L, 3L], info.Shape);
        Assert.Equal(values, weights.ReadFloat32("embeddings.LayerNorm.weight"));
        Assert.Empty(weights.RecoveredNames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Float_data_packed_or_not_reads_like_raw_data(bool packed)
    {
        float[] values = [1.5f, -2.25f, float.MaxValue, 0f];
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(FloatDataTensor("w", [4], values, packed)));
        Assert.Equal(values, weights.ReadFloat32("w"));
    }

    public static TheoryData<TensorDType, bool> EveryTypeAndStorage()
    {
        var data = new TheoryData<TensorDType, bool>();
        foreach (TensorDType dtype in SupportedTypes)
        {
            data.Add(dtype, false);
            data.Add(dtype, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTypeAndStorage))]
    public void Every_supported_type_reads_the_same_from_raw_data_and_from_its_typed_field(TensorDType dtype, bool typed)
    {
        // The same element bytes through Attend's safetensors conversions are the expected floats.
        var raw = new byte[5 * SizeOf(dtype)];
        new Random(17).NextBytes(raw);
        if (dtype == TensorDType.Bool)
            for (int i = 0; i < raw.Length; i++) raw[i] &= 1;
        var expected = new float[5];
        TensorConversions.ToFloat32(dtype, raw, expected);

        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(Tensor("t", dtype, [5], raw, typed)));
        Assert.True(weights.TryGetInfo("t", out TensorInfo info));
        Assert.Equal(dtype, info.DType);
        float[] actual = weights.ReadFloat32("t");
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Negative_int32_data_values_sign_extended_to_ten_bytes_read_by_value()
    {
        var tensor = new ProtoMessage().PackedVarints(1, [3]).Varint(2, 6).String(8, "ids").PackedVarints(5, [-1, int.MinValue, 7]);
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(tensor));
        Assert.Equal([-1f, int.MinValue, 7f], weights.ReadFloat32("ids"));
    }

    [Fact]
    public void Scalar_and_empty_tensors_load()
    {
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(FloatTensor("scalar", [], [4f]), FloatTensor("empty", [0, 3], [])));
        Assert.Equal([4f], weights.ReadFloat32("scalar"));
        Assert.True(weights.TryGetInfo("empty", out TensorInfo empty));
        Assert.Equal(0, empty.ElementCount);
        Assert.Empty(weights.ReadFloat32("empty"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatMul_weight_added_to_X_bias_is_listed_as_X_weight_out_by_in_and_transposed_on_read(bool biasSecond)
    {
        float[] weightOutIn = Sequence(3 * 2);
        var (nodes, initializers) = MatMulLinear("encoder.layer.0.attention.self.query", "927", weightOutIn, outputs: 3, inputs: 2);
        if (biasSecond)
            nodes[1] = Node("Add", ["encoder.layer.0.attention.self.query/MatMul_output_0", "encoder.layer.0.attention.self.query.bias"], ["sum"]);
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, initializers));

        Assert.Equal(["encoder.layer.0.attention.self.query.bias", "encoder.layer.0.attention.self.query.weight"], weights.Names.Order(StringComparer.Ordinal));
        Assert.True(weights.TryGetInfo("encoder.layer.0.attention.self.query.weight", out TensorInfo info));
        Assert.Equal([3L, 2L], info.Shape);
        Assert.Equal(weightOutIn, weights.ReadFloat32("encoder.layer.0.attention.self.query.weight"));
        Assert.Equal("927", weights.RecoveredNames["encoder.layer.0.attention.self.query.weight"]);
        Assert.False(weights.TryGetInfo("927", out _));
    }

    [Fact]
    public void Transposed_read_is_exact_on_a_matrix_larger_than_one_transpose_block()
    {
        const int Outputs = 70, Inputs = 45;
        float[] weightOutIn = Sequence(Outputs * Inputs, 0.001f);
        var (nodes, initializers) = MatMulLinear("intermediate.dense", "onnx::MatMul_788", weightOutIn, Outputs, Inputs);
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, initializers));
        var destination = new float[Outputs * Inputs];
        weights.ReadFloat32("intermediate.dense.weight", destination);
        Assert.Equal(weightOutIn, destination);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(0, true)]
    public void Gemm_weight_with_bias_X_bias_is_X_weight_transposed_only_when_transB_is_0(long transB, bool storedInOut)
    {
        float[] weightOutIn = Sequence(2 * 3);
        float[] stored = storedInOut ? Transpose(weightOutIn, 2, 3) : weightOutIn;
        long[] dims = storedInOut ? [3, 2] : [2, 3];
        ProtoMessage[] nodes = [Node("Gemm", ["h", "onnx::Gemm_5", "pooler.dense.bias"], ["y"], IntAttribute("transB", transB), FloatAttribute("beta", 1))];
        ProtoMessage[] initializers = [FloatTensor("onnx::Gemm_5", dims, stored), FloatTensor("pooler.dense.bias", [2], [1, 2])];
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, initializers));

        Assert.True(weights.TryGetInfo("pooler.dense.weight", out TensorInfo info));
        Assert.Equal([2L, 3L], info.Shape);
        Assert.Equal(weightOutIn, weights.ReadFloat32("pooler.dense.weight"));
    }

    [Fact]
    public void Named_Gemm_weight_keeps_its_name_and_layout()
    {
        float[] weight = Sequence(4);
        ProtoMessage[] nodes = [Node("Gemm", ["h", "pooler.dense.weight", "pooler.dense.bias"], ["y"], IntAttribute("transB", 1))];
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, [FloatTensor("pooler.dense.weight", [2, 2], weight), FloatTensor("pooler.dense.bias", [2], [0, 0])]));
        Assert.Empty(weights.RecoveredNames);
        Assert.Equal(weight, weights.ReadFloat32("pooler.dense.weight"));
    }

    public static TheoryData<string> GraphsThatAreNotAPlainLinear() => new()
    {
        "gemm-alpha",        // alpha ≠ 1 scales the product: not nn.Linear
        "two-adds",          // the product feeds two Adds: no single bias names it
        "bias-wrong-length", // X.bias has as many values as the input, not the output
        "not-a-bias",        // the Add's other input is not named *.bias
        "bias-not-initializer",
    };

    [Theory]
    [MemberData(nameof(GraphsThatAreNotAPlainLinear))]
    public void Weights_outside_the_Linear_pattern_keep_their_stored_names(string variant)
    {
        float[] weight = Sequence(6);
        ProtoMessage[] nodes = variant switch
        {
            "gemm-alpha" => [Node("Gemm", ["h", "w0", "d.bias"], ["y"], IntAttribute("transB", 1), FloatAttribute("alpha", 0.5f))],
            "two-adds" => [Node("MatMul", ["h", "w0"], ["p"]), Node("Add", ["d.bias", "p"], ["y"]), Node("Add", ["p", "d.bias"], ["z"])],
            "bias-wrong-length" => [Node("MatMul", ["h", "w0"], ["p"]), Node("Add", ["e.bias", "p"], ["y"])],
            "not-a-bias" => [Node("MatMul", ["h", "w0"], ["p"]), Node("Add", ["d.offset", "p"], ["y"])],
            _ => [Node("MatMul", ["h", "w0"], ["p"]), Node("Add", ["runtime.bias", "p"], ["y"])],
        };
        ProtoMessage[] initializers = [FloatTensor("w0", [3, 2], weight), FloatTensor("d.bias", [2], [0, 0]), FloatTensor("e.bias", [3], [0, 0, 0]), FloatTensor("d.offset", [2], [0, 0])];
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, initializers));
        Assert.Empty(weights.RecoveredNames);
        Assert.Equal(weight, weights.ReadFloat32("w0"));
    }

    [Fact]
    public void One_weight_shared_by_two_Linears_is_listed_under_both_names()
    {
        ProtoMessage[] nodes =
        [
            Node("MatMul", ["a", "tied"], ["pa"]), Node("Add", ["first.bias", "pa"], ["ya"]),
            Node("MatMul", ["b", "tied"], ["pb"]), Node("Add", ["second.bias", "pb"], ["yb"]),
        ];
        float[] weightOutIn = Sequence(4);
        ProtoMessage[] initializers = [FloatTensor("tied", [2, 2], Transpose(weightOutIn, 2, 2)), FloatTensor("first.bias", [2], [0, 0]), FloatTensor("second.bias", [2], [0, 0])];
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(nodes, initializers));
        Assert.Equal(weightOutIn, weights.ReadFloat32("first.weight"));
        Assert.Equal(weightOutIn, weights.ReadFloat32("second.weight"));
        Assert.Equal(4, weights.Names.Count());
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped_at_every_level()
    {
        var (nodes, initializers) = MatMulLinear("d", "w", Sequence(4), 2, 2);
        byte[] plain = ModelBytes(nodes, initializers);

        ProtoMessage model = Model(Graph(nodes, initializers));
        foreach (ProtoMessage message in model.Descendants().ToList())
        {
            var group = new ProtoMessage().Varint(1, 5).Fixed32(2, 7);
            group.Fields.Add(new GroupField(3, new ProtoMessage().Fixed64(4, 9)));
            message.Varint(1000, long.MinValue).Fixed32(1001, 1).Fixed64(1002, 2).Bytes(1003, [1, 2, 3]);
            message.Fields.Add(new GroupField(1004, group));
        }
        using OnnxWeightsFile expected = OnnxWeights.Load(plain);
        using OnnxWeightsFile padded = OnnxWeights.Load(model.ToBytes());
        Assert.Equal(expected.Names, padded.Names);
        foreach (string name in expected.Names)
            Assert.Equal(expected.ReadFloat32(name), padded.ReadFloat32(name));
    }

    [Fact]
    public void Open_maps_the_file_and_reads_what_Load_and_the_stream_overload_read()
    {
        var (nodes, initializers) = MatMulLinear("d", "w", Sequence(6), 3, 2);
        byte[] bytes = ModelBytes(nodes, initializers);
        string path = Path.Combine(Path.GetTempPath(), $"attend-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        try
        {
            using OnnxWeightsFile mapped = OnnxWeights.Open(path);
            using OnnxWeightsFile loaded = OnnxWeights.Load(bytes);
            using OnnxWeightsFile streamed = OnnxWeights.Load(new MemoryStream(bytes));
            Assert.Contains(path, mapped.ToString());
            foreach (OnnxWeightsFile other in new[] { loaded, streamed })
            {
                Assert.Equal(mapped.Names, other.Names);
                foreach (string name in mapped.Names)
                    Assert.Equal(mapped.ReadFloat32(name), other.ReadFloat32(name));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void After_Dispose_the_description_answers_and_reads_throw_ObjectDisposedException()
    {
        OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(FloatTensor("w", [1], [1])));
        weights.Dispose();
        weights.Dispose();
        Assert.True(weights.TryGetInfo("w", out _));
        Assert.Throws<ObjectDisposedException>(() => weights.ReadFloat32("w"));
    }

    [Fact]
    public void Caller_errors_name_the_argument_and_the_nearest_tensor_names()
    {
        using OnnxWeightsFile weights = OnnxWeights.Load(ModelBytes(FloatTensor("encoder.layer.0.output.dense.bias", [3], [1, 2, 3])));
        var missing = Assert.Throws<KeyNotFoundException>(() => weights.ReadFloat32("encoder.layer.0.output.dense.bais"));
        Assert.Contains("'encoder.layer.0.output.dense.bias'", missing.Message);
        var wrongLength = Assert.Throws<ArgumentException>(() => weights.ReadFloat32("encoder.layer.0.output.dense.bias", new float[2]));
        Assert.Equal("destination", wrongLength.ParamName);
        Assert.Contains("exactly 3", wrongLength.Message);
        Assert.Throws<ArgumentNullException>(() => OnnxWeights.Load((Stream)null!));
        Assert.Throws<ArgumentException>(() => OnnxWeights.Open(""));
    }
}
