"""PyTorch reference cases for Polarized Self-Attention with an odd channel count (HalfChannels = C // 2), which the
shared fixtures do not cover. The modules are the collection's (xmu-xiaoma666/External-Attention-pytorch
model/attention/PolarizedSelfAttention.py @ d75848e), re-typed with the same state_dict names; biases and LayerNorm
affine parameters are randomised so forgetting one fails. Writes <out>/psa_{parallel,sequential}_c15.safetensors in the
format of /work/shared/fixtures (u64 header length, JSON header with __metadata__, raw float32 data).

Usage: python3 make_psa_odd_channels.py tests/Attend.Tests/TestData/fixtures
"""
import json
import struct
import sys

import torch
from torch import nn


class PolarizedSelfAttention(nn.Module):
    def __init__(self, channel, sequential):
        super().__init__()
        self.sequential = sequential
        self.ch_wv = nn.Conv2d(channel, channel // 2, kernel_size=(1, 1))
        self.ch_wq = nn.Conv2d(channel, 1, kernel_size=(1, 1))
        self.softmax_channel = nn.Softmax(1)
        self.softmax_spatial = nn.Softmax(-1)
        self.ch_wz = nn.Conv2d(channel // 2, channel, kernel_size=(1, 1))
        self.ln = nn.LayerNorm(channel)
        self.sigmoid = nn.Sigmoid()
        self.sp_wv = nn.Conv2d(channel, channel // 2, kernel_size=(1, 1))
        self.sp_wq = nn.Conv2d(channel, channel // 2, kernel_size=(1, 1))
        self.agp = nn.AdaptiveAvgPool2d((1, 1))

    def forward(self, x):
        b, c, h, w = x.size()
        channel_wv = self.ch_wv(x).reshape(b, c // 2, -1)
        channel_wq = self.softmax_channel(self.ch_wq(x).reshape(b, -1, 1))
        channel_wz = torch.matmul(channel_wv, channel_wq).unsqueeze(-1)
        channel_weight = self.sigmoid(self.ln(self.ch_wz(channel_wz).reshape(b, c, 1).permute(0, 2, 1))).permute(0, 2, 1).reshape(b, c, 1, 1)
        channel_out = channel_weight * x
        s = channel_out if self.sequential else x
        spatial_wv = self.sp_wv(s).reshape(b, c // 2, -1)
        spatial_wq = self.agp(self.sp_wq(s)).permute(0, 2, 3, 1).reshape(b, 1, c // 2)
        spatial_wq = self.softmax_spatial(spatial_wq)
        spatial_weight = self.sigmoid(torch.matmul(spatial_wq, spatial_wv).reshape(b, 1, h, w))
        out = spatial_weight * s if self.sequential else spatial_weight * x + channel_out
        return out, channel_weight, spatial_weight


def write(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(out):
    batch, channels, height, width = 2, 15, 7, 5
    for seed, variant in ((1501, "parallel"), (1502, "sequential")):
        torch.manual_seed(seed)
        module = PolarizedSelfAttention(channels, variant == "sequential").eval()
        with torch.no_grad():
            for name, p in module.named_parameters():
                if name.endswith("bias") or name.startswith("ln."):
                    p.copy_(torch.randn_like(p) * 0.5 + (1.0 if name == "ln.weight" else 0.0))
        x = torch.randn(batch, channels, height, width)
        with torch.no_grad():
            y, cw, sw = module(x)
            y64, cw64, sw64 = module.double()(x.double())
        gaps = {n: float((a.double() - b).abs().max()) for n, a, b in (("y", y, y64), ("channel_weight", cw, cw64), ("spatial_weight", sw, sw64))}
        metadata = {
            "case": f"psa_{variant}_c15", "seed": str(seed), "kind": "polarized_self_attention", "variant": variant,
            "batch": str(batch), "channels": str(channels), "height": str(height), "width": str(width), "half_channels": str(channels // 2),
            "source": "xmu-xiaoma666/External-Attention-pytorch @ d75848e model/attention/PolarizedSelfAttention.py (odd channel count: C // 2)",
            "generator": "scripts/fixtures_pointwise/make_psa_odd_channels.py", "torch_version": torch.__version__,
            "suggested_atol": f"{max(1e-5, 4 * max(gaps.values())):.1e}", "suggested_rtol": "1e-4",
            **{f"check.output.{n}.fp64_maxabs": f"{g:.3e}" for n, g in gaps.items()},
        }
        tensors = {"input.x": x, **{n: p for n, p in module.float().state_dict().items()}, "output.y": y, "output.channel_weight": cw, "output.spatial_weight": sw}
        write(f"{out}/psa_{variant}_c15.safetensors", tensors, metadata)


if __name__ == "__main__":
    main(sys.argv[1])
