#!/usr/bin/python3
"""Reference outputs for Attend's transformer blocks, computed with PyTorch (Debian's python3-torch 1.13).

Writes one safetensors file per case next to this script:
  tdl_*    torch.nn.TransformerDecoder (2 layers, causal self-attention, memory key padding)
  tenc_*   torch.nn.TransformerEncoder (2 layers, causal mask, key padding, final norm)
  vitm_*   a whole lucidrains-style ViT (current and older PreNorm naming), re-typed here

Tensors: input.* (inputs), output.* (PyTorch's float32 result), every other tensor a state_dict entry under its exact
name. Biases and norm affine parameters are randomised (PyTorch initialises them to 0 and 1) so that one the C# side
forgets fails the comparison. Masks are U8, 1 = padded. Seeded: running it again rewrites identical files.
"""
import json
import math
import os
import struct

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, tensors, metadata):
    """Minimal safetensors writer: u64 header length, JSON header (8-byte aligned), raw little-endian data."""
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
    with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {name}.safetensors ({8 + len(text) + offset} bytes)")


def randomise_affine(module):
    for sub in module.modules():
        if isinstance(sub, nn.LayerNorm):
            nn.init.uniform_(sub.weight, 0.5, 1.5)
            nn.init.uniform_(sub.bias, -0.5, 0.5)
        if isinstance(sub, (nn.Linear, nn.MultiheadAttention)):
            for pname, p in sub.named_parameters(recurse=False):
                if "bias" in pname:
                    nn.init.uniform_(p, -0.5, 0.5)


def decoder_case(name, seed, d_model, nhead, ff, activation, norm_first, batch, tgt_len, mem_len, memory_valid):
    torch.manual_seed(seed)
    layer = nn.TransformerDecoderLayer(d_model, nhead, ff, dropout=0.0, activation=activation,
                                       batch_first=True, norm_first=norm_first)
    model = nn.TransformerDecoder(layer, num_layers=2).eval()
    randomise_affine(model)
    tgt = torch.randn(batch, tgt_len, d_model)
    memory = torch.randn(batch, mem_len, d_model)
    causal = torch.triu(torch.ones(tgt_len, tgt_len, dtype=torch.bool), diagonal=1)
    padding = torch.zeros(batch, mem_len, dtype=torch.bool)
    for b, valid in enumerate(memory_valid):
        padding[b, valid:] = True
    y = model(tgt, memory, tgt_mask=causal, memory_key_padding_mask=padding)
    with torch.no_grad():
        y64 = model.double()(tgt.double(), memory.double(), tgt_mask=causal, memory_key_padding_mask=padding)
    model.float()
    tensors = {"input.target": tgt, "input.memory": memory, "input.memory_key_padding_mask": padding.to(torch.uint8)}
    tensors.update({k: v for k, v in model.state_dict().items()})
    tensors["output.y"] = y
    save(name, tensors, {
        "case": name, "seed": seed, "module": "torch.nn.TransformerDecoder(TransformerDecoderLayer(batch_first=True), num_layers=2), eval",
        "d_model": d_model, "nhead": nhead, "dim_feedforward": ff, "activation": activation, "norm_first": str(norm_first).lower(),
        "batch": batch, "tgt_len": tgt_len, "mem_len": mem_len, "tgt_mask": "causal", "memory_valid_lengths": ",".join(map(str, memory_valid)),
        "check.output.y.fp64_maxabs": f"{(y.double() - y64).abs().max().item():.3e}", "suggested_atol": "1e-5", "suggested_rtol": "1e-4",
        "torch_version": torch.__version__})


def encoder_case(name, seed, d_model, nhead, ff, activation, norm_first, batch, seq_len, valid):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(d_model, nhead, ff, dropout=0.0, activation=activation,
                                       batch_first=True, norm_first=norm_first)
    model = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(d_model), enable_nested_tensor=False).eval()
    randomise_affine(model)
    x = torch.randn(batch, seq_len, d_model)
    causal = torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=1)
    padding = torch.zeros(batch, seq_len, dtype=torch.bool)
    for b, v in enumerate(valid):
        padding[b, v:] = True
    # Grad stays enabled so PyTorch takes its composite ("slow") path, which keeps padded rows instead of zeroing them.
    y = model(x, mask=causal, src_key_padding_mask=padding)
    y64 = model.double()(x.double(), mask=causal, src_key_padding_mask=padding)
    model.float()
    tensors = {"input.x": x, "input.key_padding_mask": padding.to(torch.uint8)}
    tensors.update(model.state_dict())
    tensors["output.y"] = y
    save(name, tensors, {
        "case": name, "seed": seed, "module": "torch.nn.TransformerEncoder(TransformerEncoderLayer(batch_first=True), num_layers=2, norm=LayerNorm), eval",
        "d_model": d_model, "nhead": nhead, "dim_feedforward": ff, "activation": activation, "norm_first": str(norm_first).lower(),
        "batch": batch, "seq_len": seq_len, "mask": "causal", "valid_lengths": ",".join(map(str, valid)),
        "check.output.y.fp64_maxabs": f"{(y.double() - y64).abs().max().item():.3e}", "suggested_atol": "1e-5", "suggested_rtol": "1e-4",
        "torch_version": torch.__version__})


class Attention(nn.Module):
    """lucidrains Attention: to_qkv without bias, heads of dim_head, to_out = Linear(inner, dim) (+ Dropout), or the
    identity when one head is exactly as wide as the model."""

    def __init__(self, dim, heads, dim_head, prenorm_inside):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.scale = heads, dim_head ** -0.5
        if prenorm_inside:
            self.norm = nn.LayerNorm(dim)
        self.to_qkv = nn.Linear(dim, inner * 3, bias=False)
        project_out = not (heads == 1 and dim_head == dim)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(0.0)) if project_out else nn.Identity()

    def forward(self, x):
        if hasattr(self, "norm"):
            x = self.norm(x)
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, self.heads, -1).transpose(1, 2) for t in self.to_qkv(x).chunk(3, dim=-1))
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(b, n, -1))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, prenorm_inside):
        super().__init__()
        layers = ([nn.LayerNorm(dim)] if prenorm_inside else []) + [nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(0.0), nn.Linear(hidden, dim), nn.Dropout(0.0)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class PreNorm(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.norm, self.fn = nn.LayerNorm(dim), fn

    def forward(self, x):
        return self.fn(self.norm(x))


class ViT(nn.Module):
    """The lucidrains ViT: current naming (norms inside the modules) or the older one (PreNorm wrappers)."""

    def __init__(self, image, patch, channels, classes, dim, depth, heads, dim_head, mlp, pool, current):
        super().__init__()
        self.patch, self.pool, self.current = patch, pool, current
        patch_dim, patches = channels * patch * patch, (image // patch) ** 2
        embed = [nn.Identity()] + ([nn.LayerNorm(patch_dim), nn.Linear(patch_dim, dim), nn.LayerNorm(dim)] if current else [nn.Linear(patch_dim, dim)])
        self.to_patch_embedding = nn.Sequential(*embed)
        self.pos_embedding = nn.Parameter(torch.randn(1, patches + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.transformer = nn.Module()
        self.transformer.layers = nn.ModuleList()
        for _ in range(depth):
            if current:
                self.transformer.layers.append(nn.ModuleList([Attention(dim, heads, dim_head, True), FeedForward(dim, mlp, True)]))
            else:
                self.transformer.layers.append(nn.ModuleList([PreNorm(dim, Attention(dim, heads, dim_head, False)), PreNorm(dim, FeedForward(dim, mlp, False))]))
        if current:
            self.transformer.norm = nn.LayerNorm(dim)
        self.mlp_head = nn.Linear(dim, classes) if current else nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, classes))

    def forward(self, img):
        b, c, h, w = img.shape
        p = self.patch
        # 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'
        x = img.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1).reshape(b, (h // p) * (w // p), p * p * c)
        x = self.to_patch_embedding(x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1) + self.pos_embedding
        for attn, ff in self.transformer.layers:
            x = attn(x) + x
            x = ff(x) + x
        if self.current:
            x = self.transformer.norm(x)
        x = x.mean(dim=1) if self.pool == "mean" else x[:, 0]
        return self.mlp_head(x)


def vit_case(name, seed, current, pool, image=8, patch=2, channels=3, classes=7, dim=24, depth=2, heads=3, dim_head=10, mlp=40, batch=3):
    torch.manual_seed(seed)
    model = ViT(image, patch, channels, classes, dim, depth, heads, dim_head, mlp, pool, current).eval()
    randomise_affine(model)
    images = torch.randn(batch, channels, image, image)
    with torch.no_grad():
        y = model(images)
        y64 = model.double()(images.double())
    model.float()
    tensors = {"input.images": images}
    tensors.update(model.state_dict())
    tensors["output.logits"] = y
    save(name, tensors, {
        "case": name, "seed": seed, "module": "lucidrains-style ViT re-typed in make_block_fixtures.py, " + ("current naming" if current else "older PreNorm naming"),
        "image_size": image, "patch_size": patch, "channels": channels, "num_classes": classes, "dim": dim, "depth": depth, "heads": heads,
        "dim_head": dim_head, "mlp_dim": mlp, "pool": pool, "batch": batch,
        "check.output.logits.fp64_maxabs": f"{(y.double() - y64).abs().max().item():.3e}", "suggested_atol": "1e-5", "suggested_rtol": "1e-4",
        "torch_version": torch.__version__})


if __name__ == "__main__":
    torch.set_num_threads(1)
    decoder_case("tdl_postnorm_relu", 101, 16, 4, 24, "relu", False, 2, 6, 9, [9, 5])
    decoder_case("tdl_prenorm_gelu", 102, 16, 4, 24, "gelu", True, 2, 6, 9, [7, 9])
    encoder_case("tenc_causal_padding_postnorm_gelu", 201, 16, 2, 20, "gelu", False, 2, 7, [7, 4])
    encoder_case("tenc_causal_padding_prenorm_relu", 202, 16, 2, 20, "relu", True, 2, 7, [5, 7])
    vit_case("vitm_current_cls", 301, True, "cls")
    vit_case("vitm_current_mean", 302, True, "mean", heads=1, dim_head=24)
    vit_case("vitm_prenorm_cls", 303, False, "cls", channels=1)
