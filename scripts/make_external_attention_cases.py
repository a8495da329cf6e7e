#!/usr/bin/python3
"""Extra PyTorch reference cases for [BottleneckAttention], [TripletAttention] and [SelectiveKernelAttention]: options
and shapes the shared fixtures (../shared/fixtures) do not cover (BAM with 1 or 2 layers and dilation 3, SK with one
7x7 branch or groups 2, maps wider than every register). Modules re-typed from xmu-xiaoma666/External-Attention-pytorch
model/attention/{BAM,TripletAttention,SKAttention}.py (same state_dict names; BAM's dilated convs padded by the
dilation, as the shared fixtures do). Eval mode, randomised BatchNorm statistics and affine parameters.

Run: /usr/bin/python3 scripts/make_external_attention_cases.py  (writes tests/Attend.Tests/TestData/fixtures/*_extra.safetensors)
"""
import json
import os
import struct
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Attend.Tests", "TestData", "fixtures")


class BamChannel(nn.Module):
    def __init__(self, channel, reduction, num_layers):
        super().__init__()
        gate = [channel] + [channel // reduction] * num_layers + [channel]
        self.ca = nn.Sequential()
        self.ca.add_module("flatten", nn.Flatten())
        for i in range(len(gate) - 2):
            self.ca.add_module("fc%d" % i, nn.Linear(gate[i], gate[i + 1]))
            self.ca.add_module("bn%d" % i, nn.BatchNorm1d(gate[i + 1]))
            self.ca.add_module("relu%d" % i, nn.ReLU())
        self.ca.add_module("last_fc", nn.Linear(gate[-2], gate[-1]))

    def forward(self, x):
        return self.ca(x.mean((2, 3), keepdim=True)).unsqueeze(-1).unsqueeze(-1)


class BamSpatial(nn.Module):
    def __init__(self, channel, reduction, num_layers, dia_val):
        super().__init__()
        hidden = channel // reduction
        self.sa = nn.Sequential()
        self.sa.add_module("conv_reduce1", nn.Conv2d(channel, hidden, 1))
        self.sa.add_module("bn_reduce1", nn.BatchNorm2d(hidden))
        self.sa.add_module("relu_reduce1", nn.ReLU())
        for i in range(num_layers):
            self.sa.add_module("conv_%d" % i, nn.Conv2d(hidden, hidden, 3, padding=dia_val, dilation=dia_val))
            self.sa.add_module("bn_%d" % i, nn.BatchNorm2d(hidden))
            self.sa.add_module("relu_%d" % i, nn.ReLU())
        self.sa.add_module("last_conv", nn.Conv2d(hidden, 1, 1))

    def forward(self, x):
        return self.sa(x)


class Bam(nn.Module):
    def __init__(self, channel, reduction, dia_val, num_layers):
        super().__init__()
        self.ca = BamChannel(channel, reduction, num_layers)
        self.sa = BamSpatial(channel, reduction, num_layers, dia_val)

    def forward(self, x):
        return (1 + torch.sigmoid(self.ca(x) + self.sa(x))) * x


class BasicConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, 7, padding=3, bias=False)
        self.bn = nn.BatchNorm2d(1, eps=1e-5, momentum=0.01, affine=True)

    def forward(self, x):
        return self.bn(self.conv(x))


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = BasicConv()

    def forward(self, x):
        pooled = torch.cat((torch.max(x, 1)[0].unsqueeze(1), torch.mean(x, 1).unsqueeze(1)), dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class Triplet(nn.Module):
    def __init__(self, no_spatial):
        super().__init__()
        self.cw, self.hc = Gate(), Gate()
        self.no_spatial = no_spatial
        if not no_spatial:
            self.hw = Gate()

    def forward(self, x):
        y_cw = self.cw(x.permute(0, 2, 1, 3).contiguous()).permute(0, 2, 1, 3)
        y_hc = self.hc(x.permute(0, 3, 2, 1).contiguous()).permute(0, 3, 2, 1)
        if self.no_spatial:
            return 0.5 * (y_cw + y_hc)
        return 1 / 3 * (self.hw(x) + y_cw + y_hc)


class SK(nn.Module):
    def __init__(self, channel, kernels, reduction, group, L):
        super().__init__()
        self.d = max(L, channel // reduction)
        self.convs = nn.ModuleList([nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(channel, channel, k, padding=k // 2, groups=group)),
            ("bn", nn.BatchNorm2d(channel)),
            ("relu", nn.ReLU())])) for k in kernels])
        self.fc = nn.Linear(channel, self.d)
        self.fcs = nn.ModuleList([nn.Linear(self.d, channel) for _ in kernels])

    def forward(self, x):
        feats = torch.stack([conv(x) for conv in self.convs], 0)
        z = self.fc(feats.sum(0).mean(-1).mean(-1))
        weights = torch.softmax(torch.stack([fc(z) for fc in self.fcs], 0), dim=0)
        return (weights.unsqueeze(-1).unsqueeze(-1) * feats).sum(0)


def randomise(module, generator):
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                tensor.fill_(4)
            elif name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) * 1.5 + 0.25)
            elif name.endswith("running_mean"):
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.3)
            elif name.endswith("bn.weight") or ".bn" in name and name.endswith("weight"):
                tensor.copy_(1 + 0.3 * torch.randn(tensor.shape, generator=generator))
            else:
                fan_in = max(1, tensor[0].numel()) if tensor.dim() > 1 else 4
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / np.sqrt(fan_in))
    module.eval()


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[data.dtype]
        raw = data.tobytes()
        header[name] = {"dtype": dtype, "shape": list(data.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def case(name, module, shape, seed, **metadata):
    generator = torch.Generator().manual_seed(seed)
    randomise(module, generator)
    x = torch.randn(shape, generator=generator)
    with torch.no_grad():
        y = module(x)
        y64 = module.double()(x.double())
        module.float()
    gap = float((y.double() - y64).abs().max())
    tensors = OrderedDict([("input.x", x.numpy())])
    for key, value in module.state_dict().items():
        tensors[key] = value.numpy()
    tensors["output.y"] = y.numpy()
    batch, channels, height, width = shape
    meta = {"case": name, "seed": str(seed), "generator": "scripts/make_external_attention_cases.py (PyTorch %s)" % torch.__version__,
            "batch": str(batch), "channels": str(channels), "height": str(height), "width": str(width),
            "check.output.y.fp64_maxabs": "%.3e" % gap, "suggested_atol": "%.1e" % max(1e-5, 4 * gap), "suggested_rtol": "1e-4"}
    meta.update({k: str(v) for k, v in metadata.items()})
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, meta)
    print(name, "fp64 gap %.2e" % gap)


if __name__ == "__main__":
    case("bam_c24_r4_d3_layers1_extra", Bam(24, 4, 3, 1), (2, 24, 11, 37), 101, kind="bam", reduction=4, dia_val=3, num_layers=1)
    case("bam_c16_r8_d1_layers2_extra", Bam(16, 8, 1, 2), (1, 16, 3, 5), 102, kind="bam", reduction=8, dia_val=1, num_layers=2)
    case("triplet_c20_extra", Triplet(False), (2, 20, 13, 35), 103, kind="triplet_attention", no_spatial="false")
    case("sk_c12_k7_g3_extra", SK(12, [7], 4, 3, 2), (2, 12, 9, 33), 104, kind="sk_attention", kernels="7", group=3, reduction=4, L=2)
    case("sk_c16_k135_g2_extra", SK(16, [1, 3, 5], 2, 2, 4), (2, 16, 6, 18), 105, kind="sk_attention", kernels="1,3,5", group=2, reduction=2, L=4)
