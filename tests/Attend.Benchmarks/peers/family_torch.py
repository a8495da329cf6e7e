#!/usr/bin/python3
"""PyTorch 1.13, one thread, on the shapes of FamilyBenchmarks.cs (SE, ECA, CBAM on [8, 256, 14, 14];
additive, general and dot attention on batch 8, 32 queries, 128 keys, 256 features, hidden 128): median ms
of N runs after a warm-up, under torch.inference_mode(). Run with Debian's /usr/bin/python3."""
import statistics
import time

import torch

torch.set_num_threads(1); torch.set_num_interop_threads(1); torch.manual_seed(1)
def med(f, n):
    for _ in range(5): f()
    t = []
    for _ in range(n):
        s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1e3)
    return statistics.median(t)
B, C, H, W = 8, 256, 14, 14
x = torch.randn(B, C, H, W)
fc1, fc2 = torch.nn.Conv2d(256, 16, 1), torch.nn.Conv2d(16, 256, 1)
def se(): return x * torch.sigmoid(fc2(torch.relu(fc1(x.mean((2, 3), keepdim=True)))))
conv = torch.nn.Conv1d(1, 1, 5, padding=2, bias=False)
def eca(): return x * torch.sigmoid(conv(x.mean((2, 3)).unsqueeze(1))).view(B, C, 1, 1)
c0, c2 = torch.nn.Conv2d(256, 16, 1, bias=False), torch.nn.Conv2d(16, 256, 1, bias=False)
sa = torch.nn.Conv2d(2, 1, 7, padding=3, bias=False)
def cbam():
    mlp = lambda z: c2(torch.relu(c0(z)))
    x1 = x * torch.sigmoid(mlp(torch.nn.functional.adaptive_avg_pool2d(x, 1)) + mlp(torch.nn.functional.adaptive_max_pool2d(x, 1)))
    return x1 * torch.sigmoid(sa(torch.cat([x1.mean(1, keepdim=True), x1.amax(1, keepdim=True)], 1)))
AB, Lq, Lk, D, Hd = 8, 32, 128, 256, 128
q, k, v = torch.randn(AB, Lq, D), torch.randn(AB, Lk, D), torch.randn(AB, Lk, D)
Wq, Wk, wv = torch.nn.Linear(D, Hd, bias=False), torch.nn.Linear(D, Hd, bias=False), torch.nn.Linear(Hd, 1, bias=False)
def additive():
    f = torch.tanh(Wq(q).unsqueeze(2) + Wk(k).unsqueeze(1))
    return torch.bmm(torch.softmax(wv(f).squeeze(-1), -1), v)
Wa = torch.nn.Linear(D, D, bias=False)
def general(): return torch.bmm(torch.softmax(torch.bmm(q, Wa(k).transpose(1, 2)), -1), v)
def dot(): return torch.bmm(torch.softmax(torch.bmm(q, k.transpose(1, 2)), -1), v)
with torch.inference_mode():
    print(f"torch 1 thread: SE {med(se,200):.3f} ms | ECA {med(eca,200):.3f} ms | CBAM {med(cbam,100):.3f} ms | additive {med(additive,30):.3f} ms | general {med(general,100):.3f} ms | dot {med(dot,100):.3f} ms")
