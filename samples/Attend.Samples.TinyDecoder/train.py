#!/usr/bin/python3
"""Trains the TinyDecoder sample: a small causal transformer that sorts eight digits, deterministically.

    /usr/bin/python3 samples/Attend.Samples.TinyDecoder/train.py      (Debian: python3-torch)

Task: "3 1 4 1 5 9 2 6 >" continues with "1 1 2 3 4 5 6 9". Tokens 0-9 are digits, 10 is '>'. A sequence is the
8 prompt digits, '>', and the 8 sorted digits (17 tokens); the loss covers only the 8 answers.

Model (decoder-only, pre-norm): token embedding (tok_emb) → 2 layers of causal self-attention with rotary positions
(half-split pairs, θ = 10000) and grouped-query heads (4 query heads over 2 key/value heads of 16) and a GELU MLP of
128 → final LayerNorm → lm_head. The layers use torch.nn.TransformerEncoderLayer's parameter names (self_attn.in_proj_weight,
in_proj_bias, out_proj, linear1, linear2, norm1, norm2) under 'blocks.', so Attend's [TransformerEncoder] loads them as is.

Writes, next to this script:
  weights/sorting_decoder.safetensors  the state_dict (float32) and hyper-parameters
  data/sorting_test.safetensors        500 held-out prompts [N, 8] (the separator follows), their sorted answers [N, 8], and PyTorch's greedy answers
                                       [N, 8] (decoded by full recomputation), PyTorch's accuracy in the metadata
"""
import json
import math
import os
import struct
import time

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 7
DIGITS, SEPARATOR, VOCAB = 8, 10, 11
DIM, HEADS, KV_HEADS, DIM_HEAD, MLP, DEPTH, BASE = 64, 4, 2, 16, 128, 2, 10000.0
INNER, KV_INNER = HEADS * DIM_HEAD, KV_HEADS * DIM_HEAD
STEPS, BATCH, LR, TEST_COUNT = 4000, 128, 2e-3, 500


def rotary_tables(length):
    """cos/sin [length, DIM_HEAD/2] in float32: inv_freq = 1 / θ^(2i/d), angle = position · inv_freq."""
    inv_freq = 1.0 / (BASE ** (torch.arange(0, DIM_HEAD, 2).float() / DIM_HEAD))
    angles = torch.outer(torch.arange(length).float(), inv_freq)
    return angles.cos(), angles.sin()


def rotate_half_split(x, cos, sin):
    """Pairs (x[i], x[i + d/2]) turn by their position's angle (GPT-NeoX layout; ONNX interleaved=0)."""
    x1, x2 = x[..., :DIM_HEAD // 2], x[..., DIM_HEAD // 2:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.in_proj_weight = nn.Parameter(torch.empty(INNER + 2 * KV_INNER, DIM))
        self.in_proj_bias = nn.Parameter(torch.zeros(INNER + 2 * KV_INNER))
        self.out_proj = nn.Linear(INNER, DIM)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x, cos, sin):
        b, n, _ = x.shape
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).split([INNER, KV_INNER, KV_INNER], dim=-1)
        q = rotate_half_split(q.view(b, n, HEADS, DIM_HEAD).transpose(1, 2), cos, sin)
        k = rotate_half_split(k.view(b, n, KV_HEADS, DIM_HEAD).transpose(1, 2), cos, sin)
        v = v.view(b, n, KV_HEADS, DIM_HEAD).transpose(1, 2)
        # Query head h reads key/value head h // (HEADS / KV_HEADS).
        k, v = k.repeat_interleave(HEADS // KV_HEADS, dim=1), v.repeat_interleave(HEADS // KV_HEADS, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(DIM_HEAD)
        scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
        out = scores.softmax(dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, n, INNER))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = SelfAttention()
        self.linear1, self.linear2 = nn.Linear(DIM, MLP), nn.Linear(MLP, DIM)
        self.norm1, self.norm2 = nn.LayerNorm(DIM), nn.LayerNorm(DIM)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.norm1(x), cos, sin)
        return x + self.linear2(F.gelu(self.linear1(self.norm2(x))))


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Layer() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM)

    def forward(self, x):
        cos, sin = rotary_tables(x.shape[1])
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.norm(x)


class SortingDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(VOCAB, DIM)
        self.blocks = Blocks()
        self.lm_head = nn.Linear(DIM, VOCAB, bias=False)

    def forward(self, tokens):
        return self.lm_head(self.blocks(self.tok_emb(tokens)))


def sample_batch(count, generator):
    prompts = torch.randint(0, 10, (count, DIGITS), generator=generator)
    answers = prompts.sort(dim=1).values
    return prompts, answers


def greedy(model, prompts):
    """Decodes the answers token by token, recomputing the whole prefix each step (no cache)."""
    sequence = torch.cat((prompts, torch.full((len(prompts), 1), SEPARATOR)), dim=1)
    with torch.no_grad():
        for _ in range(DIGITS):
            next_token = model(sequence)[:, -1].argmax(dim=-1, keepdim=True)
            sequence = torch.cat((sequence, next_token), dim=1)
    return sequence[:, DIGITS + 1:]


def save(path, tensors, metadata):
    """Minimal safetensors writer: u64 header length, JSON header padded to 8 bytes, raw little-endian data."""
    header, blobs, offset = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, [], 0
    for key, value in tensors.items():
        value = value.detach().contiguous()
        dtype = {torch.float32: "F32", torch.uint8: "U8"}[value.dtype]
        data = value.numpy().tobytes()
        header[key] = {"dtype": dtype, "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {os.path.relpath(path, HERE)} ({8 + len(text) + offset:,} bytes)")


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    test_prompts, test_answers = sample_batch(TEST_COUNT, torch.Generator().manual_seed(SEED + 1))
    model = SortingDecoder()
    print(f"sorting {DIGITS} digits; decoder: {sum(p.numel() for p in model.parameters()):,} parameters, {DEPTH} layers of {DIM}, "
          f"{HEADS} query heads over {KV_HEADS} key/value heads of {DIM_HEAD}, rotary positions")
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=STEPS, pct_start=0.1)
    generator = torch.Generator().manual_seed(SEED)
    start = time.time()
    for step in range(1, STEPS + 1):
        model.train()
        prompts, answers = sample_batch(BATCH, generator)
        sequence = torch.cat((prompts, torch.full((BATCH, 1), SEPARATOR), answers), dim=1)
        logits = model(sequence[:, :-1])
        # Only the answers are scored: positions DIGITS .. 2·DIGITS − 1 predict the sorted digits.
        loss = F.cross_entropy(logits[:, DIGITS:].reshape(-1, VOCAB), sequence[:, DIGITS + 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 500 == 0 or step == 1:
            model.eval()
            decoded = greedy(model, test_prompts[:100])
            exact = (decoded == test_answers[:100]).all(dim=1).float().mean().item()
            print(f"step {step:5d}  loss {loss.item():.4f}  held-out exact-sort accuracy (100 prompts) {exact:.3f}  ({time.time() - start:.0f} s)")

    model.eval()
    decoded = greedy(model, test_prompts)
    exact = (decoded == test_answers).all(dim=1)
    digit_accuracy = (decoded == test_answers).float().mean().item()
    print(f"final: {int(exact.sum())}/{TEST_COUNT} prompts sorted exactly ({exact.float().mean().item():.4f}), digit accuracy {digit_accuracy:.4f}")
    meta = {
        "model": "decoder-only, pre-norm, rotary (half-split, base 10000), GQA, torch.nn.TransformerEncoderLayer parameter names under blocks.",
        "vocab": VOCAB, "separator_token": SEPARATOR, "digits": DIGITS, "dim": DIM, "heads": HEADS, "kv_heads": KV_HEADS,
        "dim_head": DIM_HEAD, "mlp_dim": MLP, "depth": DEPTH, "seed": SEED, "steps": STEPS, "torch_version": torch.__version__,
    }
    save(os.path.join(HERE, "weights", "sorting_decoder.safetensors"), dict(model.state_dict()), meta)
    save(os.path.join(HERE, "data", "sorting_test.safetensors"), {
        "prompts": test_prompts.to(torch.uint8), "answers": test_answers.to(torch.uint8), "pytorch_greedy": decoded.to(torch.uint8),
    }, {"pytorch_exact_count": int(exact.sum()), "pytorch_exact_accuracy": f"{exact.float().mean().item():.6f}",
        "pytorch_digit_accuracy": f"{digit_accuracy:.6f}", "test_count": TEST_COUNT, "decoding": "greedy, full recomputation"})


if __name__ == "__main__":
    main()
