using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// Builds an ONNX model (opset 17, float32 with int64/int32 index inputs; ONNX Runtime's <c>com.microsoft</c> contrib
/// operators where <see cref="ContribNode"/> adds one) node by node and serializes it with <see cref="ProtobufWriter"/>. Field numbers are those of <c>onnx/onnx.proto</c>. A negative input or
/// output dimension is symbolic (a <c>dim_param</c>; equal negatives name the same size), so one session serves every batch
/// size or cache length.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private const int FloatType = 1;
    private const int Int32Type = 6;
    private const int Int64Type = 7;
    private const string ContribDomain = "com.microsoft";
    private const int IntAttribute = 2;
    private const int IntsAttribute = 7;

    private readonly List<Action<ProtobufWriter>> _nodes = [];
    private readonly List<Action<ProtobufWriter>> _initializers = [];
    private readonly List<Action<ProtobufWriter>> _inputs = [];
    private readonly List<Action<ProtobufWriter>> _outputs = [];
    private int _nodeCount;
    private bool _usesContrib;

    /// <summary>A float32 graph input.</summary>
    public void Input(string name, params long[] dims) => _inputs.Add(w => ValueInfo(w, name, FloatType, dims));

    /// <summary>An int64 graph input (token ids, positions).</summary>
    public void Int64Input(string name, params long[] dims) => _inputs.Add(w => ValueInfo(w, name, Int64Type, dims));

    /// <summary>An int32 graph input (the sequence lengths of ONNX Runtime's attention contrib operators).</summary>
    public void Int32Input(string name, params long[] dims) => _inputs.Add(w => ValueInfo(w, name, Int32Type, dims));

    /// <summary>A float32 graph output.</summary>
    public void Output(string name, params long[] dims) => _outputs.Add(w => ValueInfo(w, name, FloatType, dims));

    /// <summary>
    /// <c>input · weightᵀ + bias</c> for a PyTorch <c>[outFeatures, inFeatures]</c> weight: MatMul by the transposed weight
    /// (an initializer <c>output_w</c>), then Add (skipped when <paramref name="bias"/> is null), as <c>torch.onnx.export</c> writes nn.Linear.
    /// </summary>
    public string Linear(string output, string input, float[] weight, float[]? bias, int outFeatures, int inFeatures)
    {
        string transposed = Constant(output + "_w", OnnxAttentionGraph.Transpose(weight, outFeatures, inFeatures), inFeatures, outFeatures);
        if (bias is null) return Node("MatMul", output, [input, transposed]);
        return Node("Add", output, [Node("MatMul", output + "_nobias", [input, transposed]), Constant(output + "_b", bias, outFeatures)]);
    }

    /// <summary>LayerNormalization over the last axis (ε 1e-5, PyTorch's default) with its scale and shift as initializers.</summary>
    public string LayerNorm(string output, string input, float[] scale, float[] shift) =>
        Node("LayerNormalization", output, [input, Constant(output + "_scale", scale, scale.Length), Constant(output + "_shift", shift, shift.Length)], ("axis", -1L));

    /// <summary>A constant float32 tensor (weights, biases, masks, scalars).</summary>
    public string Constant(string name, float[] values, params long[] dims)
    {
        _initializers.Add(w => Tensor(w, name, FloatType, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims));
        return name;
    }

    /// <summary>A constant int64 vector (shapes for Reshape).</summary>
    public string Int64Constant(string name, params long[] values)
    {
        _initializers.Add(w => Tensor(w, name, Int64Type, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), values.Length));
        return name;
    }

    /// <summary>A node with one output named <paramref name="output"/>; attributes are ints or int arrays.</summary>
    public string Node(string opType, string output, string[] inputs, params (string Name, object Value)[] attributes)
    {
        Node(opType, [output], inputs, attributes);
        return output;
    }

    /// <summary>A node with several outputs.</summary>
    public void Node(string opType, string[] outputs, string[] inputs, params (string Name, object Value)[] attributes) =>
        AddNode("", opType, outputs, inputs, attributes);

    /// <summary>An ONNX Runtime contrib operator (domain <c>com.microsoft</c>, opset 1); an empty input name skips an optional input.</summary>
    public void ContribNode(string opType, string[] outputs, string[] inputs, params (string Name, object Value)[] attributes)
    {
        _usesContrib = true;
        AddNode(ContribDomain, opType, outputs, inputs, attributes);
    }

    private void AddNode(string domain, string opType, string[] outputs, string[] inputs, (string Name, object Value)[] attributes)
    {
        string nodeName = $"{opType}_{_nodeCount++}";
        _nodes.Add(w =>
        {
            foreach (string input in inputs) w.String(1, input);
            foreach (string output in outputs) w.String(2, output);
            w.String(3, nodeName).String(4, opType);
            if (domain.Length > 0) w.String(7, domain);
            foreach ((string name, object value) in attributes)
            {
                w.Message(5, a =>
                {
                    a.String(1, name);
                    switch (value)
                    {
                        case long[] ints:
                            foreach (long i in ints) a.Int(8, i);
                            a.Int(20, IntsAttribute);
                            break;
                        case long single:
                            a.Int(3, single).Int(20, IntAttribute);
                            break;
                        default:
                            throw new ArgumentException($"Attribute {name}: only long and long[] are written.");
                    }
                });
            }
        });
    }

    /// <summary>The serialized <c>ModelProto</c>.</summary>
    public byte[] ToModel(string graphName)
    {
        ProtobufWriter model = new ProtobufWriter()
            .Int(1, 8) // ir_version 8 goes with opset 17
            .String(2, "Attend.Benchmarks")
            .Message(7, g =>
            {
                foreach (Action<ProtobufWriter> node in _nodes) g.Message(1, node);
                g.String(2, graphName);
                foreach (Action<ProtobufWriter> initializer in _initializers) g.Message(5, initializer);
                foreach (Action<ProtobufWriter> input in _inputs) g.Message(11, input);
                foreach (Action<ProtobufWriter> output in _outputs) g.Message(12, output);
            })
            .Message(8, o => o.String(1, "").Int(2, 17));
        if (_usesContrib) model.Message(8, o => o.String(1, ContribDomain).Int(2, 1));
        return model.ToArray();
    }

    private static void Tensor(ProtobufWriter w, string name, int dataType, byte[] littleEndianData, params long[] dims)
    {
        foreach (long dim in dims) w.Int(1, dim);
        w.Int(2, dataType).String(8, name).Bytes(9, littleEndianData);
    }

    private static void ValueInfo(ProtobufWriter w, string name, int elementType, long[] dims) => w
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Int(1, elementType)
            .Message(2, shape =>
            {
                foreach (long dim in dims) shape.Message(1, d => _ = dim >= 0 ? d.Int(1, dim) : d.String(2, $"n{-dim}"));
            })));
}
