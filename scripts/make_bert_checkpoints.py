#!/usr/bin/python3
"""Makes the small BERT checkpoints under tests/Attend.Tests/TestData/bert/.

A plain-PyTorch BERT whose modules carry Hugging Face's exact names (there is no `transformers`
package here), random weights from a fixed seed, two sizes. For each size it writes:

  <name>/model.safetensors            the state dict as BertModel.save_pretrained writes it
  <name>/model_prefixed_legacy.safetensors
                                      the same tensors under a task model's names (`bert.` prefix) with the
                                      legacy LayerNorm.gamma/beta spelling, plus one head tensor (cls.*)
  <name>/model.onnx                   torch.onnx.export, opset 14, dynamic batch and sequence axes
  <name>/reference.safetensors        a padded batch of mixed lengths and the float32 outputs

Run: /usr/bin/python3 scripts/make_bert_checkpoints.py   (about 10 s on one core)
Deterministic: the same torch version writes the same bytes.
"""
import json
import math
import os
import struct
import sys
import time

import onnx
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Attend.Tests", "TestData", "bert")

CONFIGS = [
    # name, hidden, heads, intermediate, layers, vocab, positions, token types, pooling, pooler
    dict(name="mean_e64", hidden=64, heads=4, intermediate=256, layers=2, vocab=300, positions=40,
         token_types=2, pooling="mean", pooler=False, seed=1101),
    dict(name="cls_e96", hidden=96, heads=6, intermediate=192, layers=2, vocab=100, positions=32,
         token_types=2, pooling="cls", pooler=True, seed=2202),
]

LAYER_NORM_EPS = 1e-12


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab"], c["hidden"])
        self.position_embeddings = nn.Embedding(c["positions"], c["hidden"])
        self.token_type_embeddings = nn.Embedding(c["token_types"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=LAYER_NORM_EPS)
        # As in Hugging Face: a non-persistent buffer, so it is not in the state dict.
        self.register_buffer("position_ids", torch.arange(c["positions"]).unsqueeze(0), persistent=False)

    def forward(self, input_ids, token_type_ids):
        length = input_ids.size(1)
        position_ids = self.position_ids[:, :length]
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(position_ids)
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["heads"]
        self.head_dim = c["hidden"] // c["heads"]
        self.query = nn.Linear(c["hidden"], c["hidden"])
        self.key = nn.Linear(c["hidden"], c["hidden"])
        self.value = nn.Linear(c["hidden"], c["hidden"])

    def split(self, x):
        b, l, _ = x.shape
        return x.view(b, l, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, extended_mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + extended_mask
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        b, _, l, _ = context.shape
        return context.permute(0, 2, 1, 3).reshape(b, l, self.heads * self.head_dim)


class SelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=LAYER_NORM_EPS)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = SelfOutput(c)

    def forward(self, x, extended_mask):
        return self.output(getattr(self, "self")(x, extended_mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["intermediate"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # exact erf GELU


class Output(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=LAYER_NORM_EPS)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c)

    def forward(self, x, extended_mask):
        a = self.attention(x, extended_mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["layers"])])

    def forward(self, x, extended_mask):
        for layer in self.layer:
            x = layer(x, extended_mask)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["hidden"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c) if c["pooler"] else None

    def forward(self, input_ids, attention_mask, token_type_ids):
        # Hugging Face's extended mask: 0 for real tokens, the dtype's most negative value for padding.
        extended = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        hidden = self.encoder(self.embeddings(input_ids, token_type_ids), extended)
        if self.pooler is None:
            return hidden
        return hidden, self.pooler(hidden)


def randomize(model, generator):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))


def write_safetensors(path, tensors):
    """Safetensors as the reference writer lays it out: sorted keys, 8-byte aligned header padded with spaces."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def legacy_names(state):
    renamed = {}
    for name, t in state.items():
        legacy = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        renamed["bert." + legacy] = t
    return renamed


def reference_batch(c, generator):
    lengths = [c["positions"] // 3, c["positions"] - 1, 3, c["positions"] // 2]
    batch, length = len(lengths), max(lengths)
    input_ids = torch.zeros(batch, length, dtype=torch.int64)
    mask = torch.zeros(batch, length, dtype=torch.int64)
    types = torch.zeros(batch, length, dtype=torch.int64)
    for i, n in enumerate(lengths):
        input_ids[i, :n] = torch.randint(1, c["vocab"], (n,), generator=generator)
        mask[i, :n] = 1
        if i % 2 == 1:
            types[i, n // 2:n] = 1  # a sentence pair: the second segment has token type 1
    return input_ids, mask, types


def export_onnx(model, c, inputs, path):
    outputs = ["last_hidden_state"] + (["pooler_output"] if c["pooler"] else [])
    axes = {name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")}
    if c["pooler"]:
        axes["pooler_output"] = {0: "batch"}
    torch.onnx.export(model, inputs, path, input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=outputs, dynamic_axes=axes, opset_version=14, do_constant_folding=True)
    graph = onnx.load(path).graph
    initializers = {i.name for i in graph.initializer}
    matmul_weights = [n.input[1] for n in graph.node if n.op_type == "MatMul" and n.input[1] in initializers]
    expected = 6 * c["layers"]
    named = [w for w in matmul_weights if w.endswith(".weight")]
    if len(matmul_weights) != expected or named:
        sys.exit(f"{path}: expected {expected} anonymous MatMul weights like MiniLM's, got {matmul_weights}")
    return matmul_weights


def make(c):
    generator = torch.Generator().manual_seed(c["seed"])
    torch.manual_seed(c["seed"])
    model = BertModel(c).eval()
    randomize(model, generator)
    folder = os.path.join(OUT, c["name"])
    os.makedirs(folder, exist_ok=True)

    state = model.state_dict()
    write_safetensors(os.path.join(folder, "model.safetensors"), state)
    legacy = legacy_names(state)
    # A masked-LM head's tensor, as BertForMaskedLM.save_pretrained writes beside the encoder.
    legacy["cls.predictions.bias"] = 0.05 * torch.randn(c["vocab"], generator=generator)
    write_safetensors(os.path.join(folder, "model_prefixed_legacy.safetensors"), legacy)

    input_ids, mask, types = reference_batch(c, generator)
    with torch.no_grad():
        out = model(input_ids, mask, types)
    hidden, pooled = (out if c["pooler"] else (out, None))
    weights = mask.unsqueeze(-1).to(torch.float32)
    mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    reference = {
        "input_ids": input_ids, "attention_mask": mask, "token_type_ids": types,
        "last_hidden_state": hidden,
        "mean_pooled_normalized": nn.functional.normalize(mean, p=2, dim=1),
        "cls": hidden[:, 0].contiguous(),
    }
    if pooled is not None:
        reference["pooler_output"] = pooled
    write_safetensors(os.path.join(folder, "reference.safetensors"), reference)
    anonymous = export_onnx(model, c, (input_ids, mask, types), os.path.join(folder, "model.onnx"))
    print(f"{c['name']}: {sum(p.numel() for p in model.parameters())} parameters, MatMul weights {anonymous[:3]}...")


if __name__ == "__main__":
    started = time.time()
    torch.set_num_threads(1)
    for config in CONFIGS:
        make(config)
    print(f"done in {time.time() - started:.1f} s")
