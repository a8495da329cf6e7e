#!/usr/bin/python3
"""PyTorch 1.13 side of the External-Attention module benchmark (issue 13).

For each module at a typical size (64 channels, 56x56 maps, batch 1; token modules: 3136 tokens of 64 features,
the same map flattened; attention-as-convolution: K = 3 at 28x28), this script builds the module with the
collection's state_dict names (xmu-xiaoma666/External-Attention-pytorch model/attention/, restated here from
their formulas so the benchmark needs no clone of that repository), draws weights and eval-mode BatchNorm
statistics with a fixed seed, and writes <work>/<case>.safetensors holding:

  the state_dict (PyTorch names), input.x, reference.y (float32 copy of the float64 forward),
  __metadata__: module, sizes, torch_ms (median, 1 thread, inference_mode), torch_maxabs (float32 vs float64)

Attend's `external` benchmark command loads the same files, checks its output against reference.y and prints
both timings side by side. Run with Debian's /usr/bin/python3:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tests/Attend.Benchmarks/peers/external_attention_torch.py \
      [--work DIR] [--only a,b] [--quick] [--rounds N]

(unset the OpenBLAS variables as run.sh does: they pin a slower kernel; see peers/README.md).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_cases import write_safetensors  # noqa: E402

BASE_SEED = 20261206
C, H, W = 64, 56, 56


# ----------------------------------------------------------------------------- the modules
class SimAM(nn.Module):
    def __init__(self, e_lambda=1e-4):
        super().__init__()
        self.e_lambda = e_lambda

    def forward(self, x):
        n = x.shape[2] * x.shape[3] - 1
        d = (x - x.mean(dim=(2, 3), keepdim=True)).pow(2)
        return x * torch.sigmoid(d / (4 * (d.sum(dim=(2, 3), keepdim=True) / n + self.e_lambda)) + 0.5)


class ShuffleAttention(nn.Module):
    def __init__(self, channel, G):
        super().__init__()
        self.G, q = G, channel // (2 * G)
        self.gn = nn.GroupNorm(q, q)
        self.cweight, self.cbias = nn.Parameter(torch.zeros(1, q, 1, 1)), nn.Parameter(torch.ones(1, q, 1, 1))
        self.sweight, self.sbias = nn.Parameter(torch.zeros(1, q, 1, 1)), nn.Parameter(torch.ones(1, q, 1, 1))

    def forward(self, x):
        b, c, h, w = x.shape
        x0, x1 = x.reshape(b * self.G, -1, h, w).chunk(2, dim=1)
        xc = x0 * torch.sigmoid(self.cweight * x0.mean(dim=(2, 3), keepdim=True) + self.cbias)
        xs = x1 * torch.sigmoid(self.sweight * self.gn(x1) + self.sbias)
        out = torch.cat([xc, xs], dim=1).reshape(b, -1, h, w)
        return out.reshape(b, 2, -1, h, w).permute(0, 2, 1, 3, 4).reshape(b, -1, h, w)


class CoordAtt(nn.Module):
    def __init__(self, inp, oup, reduction=32):
        super().__init__()
        mip = max(8, inp // reduction)
        self.conv1, self.bn1 = nn.Conv2d(inp, mip, 1), nn.BatchNorm2d(mip)
        self.conv_h, self.conv_w = nn.Conv2d(mip, oup, 1), nn.Conv2d(mip, oup, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        y = torch.cat([x.mean(3, keepdim=True), x.mean(2, keepdim=True).permute(0, 1, 3, 2)], dim=2)
        y = self.bn1(self.conv1(y))
        y = y * F.relu6(y + 3) / 6
        yh, yw = torch.split(y, [h, w], dim=2)
        return x * self.conv_w(yw.permute(0, 1, 3, 2)).sigmoid() * self.conv_h(yh).sigmoid()


class PolarizedSelfAttention(nn.Module):
    def __init__(self, channel, sequential):
        super().__init__()
        self.sequential = sequential
        self.ch_wv, self.ch_wq = nn.Conv2d(channel, channel // 2, 1), nn.Conv2d(channel, 1, 1)
        self.ch_wz, self.ln = nn.Conv2d(channel // 2, channel, 1), nn.LayerNorm(channel)
        self.sp_wv, self.sp_wq = nn.Conv2d(channel, channel // 2, 1), nn.Conv2d(channel, channel // 2, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        wv = self.ch_wv(x).reshape(b, c // 2, -1)
        wq = torch.softmax(self.ch_wq(x).reshape(b, -1, 1), dim=1)
        wz = torch.matmul(wv, wq).unsqueeze(-1)
        cw = torch.sigmoid(self.ln(self.ch_wz(wz).reshape(b, c, 1).permute(0, 2, 1))).permute(0, 2, 1).reshape(b, c, 1, 1)
        channel_out = cw * x
        src = channel_out if self.sequential else x
        sv = self.sp_wv(src).reshape(b, c // 2, -1)
        sq = torch.softmax(self.sp_wq(src).mean(dim=(2, 3)).reshape(b, 1, c // 2), dim=-1)
        sw = torch.sigmoid(torch.matmul(sq, sv).reshape(b, 1, h, w))
        return sw * channel_out if self.sequential else sw * x + channel_out


class ExternalAttention(nn.Module):
    def __init__(self, d_model, S):
        super().__init__()
        self.mk, self.mv = nn.Linear(d_model, S, bias=False), nn.Linear(S, d_model, bias=False)

    def forward(self, q):
        a = torch.softmax(self.mk(q), dim=1)
        return self.mv(a / a.sum(dim=2, keepdim=True))


class MobileViTv2Attention(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.fc_i, self.fc_k = nn.Linear(d_model, 1), nn.Linear(d_model, d_model)
        self.fc_v, self.fc_o = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)

    def forward(self, x):
        context = (torch.softmax(self.fc_i(x), dim=1) * self.fc_k(x)).sum(dim=1, keepdim=True)
        return self.fc_o(self.fc_v(x) * context)


class BAMBlock(nn.Module):
    """BAM with the dilated convs padded by the dilation (the paper's and the authors' choice; see the fixtures README)."""
    def __init__(self, channel, reduction, dia_val, num_layers=3):
        super().__init__()
        r = channel // reduction
        self.ca = nn.Module()
        self.ca.ca = nn.Sequential()
        widths = [channel] + [r] * num_layers
        for i in range(num_layers):
            self.ca.ca.add_module(f"fc{i}", nn.Linear(widths[i], widths[i + 1]))
            self.ca.ca.add_module(f"bn{i}", nn.BatchNorm1d(widths[i + 1]))
            self.ca.ca.add_module(f"relu{i}", nn.ReLU())
        self.ca.ca.add_module("last_fc", nn.Linear(r, channel))
        self.sa = nn.Module()
        self.sa.sa = nn.Sequential()
        self.sa.sa.add_module("conv_reduce1", nn.Conv2d(channel, r, 1))
        self.sa.sa.add_module("bn_reduce1", nn.BatchNorm2d(r))
        self.sa.sa.add_module("relu_reduce1", nn.ReLU())
        for i in range(num_layers):
            self.sa.sa.add_module(f"conv_{i}", nn.Conv2d(r, r, 3, padding=dia_val, dilation=dia_val))
            self.sa.sa.add_module(f"bn_{i}", nn.BatchNorm2d(r))
            self.sa.sa.add_module(f"relu_{i}", nn.ReLU())
        self.sa.sa.add_module("last_conv", nn.Conv2d(r, 1, 1))

    def forward(self, x):
        ca = self.ca.ca(x.mean(dim=(2, 3)))[:, :, None, None]
        return (1 + torch.sigmoid(self.sa.sa(x) + ca)) * x


class AttentionGate(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Module()
        self.conv.conv, self.conv.bn = nn.Conv2d(2, 1, 7, padding=3, bias=False), nn.BatchNorm2d(1)

    def forward(self, x):
        z = torch.cat([x.amax(1, keepdim=True), x.mean(1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv.bn(self.conv.conv(z)))


class TripletAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.cw, self.hc, self.hw = AttentionGate(), AttentionGate(), AttentionGate()

    def forward(self, x):
        a = self.cw(x.permute(0, 2, 1, 3).contiguous()).permute(0, 2, 1, 3)
        b = self.hc(x.permute(0, 3, 2, 1).contiguous()).permute(0, 3, 2, 1)
        return (self.hw(x) + a + b) / 3


class SKAttention(nn.Module):
    def __init__(self, channel, kernels, reduction, group, L):
        super().__init__()
        d = max(L, channel // reduction)
        self.convs = nn.ModuleList()
        for k in kernels:
            branch = nn.Module()
            branch.conv, branch.bn = nn.Conv2d(channel, channel, k, padding=k // 2, groups=group), nn.BatchNorm2d(channel)
            self.convs.append(branch)
        self.fc = nn.Linear(channel, d)
        self.fcs = nn.ModuleList([nn.Linear(d, channel) for _ in kernels])

    def forward(self, x):
        feats = torch.stack([F.relu(b.bn(b.conv(x))) for b in self.convs], 0)
        z = self.fc(feats.sum(0).mean(dim=(2, 3)))
        weights = torch.softmax(torch.stack([fc(z) for fc in self.fcs], 0), dim=0)
        return (weights[:, :, :, None, None] * feats).sum(0)


class PositionAttentionRepo(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.cnn = nn.Conv2d(d_model, d_model, 3, padding=1)
        self.pa = nn.Module()
        for name in ("fc_q", "fc_k", "fc_v", "fc_o"):
            setattr(self.pa, name, nn.Linear(d_model, d_model))

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.cnn(x).reshape(b, c, -1).permute(0, 2, 1)
        att = torch.softmax(self.pa.fc_q(y) @ self.pa.fc_k(y).transpose(1, 2) / math.sqrt(c), -1)
        return self.pa.fc_o(att @ self.pa.fc_v(y))


class ChannelAttentionRepo(nn.Module):
    def __init__(self, d_model, hw):
        super().__init__()
        self.cnn = nn.Conv2d(d_model, d_model, 3, padding=1)
        self.pa = nn.Module()
        self.pa.fc_o = nn.Linear(hw, hw)

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.cnn(x).reshape(b, c, -1)
        att = torch.softmax(y @ y.transpose(1, 2) / math.sqrt(h * w), -1)
        return self.pa.fc_o(att @ y)


class PamOfficial(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.query_conv, self.key_conv = nn.Conv2d(c, c // 8, 1), nn.Conv2d(c, c // 8, 1)
        self.value_conv, self.gamma = nn.Conv2d(c, c, 1), nn.Parameter(torch.zeros(1))

    def forward(self, x):
        b, c, h, w = x.shape
        q, k = self.query_conv(x).reshape(b, -1, h * w), self.key_conv(x).reshape(b, -1, h * w)
        attn = torch.softmax(q.transpose(1, 2) @ k, -1)
        out = self.value_conv(x).reshape(b, c, h * w) @ attn.transpose(1, 2)
        return self.gamma * out.reshape(b, c, h, w) + x


class CamOfficial(nn.Module):
    def __init__(self):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        b, c, h, w = x.shape
        q = x.reshape(b, c, -1)
        energy = q @ q.transpose(1, 2)
        attn = torch.softmax(energy.amax(-1, keepdim=True).expand_as(energy) - energy, -1)
        return self.gamma * (attn @ q).reshape(b, c, h, w) + x


class AttentionAsConvolution(nn.Module):
    """Cordonnier et al.'s quadratic-encoding MHSA over a zero-padded image (the fixtures' formula)."""
    def __init__(self, cin, cout, k):
        super().__init__()
        self.k, heads = k, k * k
        self.attn = nn.Module()
        self.attn.centers = nn.Parameter(torch.tensor([[dy, dx] for dy in range(-(k // 2), k // 2 + 1)
                                                        for dx in range(-(k // 2), k // 2 + 1)], dtype=torch.float32))
        self.attn.alpha = nn.Parameter(torch.full((heads,), 30.0))
        self.attn.value, self.attn.out = nn.Linear(cin, heads * cout, bias=False), nn.Linear(heads * cout, cout)

    def forward(self, x):
        b, cin, h, w = x.shape
        p = self.k // 2
        xp = F.pad(x, (p, p, p, p))
        keys = torch.stack(torch.meshgrid(torch.arange(h + 2 * p), torch.arange(w + 2 * p), indexing="ij"), -1).reshape(-1, 2)
        queries = torch.stack(torch.meshgrid(torch.arange(h) + p, torch.arange(w) + p, indexing="ij"), -1).reshape(-1, 2)
        delta = (keys[None, :, :] - queries[:, None, :]).to(x.dtype)              # [HW, N, 2]
        diff = delta[None] - self.attn.centers[:, None, None, :].to(x.dtype)      # [heads, HW, N, 2]
        probs = torch.softmax(-self.attn.alpha[:, None, None].to(x.dtype) * diff.pow(2).sum(-1), -1)
        v = self.attn.value(xp.reshape(b, cin, -1).transpose(1, 2))              # [b, N, heads*cout]
        heads = v.shape[-1] // self.attn.centers.shape[0]
        v = v.reshape(b, -1, self.attn.centers.shape[0], heads).permute(0, 2, 1, 3)  # [b, heads, N, cout]
        y = (probs[None] @ v).permute(0, 2, 1, 3).reshape(b, h * w, -1)
        return self.attn.out(y).transpose(1, 2).reshape(b, -1, h, w)


# ----------------------------------------------------------------------------- cases
def cases():
    token = (1, H * W, C)
    image = (1, C, H, W)
    return [
        ("simam", lambda: SimAM(1e-4), image, "SimAM(e_lambda=1e-4)"),
        ("shuffle_g8", lambda: ShuffleAttention(C, 8), image, "ShuffleAttention(channel=64, G=8)"),
        ("coordatt_r32", lambda: CoordAtt(C, C, 32), image, "CoordAtt(64, 64, reduction=32)"),
        ("psa_parallel", lambda: PolarizedSelfAttention(C, False), image, "ParallelPolarizedSelfAttention(64)"),
        ("psa_sequential", lambda: PolarizedSelfAttention(C, True), image, "SequentialPolarizedSelfAttention(64)"),
        ("external_attention_s64", lambda: ExternalAttention(C, 64), token, "ExternalAttention(d_model=64, S=64)"),
        ("mobilevitv2", lambda: MobileViTv2Attention(C), token, "MobileViTv2Attention(d_model=64)"),
        ("bam_r16_d2", lambda: BAMBlock(C, 16, 2), image, "BAMBlock(64, reduction=16, dia_val=2), padding=dilation"),
        ("triplet", lambda: TripletAttention(), image, "TripletAttention()"),
        ("sk_k1357", lambda: SKAttention(C, [1, 3, 5, 7], 16, 1, 32), image, "SKAttention(64, kernels=[1,3,5,7], reduction=16, group=1, L=32)"),
        ("danet_pam_repo", lambda: PositionAttentionRepo(C), image, "PositionAttentionModule(d_model=64, kernel_size=3)"),
        ("danet_cam_repo", lambda: ChannelAttentionRepo(C, H * W), image, "ChannelAttentionModule(d_model=64, kernel_size=3, H=56, W=56)"),
        ("danet_pam_official", lambda: PamOfficial(C), image, "PAM_Module(64) (junfu1115/DANet)"),
        ("danet_cam_official", lambda: CamOfficial(), image, "CAM_Module(64) (junfu1115/DANet)"),
        ("attnconv_k3", lambda: AttentionAsConvolution(C, C, 3), (1, C, 28, 28), "quadratic-encoding MHSA, K=3, 9 heads, 64->64, 28x28"),
    ]


def randomize(module: nn.Module, gen: torch.Generator) -> None:
    """Default PyTorch init for weights and biases, then visible values for what the defaults leave flat (BatchNorm
    statistics, norm affines, DANet's gammas, ShuffleAttention's zero/one scales), so every tensor shapes the output."""
    def draw(t, scale, offset=0.0):
        t.copy_(torch.randn(t.shape, generator=gen) * scale + offset)

    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                draw(m.running_mean, 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)):
                draw(m.weight, 0.2, 1.0)
                draw(m.bias, 0.2)
        for name, p in module.named_parameters():
            if name.split(".")[-1] in ("gamma", "cweight", "cbias", "sweight", "sbias"):
                draw(p, 0.5, 0.5)


def median_ms(fn, budget_s: float) -> float:
    for _ in range(3):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < budget_s and len(times) < 500):
        s = time.perf_counter(); fn(); times.append((time.perf_counter() - s) * 1e3)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".work", "external"))
    parser.add_argument("--only", default="")
    parser.add_argument("--quick", action="store_true", help="0.3 s of timed runs per module instead of 2 s")
    parser.add_argument("--rounds", type=int, default=1, help="time each module N times over, keep the best median")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.set_num_threads(1); torch.set_num_interop_threads(1)
    only = set(filter(None, args.only.split(",")))
    manifest = []
    print(f"torch {torch.__version__}, 1 thread")
    for index, (name, make, shape, module_text) in enumerate(cases()):
        if only and name not in only:
            continue
        gen = torch.Generator().manual_seed(BASE_SEED + index)
        torch.manual_seed(BASE_SEED + index)
        module = make().eval()
        randomize(module, gen)
        x = torch.randn(shape, generator=gen)
        if name == "danet_cam_official":
            x = x * 0.3  # as the fixtures: the energy's softmax saturates at full scale
        with torch.inference_mode():
            reference = copy.deepcopy(module).double()(x.double())
            y = module(x)
            maxabs = float((y.double() - reference).abs().max())
            ms = min(median_ms(lambda: module(x), 0.3 if args.quick else 2.0) for _ in range(args.rounds))
        tensors = {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}
        tensors["input.x"] = x.numpy().copy()
        tensors["reference.y"] = reference.float().numpy().copy()
        meta = {"case": name, "module": module_text, "input_shape": json.dumps(list(shape)),
                "torch_ms": f"{ms:.4f}", "torch_maxabs": f"{maxabs:.3e}", "torch_version": torch.__version__}
        path = os.path.join(args.work, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        manifest.append({"case": name, "file": os.path.abspath(path), "torch_ms": ms, "torch_maxabs": maxabs})
        print(f"{name:24s} {ms:9.3f} ms   float32 vs float64 {maxabs:.2e}   {module_text}", flush=True)
    with open(os.path.join(args.work, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
