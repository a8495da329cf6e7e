#!/usr/bin/python3
"""Generate the side-by-side benchmark cases: weights, inputs, ONNX models and float64 references.

For every shape, ONE set of weights and inputs is drawn with a fixed seed from a PyTorch
``nn.MultiheadAttention(E, H, batch_first=True)``; every mask variant of that shape reuses it.
Per (shape, mask) this writes into the work directory:

  <name>.safetensors  weights (state_dict names), inputs (``input.*``), ``reference.y`` (float32 copy
                      of the float64 reference) and ``__metadata__`` describing the case
  <name>.onnx         the same module exported with torch.onnx.export (opset 14, static shapes)
  <name>.ref.f64      the float64 reference output, raw little-endian doubles, shape [1, seq, E]

and a ``manifest.json`` listing the cases. Run with Debian's /usr/bin/python3 (python3-torch).
Also importable: ``attention_ops`` is the plain-ops forward pass used by torch_peer.py and by the
ONNX export of the decode step, ``read_safetensors``/``write_safetensors`` are the file I/O.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import zlib
from dataclasses import dataclass

import numpy as np

# Bump when the content of a case changes, so stale case files are regenerated.
GENERATOR_VERSION = "1"
BASE_SEED = 20261121


@dataclass(frozen=True)
class Shape:
    name: str       # short name used by --shapes and in the table
    seq: int        # query length
    past: int       # cached keys before this step (decode only)
    embed: int      # E
    heads: int      # H

    @property
    def kv(self) -> int:
        return self.past + self.seq

    @property
    def kind(self) -> str:
        return "decode" if self.past > 0 else "self"

    @property
    def case_name(self) -> str:
        return "decode_kvcache" if self.kind == "decode" else f"self_{self.seq}"

    def masks(self) -> list[str]:
        # The decode step's single query is the last position, which sees every key: causal == none.
        return ["none"] if self.kind == "decode" else ["none", "causal"]


SHAPES = [
    Shape("decode", 1, 2047, 512, 8),
    Shape("128", 128, 0, 512, 8),
    Shape("512", 512, 0, 512, 8),
    Shape("2048", 2048, 0, 512, 8),
    Shape("4096", 4096, 0, 256, 4),
]
QUICK_SHAPES = ["128", "512"]


def select_shapes(spec: str | None, quick: bool) -> list[Shape]:
    if not spec:
        names = QUICK_SHAPES if quick else [s.name for s in SHAPES]
    else:
        names = []
        for tok in spec.replace(" ", ",").split(","):
            tok = tok.strip()
            if not tok:
                continue
            tok = {"1": "decode", "decode_kvcache": "decode"}.get(tok, tok)
            if tok.startswith("self_"):
                tok = tok[len("self_"):]
            if tok not in {s.name for s in SHAPES}:
                raise SystemExit(f"unknown shape '{tok}'; known: {', '.join(s.name for s in SHAPES)}")
            names.append(tok)
    return [s for s in SHAPES if s.name in names]


def flop_count(seq: int, kv: int, embed: int, heads: int, causal: bool) -> float:
    """FLOPs as /work/shared/benchmarks/README.md counts them.

    2*seq*E*3E (QKV projection) + 2*2*H*seq*kv*(E/H) (scores and P.V; x0.5 when causal)
    + 2*seq*E*E (output projection). The decode step projects only its one new token.
    """
    attention = 2.0 * 2.0 * heads * seq * kv * (embed / heads)
    if causal:
        attention *= 0.5
    return 2.0 * seq * embed * 3 * embed + attention + 2.0 * seq * embed * embed


# ----------------------------------------------------------------------------- safetensors I/O

_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "U8": np.uint8, "BOOL": np.bool_}
_DTYPE_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def write_safetensors(path: str, tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> None:
    """Write a safetensors file: u64 LE header length, JSON header, then the raw little-endian data."""
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = _DTYPE_NAMES[arr.dtype]
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # pad so the data starts 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        dt = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"]).astype(dt.newbyteorder("="))
    return out, meta


# ----------------------------------------------------------------------------- the math

def attention_ops(torch, F, p: dict, x, past_key=None, past_value=None, causal_mask=None, num_heads: int = 1,
                  embed_dim: int | None = None):
    """Multi-head self-attention from plain ops (the layout of nn.MultiheadAttention, batch_first).

    p: in_proj_weight [3E,E], in_proj_bias [3E], out_proj.weight [E,E], out_proj.bias [E].
    x: [B, S, E]. past_key/past_value: [B, H, P, Dh] already-projected cached keys/values (decode).
    causal_mask: bool [S, kv], True where a key is hidden (None: no mask).
    embed_dim: E as a Python int (keeps the 1/sqrt(Dh) scale a constant when traced for ONNX).
    """
    b, s, e = x.shape
    if embed_dim is not None:
        e = embed_dim
    h = num_heads
    dh = e // h
    qkv = F.linear(x, p["in_proj_weight"], p["in_proj_bias"])               # [B, S, 3E]
    q, k, v = qkv.split(e, dim=-1)
    q = q.reshape(b, s, h, dh).transpose(1, 2) * (1.0 / math.sqrt(dh))      # [B, H, S, Dh]
    k = k.reshape(b, s, h, dh).transpose(1, 2)
    v = v.reshape(b, s, h, dh).transpose(1, 2)
    if past_key is not None:
        k = torch.cat([past_key, k], dim=2)                                  # [B, H, P+S, Dh]
        v = torch.cat([past_value, v], dim=2)
    scores = torch.matmul(q, k.transpose(-2, -1))                            # [B, H, S, kv]
    if causal_mask is not None:
        scores = scores.masked_fill(causal_mask, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    o = torch.matmul(probs, v)                                               # [B, H, S, Dh]
    o = o.transpose(1, 2).reshape(b, s, e)
    return F.linear(o, p["out_proj.weight"], p["out_proj.bias"])


def causal_mask_for(torch, seq: int, kv: int):
    """Bool [seq, kv], True above the diagonal (query i sees keys 0 .. i + kv - seq)."""
    return torch.ones(seq, kv, dtype=torch.bool).triu(kv - seq + 1)


# ----------------------------------------------------------------------------- case generation

def case_file_name(shape: Shape, mask: str) -> str:
    return f"{shape.case_name}.{mask}"


def _stamp(shape: Shape) -> str:
    import torch
    return f"v{GENERATOR_VERSION};torch={torch.__version__};{shape}"


def build_shape(shape: Shape, workdir: str, regen: bool, log) -> list[dict]:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    entries = []
    todo = []
    for mask in shape.masks():
        name = case_file_name(shape, mask)
        st = os.path.join(workdir, name + ".safetensors")
        entry = {
            "name": name, "shape": shape.name, "case": shape.case_name, "kind": shape.kind, "mask": mask,
            "seq": shape.seq, "kv": shape.kv, "past": shape.past, "embed": shape.embed, "heads": shape.heads,
            "gflop": flop_count(shape.seq, shape.kv, shape.embed, shape.heads, mask == "causal") / 1e9,
            "safetensors": os.path.abspath(st),
            "onnx": os.path.abspath(os.path.join(workdir, name + ".onnx")),
            "ref_f64": os.path.abspath(os.path.join(workdir, name + ".ref.f64")),
            "inputs": ["x", "past_key", "past_value"] if shape.kind == "decode" else ["x"],
        }
        entries.append(entry)
        fresh = all(os.path.exists(entry[k]) for k in ("safetensors", "onnx", "ref_f64"))
        if fresh and not regen:
            try:
                _, meta = read_safetensors(st)
                fresh = meta.get("generator") == _stamp(shape)
            except Exception:
                fresh = False
        if regen or not fresh:
            todo.append(entry)
    if not todo:
        log(f"  {shape.case_name}: up to date")
        return entries

    seed = BASE_SEED + zlib.crc32(shape.case_name.encode()) % 100000
    torch.manual_seed(seed)
    E, H = shape.embed, shape.heads
    Dh = E // H
    mha = nn.MultiheadAttention(E, H, batch_first=True)
    with torch.no_grad():
        # The default init leaves both biases at zero, which would hide a bias bug: draw them too.
        nn.init.uniform_(mha.in_proj_bias, -0.1, 0.1)
        nn.init.uniform_(mha.out_proj.bias, -0.1, 0.1)
    mha.eval()
    x = torch.randn(1, shape.seq, E)
    params32 = {k: v.detach().clone() for k, v in mha.state_dict().items()}
    params64 = {k: v.double() for k, v in params32.items()}

    past_key = past_value = None
    if shape.kind == "decode":
        # The cache holds keys/values of earlier tokens, projected by the same module (as a real
        # decoder's cache would), stored in float32 in ONNX's 4-D layout [B, H, P, Dh].
        x_prev = torch.randn(1, shape.past, E)
        with torch.no_grad():
            kv_prev = F.linear(x_prev.double(), params64["in_proj_weight"][E:], params64["in_proj_bias"][E:])
        k_prev, v_prev = kv_prev.split(E, dim=-1)
        past_key = k_prev.reshape(1, shape.past, H, Dh).transpose(1, 2).contiguous().float()
        past_value = v_prev.reshape(1, shape.past, H, Dh).transpose(1, 2).contiguous().float()

    tensors = {k: v.numpy() for k, v in params32.items()}
    tensors["input.x"] = x.numpy()
    if past_key is not None:
        tensors["input.past_key"] = past_key.numpy()
        tensors["input.past_value"] = past_value.numpy()

    for entry in todo:
        mask = entry["mask"]
        causal = mask == "causal"
        cm = causal_mask_for(torch, shape.seq, shape.kv) if causal else None
        with torch.no_grad():
            ref = attention_ops(torch, F, params64, x.double(),
                                None if past_key is None else past_key.double(),
                                None if past_value is None else past_value.double(), cm, H)
            # Cross-check the reference against nn.MultiheadAttention itself, in float64.
            m64 = nn.MultiheadAttention(E, H, batch_first=True).double().eval()
            m64.load_state_dict(params64)
            if shape.kind == "self":
                chk = m64(x.double(), x.double(), x.double(), attn_mask=cm, need_weights=False)[0]
                tol = 1e-10
            else:
                # Same step from the full sequence: the last row of MHA over [x_prev; x].
                full = torch.cat([x_prev.double(), x.double()], dim=1)
                chk = m64(full, full, full, need_weights=False)[0][:, -1:, :]
                tol = 1e-5  # the cache was rounded to float32
            diff = (chk - ref).abs().max().item()
            if not diff < tol:
                raise SystemExit(f"{entry['name']}: reference and float64 nn.MultiheadAttention differ by {diff}")

        meta = {
            "format": "attend-peer-case/1",
            "generator": _stamp(shape),
            "case": shape.case_name, "kind": shape.kind, "mask": mask,
            "batch": "1", "seq_len": str(shape.seq), "kv_len": str(shape.kv), "past_len": str(shape.past),
            "embed_dim": str(E), "num_heads": str(H), "seed": str(seed),
            "inputs": ",".join("input." + n for n in entry["inputs"]),
            "output": "output.y",
        }
        t = dict(tensors)
        t["reference.y"] = ref.float().numpy()
        write_safetensors(entry["safetensors"], t, meta)
        ref.numpy().astype("<f8").tofile(entry["ref_f64"])
        export_onnx(torch, nn, F, mha, shape, mask, x, past_key, past_value, entry["onnx"])
        log(f"  {entry['name']}: wrote safetensors, onnx, float64 reference (check vs nn.MHA f64: {diff:.1e})")
    return entries


def export_onnx(torch, nn, F, mha, shape: Shape, mask: str, x, past_key, past_value, path: str) -> None:
    H = shape.heads

    class SelfAttention(nn.Module):
        def __init__(self, m, cm):
            super().__init__()
            self.m = m
            if cm is not None:
                self.register_buffer("causal_mask", cm)
            else:
                self.causal_mask = None

        def forward(self, x):
            return self.m(x, x, x, attn_mask=self.causal_mask, need_weights=False)[0]

    class DecodeStep(nn.Module):
        """One K/V-cache step: project the new token, append to the cache, attend, project out."""

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x, past_key, past_value):
            p = {"in_proj_weight": self.m.in_proj_weight, "in_proj_bias": self.m.in_proj_bias,
                 "out_proj.weight": self.m.out_proj.weight, "out_proj.bias": self.m.out_proj.bias}
            return attention_ops(torch, F, p, x, past_key, past_value, None, H, shape.embed)

    if shape.kind == "decode":
        module, args, names = DecodeStep(mha).eval(), (x, past_key, past_value), ["x", "past_key", "past_value"]
    else:
        cm = causal_mask_for(torch, shape.seq, shape.kv) if mask == "causal" else None
        module, args, names = SelfAttention(mha, cm).eval(), (x,), ["x"]
    # Parameters require grad, so tracing takes nn.MultiheadAttention's exportable (non-fused) path.
    tmp = path + ".tmp"
    torch.onnx.export(module, args, tmp, opset_version=14, input_names=names, output_names=["y"],
                      do_constant_folding=True)
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True, help="directory for the case files")
    ap.add_argument("--shapes", default=None, help="comma list of: decode,128,512,2048,4096")
    ap.add_argument("--quick", action="store_true", help="only the 128 and 512 shapes")
    ap.add_argument("--regen", action="store_true", help="rewrite case files even if up to date")
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    os.makedirs(args.work, exist_ok=True)
    log = lambda s: print(s, file=sys.stderr, flush=True)
    manifest = []
    for shape in select_shapes(args.shapes, args.quick):
        manifest.extend(build_shape(shape, args.work, args.regen, log))
    with open(os.path.join(args.work, "manifest.json"), "w") as f:
        json.dump({"cases": manifest}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
