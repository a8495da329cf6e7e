using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using Attend;

namespace Attend.Tests.IO;

/// <summary>
/// Builds ONNX messages (field numbers from onnx.proto3) as <see cref="ProtoMessage"/> trees: tensors in
/// raw_data or typed fields, nodes, graphs, models, the Linear patterns PyTorch exports, and random
/// valid models for the fuzzer.
/// </summary>
internal static class OnnxTestModels
{
    public static readonly TensorDType[] SupportedTypes =
        [TensorDType.F32, TensorDType.F16, TensorDType.BF16, TensorDType.F64, TensorDType.I64, TensorDType.I32, TensorDType.I16, TensorDType.I8, TensorDType.U8, TensorDType.Bool];

    public static int DataTypeCode(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => 1,
        TensorDType.U8 => 2,
        TensorDType.I8 => 3,
        TensorDType.I16 => 5,
        TensorDType.I32 => 6,
        TensorDType.I64 => 7,
        TensorDType.Bool => 9,
        TensorDType.F16 => 10,
        TensorDType.F64 => 11,
        TensorDType.BF16 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        _ => 1,
    };

    /// <summary>A TensorProto with its values in raw_data (little-endian).</summary>
    public static ProtoMessage RawTensor(string name, int dataType, long[] dims, byte[] raw) =>
        new ProtoMessage().PackedVarints(1, dims).Varint(2, dataType).String(8, name).Bytes(9, raw);

    public static ProtoMessage FloatTensor(string name, long[] dims, float[] values) => RawTensor(name, 1, dims, FloatBytes(values));

    /// <summary>A FLOAT TensorProto with its values in float_data, packed or one field per value.</summary>
    public static ProtoMessage FloatDataTensor(string name, long[] dims, float[] values, bool packed = true)
    {
        var tensor = new ProtoMessage().PackedVarints(1, dims).Varint(2, 1).String(8, name);
        if (packed) return tensor.Bytes(4, FloatBytes(values));
        foreach (float value in values) tensor.Fixed32(4, BitConverter.SingleToUInt32Bits(value));
        return tensor;
    }

    /// <summary>
    /// A TensorProto of <paramref name="dtype"/> from little-endian element bytes, stored as raw_data or in the typed
    /// field ONNX uses for the type (float_data, double_data, int64_data, or one int32_data varint per element).
    /// </summary>
    public static ProtoMessage Tensor(string name, TensorDType dtype, long[] dims, byte[] raw, bool typed)
    {
        int code = DataTypeCode(dtype);
        if (!typed) return RawTensor(name, code, dims, raw);
        var tensor = new ProtoMessage().PackedVarints(1, dims).Varint(2, code).String(8, name);
        int size = SizeOf(dtype);
        IEnumerable<long> Elements() => Enumerable.Range(0, raw.Length / size).Select(i => ElementValue(dtype, raw.AsSpan(i * size, size)));
        return dtype switch
        {
            TensorDType.F32 => tensor.Bytes(4, raw),
            TensorDType.F64 => tensor.Bytes(10, raw),
            TensorDType.I64 => tensor.PackedVarints(7, Elements().ToArray()),
            _ => tensor.PackedVarints(5, Elements().ToArray()),
        };
    }

    /// <summary>An element as ONNX's int32_data/int64_data hold it: integers by value, FLOAT16/BFLOAT16 as their bits.</summary>
    private static long ElementValue(TensorDType dtype, ReadOnlySpan<byte> bytes) => dtype switch
    {
        TensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        TensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        TensorDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        TensorDType.F16 or TensorDType.BF16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        TensorDType.I8 => (sbyte)bytes[0],
        TensorDType.Bool => bytes[0] & 1,
        _ => bytes[0],
    };

    public static ProtoMessage Node(string opType, string[] inputs, string[] outputs, params ProtoMessage[] attributes)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs) node.String(1, input);
        foreach (string output in outputs) node.String(2, output);
        node.String(3, opType + "_node").String(4, opType);
        foreach (ProtoMessage attribute in attributes) node.Message(5, attribute);
        return node;
    }

    public static ProtoMessage IntAttribute(string name, long value) => new ProtoMessage().String(1, name).Varint(3, value).Varint(20, 2);

    public static ProtoMessage FloatAttribute(string name, float value) =>
        new ProtoMessage().String(1, name).Fixed32(2, BitConverter.SingleToUInt32Bits(value)).Varint(20, 1);

    public static ProtoMessage Graph(IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers)
    {
        var graph = new ProtoMessage();
        foreach (ProtoMessage node in nodes) graph.Message(1, node);
        graph.String(2, "test_graph");
        foreach (ProtoMessage initializer in initializers) graph.Message(5, initializer);
        return graph;
    }

    /// <summary>A ModelProto as exporters write it: ir_version, producer, opset_import, then the graph.</summary>
    public static ProtoMessage Model(ProtoMessage graph) =>
        new ProtoMessage()
            .Varint(1, 8)
            .String(2, "attend-tests")
            .Message(8, new ProtoMessage().String(1, "").Varint(2, 14))
            .Message(7, graph);

    public static byte[] ModelBytes(params ProtoMessage[] initializers) => Model(Graph([], initializers)).ToBytes();

    public static byte[] ModelBytes(ProtoMessage[] nodes, ProtoMessage[] initializers) => Model(Graph(nodes, initializers)).ToBytes();

    /// <summary>
    /// <c>nn.Linear</c> <paramref name="prefix"/> on a 3-D input as torch exports it: <c>MatMul(input, W)</c> with
    /// <c>W</c> = weightᵀ (<c>[in, out]</c>) under the anonymous name <paramref name="anonymous"/>, then <c>Add(prefix.bias, …)</c>.
    /// </summary>
    public static (ProtoMessage[] Nodes, ProtoMessage[] Initializers) MatMulLinear(string prefix, string anonymous, float[] weightOutIn, int outputs, int inputs, string input = "x")
    {
        string product = prefix + "/MatMul_output_0";
        ProtoMessage[] nodes =
        [
            Node("MatMul", [input, anonymous], [product]),
            Node("Add", [prefix + ".bias", product], [prefix + "/Add_output_0"]),
        ];
        ProtoMessage[] initializers =
        [
            FloatTensor(prefix + ".bias", [outputs], Enumerable.Range(0, outputs).Select(i => 0.5f * i).ToArray()),
            FloatTensor(anonymous, [inputs, outputs], Transpose(weightOutIn, outputs, inputs)),
        ];
        return (nodes, initializers);
    }

    /// <summary>Row-major <paramref name="rows"/> × <paramref name="columns"/> values, transposed.</summary>
    public static float[] Transpose(float[] values, int rows, int columns)
    {
        var transposed = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                transposed[c * rows + r] = values[r * columns + c];
        return transposed;
    }

    public static float[] Sequence(int count, float scale = 1) => Enumerable.Range(0, count).Select(i => scale * (i + 1)).ToArray();

    public static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    /// <summary>
    /// A small valid model for the fuzzer: a few tensors of random supported types and shapes (raw or typed),
    /// usually a MatMul Linear to recover, sometimes a Gemm one, and fields the reader must skip.
    /// </summary>
    public static ProtoMessage RandomValid(Random r)
    {
        var nodes = new List<ProtoMessage>();
        var initializers = new List<ProtoMessage>();
        for (int t = r.Next(1, 4); t > 0; t--)
        {
            TensorDType dtype = SupportedTypes[r.Next(SupportedTypes.Length)];
            long[] dims = Enumerable.Range(0, r.Next(4)).Select(_ => (long)r.Next(5)).ToArray();
            long count = dims.Aggregate(1L, (a, b) => a * b);
            var raw = new byte[count * SizeOf(dtype)];
            r.NextBytes(raw);
            initializers.Add(Tensor($"t{t}.{dtype}", dtype, dims, raw, typed: r.Next(2) == 0));
        }
        if (r.Next(4) != 0)
        {
            int outputs = r.Next(1, 5), inputs = r.Next(1, 5);
            var (linearNodes, linearInitializers) = MatMulLinear("layer.dense", r.Next(1000).ToString(), Sequence(outputs * inputs, 0.25f), outputs, inputs);
            nodes.AddRange(linearNodes);
            initializers.AddRange(linearInitializers);
        }
        if (r.Next(3) == 0)
        {
            int outputs = r.Next(1, 4), inputs = r.Next(1, 4);
            long transB = r.Next(2);
            long[] dims = transB == 1 ? [outputs, inputs] : [inputs, outputs];
            nodes.Add(Node("Gemm", ["h", "onnx::Gemm_7", "pooler.dense.bias"], ["pooled"], IntAttribute("transB", transB), FloatAttribute("alpha", 1)));
            initializers.Add(FloatTensor("onnx::Gemm_7", dims, Sequence(outputs * inputs)));
            initializers.Add(FloatTensor("pooler.dense.bias", [outputs], Sequence(outputs)));
        }
        nodes.Add(Node("Tanh", ["pooled"], ["out"]));
        // Shuffled: nothing in the format orders initializers, nodes or their fields.
        ProtoMessage graph = Graph(nodes.OrderBy(_ => r.Next()), initializers.OrderBy(_ => r.Next()));
        graph.String(10, "doc string the reader skips");
        return Model(graph);
    }
}
