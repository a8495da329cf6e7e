"""Makes an int8 all-MiniLM-L6-v2 ONNX model for ONNX Runtime, the peer of Attend's WeightPrecision.Int8 (issue 15).

What onnxruntime.quantization.quantize_dynamic would write (that tool is on PyPI, not served here), written with the
`onnx` package alone (Debian's python3-onnx): every MatMul whose right operand is a float initializer becomes ONNX
Runtime's DynamicQuantizeMatMul (com.microsoft), the node its optimizer fuses the quantize_dynamic graph into. Weights
are int8, symmetric, one scale per output column; activations are quantised to uint8 per call by ONNX Runtime itself.

Usage: /usr/bin/python3 scripts/make_minilm_int8_onnx.py FLOAT32_ONNX INT8_ONNX [--reduce-range]
  --reduce-range  weights in [-63, 63] (7 bits), as quantize_dynamic's reduce_range: ONNX Runtime's AVX2 u8 × s8
                  kernel adds pairs of products in 16 bits (vpmaddubsw), which can saturate with full-range weights.
Prints the number of MatMuls converted and the bytes of their weights before and after.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def quantize_columns(weight, limit):
    """int8 weight and float scale per output column (the last axis), symmetric: w ≈ q · scale."""
    scale = np.abs(weight).max(axis=0) / limit
    scale[scale == 0] = 1.0
    quantized = np.clip(np.rint(weight / scale), -limit, limit).astype(np.int8)
    return quantized, scale.astype(np.float32)


def convert(model, limit):
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    nodes, converted, float_bytes, int8_bytes = [], 0, 0, 0
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or weight.data_type != onnx.TensorProto.FLOAT or len(weight.dims) != 2:
            nodes.append(node)
            continue
        values = numpy_helper.to_array(weight)
        quantized, scale = quantize_columns(values, limit)
        q_name, s_name = weight.name + "_int8", weight.name + "_scale"
        graph.initializer.append(numpy_helper.from_array(quantized, q_name))
        graph.initializer.append(numpy_helper.from_array(scale, s_name))
        nodes.append(helper.make_node("DynamicQuantizeMatMul", [node.input[0], q_name, s_name], list(node.output),
                                      name=(node.name or weight.name) + "_int8", domain="com.microsoft"))
        uses[weight.name] -= 1
        converted += 1
        float_bytes += values.nbytes
        int8_bytes += quantized.nbytes + scale.nbytes
    del graph.node[:]
    graph.node.extend(nodes)
    unused = [tensor for tensor in graph.initializer if uses.get(tensor.name, 1) == 0]
    for tensor in unused:
        graph.initializer.remove(tensor)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return converted, float_bytes, int8_bytes


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    source, target = argv[0], argv[1]
    limit = 63 if "--reduce-range" in argv[2:] else 127
    model = onnx.load(source)
    converted, float_bytes, int8_bytes = convert(model, limit)
    if converted == 0:
        sys.exit(f"{source}: no MatMul with a float32 weight initializer, nothing to quantise")
    onnx.save(model, target)
    print(f"{converted} MatMuls -> DynamicQuantizeMatMul (weights in [-{limit}, {limit}]): "
          f"{float_bytes / 1e6:.1f} MB float32 -> {int8_bytes / 1e6:.1f} MB int8 + scales; wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
