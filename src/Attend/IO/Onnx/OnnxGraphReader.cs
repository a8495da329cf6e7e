using System;
using System.Collections.Generic;

namespace Attend;

/// <summary>
/// A graph node as far as weight naming needs it: the operator, its inputs and outputs, and Gemm's
/// attributes (<c>transA</c>, <c>transB</c>, <c>alpha</c>, <c>beta</c>; ONNX's defaults when absent).
/// </summary>
internal sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs, long TransA, long TransB, float Alpha, float Beta);

/// <summary>The initializers (validated, in file order) and the nodes that name-recovery looks at.</summary>
internal sealed record OnnxGraph(IReadOnlyList<OnnxInitializer> Initializers, IReadOnlyList<OnnxNode> Nodes);

/// <summary>
/// Reads a <c>ModelProto</c> down to what weights need: <c>graph</c> → <c>initializer</c> and the
/// MatMul, Gemm and Add nodes. Everything else (opsets, metadata, value infos, subgraphs of control-flow
/// nodes, functions) is skipped without being parsed, so the reader's nesting is fixed by this schema
/// walk (model → graph → node → attribute) and a deeply nested file cannot recurse it.
/// </summary>
internal static class OnnxGraphReader
{
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphSparseInitializer = 15;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeFloat = 2;
    private const int AttributeInt = 3;

    internal static OnnxGraph Read(ReadOnlySpan<byte> file, string source)
    {
        var model = new ProtobufReader(file, 0, source);
        OnnxGraph? graph = null;
        while (!model.AtEnd)
        {
            var (field, type) = model.ReadTag();
            if (field != ModelGraph)
            {
                model.Skip(field, type);
                continue;
            }
            model.Expect(type, WireType.LengthDelimited, "ModelProto.graph");
            if (graph is not null)
                throw model.Invalid($"a second ModelProto.graph ends at file byte {model.FileOffset}; a model holds one graph");
            ProtobufReader graphReader = model.ReadMessage("ModelProto.graph");
            graph = ReadGraph(ref graphReader);
        }
        return graph ?? throw model.Invalid("it has no graph (ModelProto field 7); it is not an ONNX model, or an empty one");
    }

    private static OnnxGraph ReadGraph(ref ProtobufReader graph)
    {
        var initializers = new List<OnnxInitializer>();
        var nodes = new List<OnnxNode>();
        while (!graph.AtEnd)
        {
            var (field, type) = graph.ReadTag();
            switch (field)
            {
                case GraphInitializer:
                    graph.Expect(type, WireType.LengthDelimited, "GraphProto.initializer");
                    ReadOnlySpan<byte> tensor = graph.ReadLengthDelimited($"initializer {initializers.Count}", out long at);
                    initializers.Add(OnnxTensorParser.Parse(tensor, at, initializers.Count, graph.Source));
                    break;
                case GraphNode:
                    graph.Expect(type, WireType.LengthDelimited, "GraphProto.node");
                    ProtobufReader node = graph.ReadMessage("GraphProto.node");
                    if (ReadNode(ref node) is { } kept) nodes.Add(kept);
                    break;
                case GraphSparseInitializer:
                    throw graph.Invalid($"the graph has a sparse initializer (before file byte {graph.FileOffset}); sparse tensors are not supported");
                default:
                    graph.Skip(field, type);
                    break;
            }
        }
        return new OnnxGraph(initializers, nodes);
    }

    /// <summary>Parses a node, returning it only when its operator can name a weight.</summary>
    /// <remarks>
    /// Messages name fields by constant text and locate them by file byte, and lists are made on first use, so a
    /// file of many tiny nodes costs no allocation per node beyond its strings.
    /// </remarks>
    private static OnnxNode? ReadNode(ref ProtobufReader node)
    {
        List<string>? inputs = null;
        List<string>? outputs = null;
        string opType = "";
        long transA = 0, transB = 0;
        float alpha = 1, beta = 1;
        while (!node.AtEnd)
        {
            var (field, type) = node.ReadTag();
            switch (field)
            {
                case NodeInput:
                    node.Expect(type, WireType.LengthDelimited, "NodeProto.input");
                    (inputs ??= []).Add(node.ReadString("NodeProto.input"));
                    break;
                case NodeOutput:
                    node.Expect(type, WireType.LengthDelimited, "NodeProto.output");
                    (outputs ??= []).Add(node.ReadString("NodeProto.output"));
                    break;
                case NodeOpType:
                    node.Expect(type, WireType.LengthDelimited, "NodeProto.op_type");
                    opType = node.ReadString("NodeProto.op_type");
                    break;
                case NodeAttribute:
                    node.Expect(type, WireType.LengthDelimited, "NodeProto.attribute");
                    ProtobufReader attribute = node.ReadMessage("NodeProto.attribute");
                    ReadGemmAttribute(ref attribute, ref transA, ref transB, ref alpha, ref beta);
                    break;
                default:
                    node.Skip(field, type);
                    break;
            }
        }
        return opType is "MatMul" or "Gemm" or "Add"
            ? new OnnxNode(opType, inputs?.ToArray() ?? [], outputs?.ToArray() ?? [], transA, transB, alpha, beta)
            : null;
    }

    private static void ReadGemmAttribute(ref ProtobufReader attribute, ref long transA, ref long transB, ref float alpha, ref float beta)
    {
        string name = "";
        long? integer = null;
        float? real = null;
        while (!attribute.AtEnd)
        {
            var (field, type) = attribute.ReadTag();
            switch (field)
            {
                case AttributeName:
                    attribute.Expect(type, WireType.LengthDelimited, "AttributeProto.name");
                    name = attribute.ReadString("AttributeProto.name");
                    break;
                case AttributeInt:
                    attribute.Expect(type, WireType.Varint, "AttributeProto.i");
                    integer = attribute.ReadInt64();
                    break;
                case AttributeFloat:
                    attribute.Expect(type, WireType.Fixed32, "AttributeProto.f");
                    real = BitConverter.UInt32BitsToSingle(attribute.ReadFixed32());
                    break;
                default:
                    attribute.Skip(field, type);
                    break;
            }
        }
        switch (name)
        {
            case "transA": transA = integer ?? 0; break;
            case "transB": transB = integer ?? 0; break;
            case "alpha": alpha = real ?? 1; break;
            case "beta": beta = real ?? 1; break;
        }
    }
}
