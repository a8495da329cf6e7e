using System;
using System.IO;
using System.Linq;
using Attend;
using Xunit;
using static Attend.Tests.IO.OnnxTestModels;

namespace Attend.Tests.IO;

/// <summary>Every refusal of the ONNX reader: an <see cref="InvalidDataException"/> whose message says what is wrong.</summary>
public sealed class OnnxWeightsValidationTests
{
    private static void AssertRefused(byte[] model, params string[] expectedFragments)
    {
        var exception = Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model).Dispose());
        Assert.StartsWith("Invalid ONNX model (in memory): ", exception.Message);
        foreach (string fragment in expectedFragments)
            Assert.Contains(fragment, exception.Message);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Tag(int field, int wireType) => ProtoMessage.Varint((ulong)field << 3 | (uint)wireType);

    [Fact]
    public void Empty_input_and_a_model_without_graph_are_refused()
    {
        AssertRefused([], "no graph");
        AssertRefused(new ProtoMessage().Varint(1, 8).ToBytes(), "no graph");
    }

    [Fact]
    public void Malformed_varints_are_refused()
    {
        AssertRefused([0x08, 0x80], "varint at file byte 1 runs past the end");
        // Eleven bytes: the tenth already carries more than bit 63.
        AssertRefused(Concat([0x08], Enumerable.Repeat((byte)0x80, 10).ToArray(), [0x00]), "overflows 64 bits");
        AssertRefused(Concat([0x08], Enumerable.Repeat((byte)0xFF, 9).ToArray(), [0x02]), "overflows 64 bits");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void Wire_types_that_do_not_exist_are_refused(int wireType) => AssertRefused(Tag(99, wireType), $"wire type {wireType}");

    [Fact]
    public void Field_number_zero_is_refused() => AssertRefused([0x00], "field number 0");

    [Fact]
    public void A_length_past_the_end_of_its_message_is_refused()
    {
        byte[] model = ModelBytes(FloatTensor("w", [2], [1, 2]));
        AssertRefused(model[..^1], "declares");
        var lying = Model(Graph([], [FloatTensor("w", [2], [1, 2])]));
        lying.Fields[^1] = new MessageField(7, ((MessageField)lying.Fields[^1]).Value, LengthSkew: 1);
        AssertRefused(lying.ToBytes(), "ModelProto.graph", "declares");
    }

    [Fact]
    public void Groups_that_mismatch_or_nest_too_deep_are_refused()
    {
        AssertRefused(Concat(Tag(50, 3), Tag(51, 4)), "end-group tag for field 51");
        AssertRefused(Tag(50, 4), "no matching start");
        byte[] deep = Enumerable.Range(0, ProtobufReader.MaxGroupDepth + 1).SelectMany(_ => Tag(50, 3)).ToArray();
        AssertRefused(deep, $"more than {ProtobufReader.MaxGroupDepth} deep");
        AssertRefused(Tag(50, 3), "runs past the end");
    }

    [Fact]
    public void Fields_of_the_wrong_wire_type_are_refused()
    {
        AssertRefused(new ProtoMessage().Varint(7, 1).ToBytes(), "ModelProto.graph", "wire type Varint, expected LengthDelimited");
        var tensor = new ProtoMessage().PackedVarints(1, [1]).String(2, "x").String(8, "w").Bytes(9, new byte[4]);
        AssertRefused(ModelBytes(tensor), "data_type", "expected Varint");
    }

    [Fact]
    public void A_second_graph_is_refused()
    {
        ProtoMessage graph = Graph([], [FloatTensor("w", [1], [1])]);
        AssertRefused(Model(graph).Message(7, graph).ToBytes(), "second ModelProto.graph");
    }

    [Fact]
    public void Duplicate_initializer_names_are_refused() =>
        AssertRefused(ModelBytes(FloatTensor("w", [1], [1]), FloatTensor("w", [1], [2])), "two initializers are named 'w'");

    [Fact]
    public void A_field_a_TensorProto_holds_once_appearing_twice_is_refused() =>
        AssertRefused(ModelBytes(FloatTensor("w", [1], [1]).String(8, "v")), "initializer 'w'", "field 8 appears twice");

    [Fact]
    public void An_initializer_without_a_name_is_refused() =>
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [1]).Varint(2, 1).Bytes(9, new byte[4])), "initializer 0 has no name");

    [Fact]
    public void A_name_that_is_not_UTF8_is_refused() =>
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [1]).Varint(2, 1).Bytes(8, [0x77, 0xC3]).Bytes(9, new byte[4])), "not valid UTF-8");

    [Theory]
    [InlineData(0, "UNDEFINED")]
    [InlineData(8, "STRING")]
    [InlineData(13, "UINT64")]
    [InlineData(14, "COMPLEX64")]
    [InlineData(17, "FLOAT8E4M3FN")]
    [InlineData(22, "INT4")]
    [InlineData(999, "unknown data type 999")]
    public void Unsupported_data_types_are_refused_by_name(int code, string name) =>
        AssertRefused(ModelBytes(RawTensor("w", code, [1], new byte[8])), "initializer 'w'", name, "Attend reads FLOAT, FLOAT16");

    [Fact]
    public void External_data_is_refused_with_how_to_save_the_model_instead()
    {
        var byLocation = new ProtoMessage().PackedVarints(1, [4]).Varint(2, 1).String(8, "w").Varint(14, 1);
        AssertRefused(ModelBytes(byLocation), "initializer 'w'", "external data file", "save_as_external_data=False");
        var byEntries = byLocation.DeepClone();
        byEntries.Fields.RemoveAt(byEntries.Fields.Count - 1);
        byEntries.Message(13, new ProtoMessage().String(1, "location").String(2, "weights.bin"));
        AssertRefused(ModelBytes(byEntries), "external data file");
        AssertRefused(ModelBytes(FloatTensor("w", [1], [1]).Varint(14, 5)), "data_location 5");
    }

    [Fact]
    public void Negative_overflowing_and_excessive_dims_are_refused()
    {
        AssertRefused(ModelBytes(RawTensor("w", 1, [2, -3], new byte[24])), "dimension 1", "-3");
        AssertRefused(ModelBytes(RawTensor("w", 1, [1L << 40, 1L << 40], new byte[4])), "more elements than a 64-bit count holds");
        AssertRefused(ModelBytes(RawTensor("w", 1, Enumerable.Repeat(1L, OnnxTensorParser.MaxRank + 1).ToArray(), new byte[4])), $"more than {OnnxTensorParser.MaxRank} dims");
    }

    [Fact]
    public void Dims_that_disagree_with_the_data_are_refused()
    {
        AssertRefused(ModelBytes(RawTensor("w", 1, [3], new byte[8])), "raw_data holds 8 bytes", "need 3 × 4 bytes");
        AssertRefused(ModelBytes(RawTensor("w", 1, [1L << 61], new byte[8])), "raw_data holds 8 bytes");
        AssertRefused(ModelBytes(FloatDataTensor("w", [3], [1, 2])), "float_data holds 2 values", "need 3");
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [2]).Varint(2, 1).String(8, "w")), "float_data holds 0 values");
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [1]).Varint(2, 1).String(8, "w").Bytes(4, new byte[5])), "not a whole number of 4-byte values");
    }

    [Fact]
    public void Values_in_the_wrong_or_in_two_fields_are_refused()
    {
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [1]).Varint(2, 1).String(8, "w").PackedVarints(7, [1])), "has int64_data", "belong in float_data or raw_data");
        AssertRefused(ModelBytes(FloatDataTensor("w", [1], [1]).Bytes(9, new byte[4])), "both raw_data and float_data");
        AssertRefused(ModelBytes(new ProtoMessage().PackedVarints(1, [1]).Varint(2, 1).String(8, "w").String(6, "text")), "string_data");
    }

    [Theory]
    [InlineData(TensorDType.Bool, 2)]
    [InlineData(TensorDType.U8, 256)]
    [InlineData(TensorDType.I8, -129)]
    [InlineData(TensorDType.I16, 40000)]
    [InlineData(TensorDType.F16, 65536)]
    public void Int32_data_values_outside_their_type_are_refused(TensorDType dtype, long value)
    {
        var tensor = new ProtoMessage().PackedVarints(1, [1]).Varint(2, DataTypeCode(dtype)).String(8, "w").PackedVarints(5, [value]);
        AssertRefused(ModelBytes(tensor), "int32_data", $"the value {value}", "outside");
    }

    [Fact]
    public void Int32_data_beyond_32_bits_is_refused()
    {
        var tensor = new ProtoMessage().PackedVarints(1, [1]).Varint(2, 6).String(8, "w").PackedVarints(5, [1L << 40]);
        AssertRefused(ModelBytes(tensor), "the value 1099511627776", "outside I32's range");
    }

    [Fact]
    public void Segmented_and_sparse_tensors_are_refused()
    {
        AssertRefused(ModelBytes(FloatTensor("w", [1], [1]).Message(3, new ProtoMessage().Varint(1, 0).Varint(2, 1))), "segment");
        ProtoMessage graph = Graph([], []).Message(15, new ProtoMessage());
        AssertRefused(Model(graph).ToBytes(), "sparse initializer");
    }

    [Fact]
    public void Two_weights_claiming_one_Linear_name_are_refused()
    {
        ProtoMessage[] nodes =
        [
            Node("MatMul", ["a", "w1"], ["pa"]), Node("Add", ["d.bias", "pa"], ["ya"]),
            Node("MatMul", ["b", "w2"], ["pb"]), Node("Add", ["d.bias", "pb"], ["yb"]),
        ];
        AssertRefused(ModelBytes(nodes, [FloatTensor("w1", [1, 1], [1]), FloatTensor("w2", [1, 1], [2]), FloatTensor("d.bias", [1], [0])]),
            "'w1' and 'w2' both feed", "'d.weight'");
    }

    [Fact]
    public void Open_refuses_an_empty_file_with_InvalidDataException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"attend-empty-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, []);
        try
        {
            var exception = Assert.Throws<InvalidDataException>(() => OnnxWeights.Open(path));
            Assert.Contains("empty", exception.Message);
            Assert.Contains(path, exception.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
