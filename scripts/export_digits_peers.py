#!/usr/bin/python3
"""Exports the Digits sample's trained ViT for the in-process peers of the `digits` benchmark (issue 16).

    /usr/bin/python3 scripts/export_digits_peers.py      (Debian: python3-torch, python3-onnx; no scikit-learn needed)

Rebuilds the model from samples/Attend.Samples.Digits/train.py (imported, so there is one definition), loads the shipped
weights/digits_vit.safetensors and writes, under tests/Attend.Benchmarks/models/:
  digits_vit.onnx   torch.onnx.export, opset 17, input "images" [batch, 1, 8, 8] -> output "logits" [batch, 10],
                    batch a dynamic axis (ONNX Runtime, via Microsoft.ML.OnnxRuntime)
  digits_vit.pt     torch.jit.trace (TorchScript) for TorchSharp's torch.jit.load (libtorch)
Before writing, both are checked on the held-out split: the traced module at batch 1 and 360 against the eager model
and against the logits train.py stored. The files are checked in; the benchmark never needs Python.
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "samples", "Attend.Samples.Digits")
OUT = os.path.join(ROOT, "tests", "Attend.Benchmarks", "models")
sys.path.insert(0, SAMPLE)
import train  # noqa: E402  (the model classes; train.main() is not run)


def load_safetensors(path):
    """Minimal safetensors reader (the format train.py's save writes): F32 and U8 tensors."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "U8": np.uint8}[entry["dtype"]]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype=dtype).reshape(entry["shape"]).copy())
    return tensors


def main():
    torch.manual_seed(0)
    model = train.ViT()
    model.load_state_dict(load_safetensors(os.path.join(SAMPLE, "weights", "digits_vit.safetensors")))
    model.eval()
    test = load_safetensors(os.path.join(SAMPLE, "data", "digits_test.safetensors"))
    images, stored = test["images"], test["pytorch_logits"]
    with torch.no_grad():
        eager = model(images)
    print(f"eager model vs train.py's stored logits: max |d| = {(eager - stored).abs().max().item():.2e}")

    os.makedirs(OUT, exist_ok=True)
    with torch.no_grad():
        traced = torch.jit.trace(model, images[:2])
    with torch.no_grad():
        for batch in (1, 64, len(images)):
            worst = max((traced(images[i:i + batch]) - eager[i:i + batch]).abs().max().item() for i in range(0, len(images), batch))
            print(f"TorchScript at batch {batch}: max |d| vs eager = {worst:.2e}")
            assert worst < 1e-5, "the traced module does not generalize over the batch size"
    pt_path = os.path.join(OUT, "digits_vit.pt")
    traced.save(pt_path)
    print(f"wrote {os.path.relpath(pt_path, ROOT)} ({os.path.getsize(pt_path):,} bytes)")

    onnx_path = os.path.join(OUT, "digits_vit.onnx")
    with torch.no_grad():
        torch.onnx.export(model, images[:2], onnx_path, input_names=["images"], output_names=["logits"],
                          dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, do_constant_folding=True)
    exported = onnx.load(onnx_path)
    onnx.checker.check_model(exported)
    ops = {}
    for node in exported.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    print(f"wrote {os.path.relpath(onnx_path, ROOT)} ({os.path.getsize(onnx_path):,} bytes): "
          + ", ".join(f"{op} x{count}" for op, count in sorted(ops.items())))


if __name__ == "__main__":
    main()
