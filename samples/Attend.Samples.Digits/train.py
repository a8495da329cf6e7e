#!/usr/bin/python3
"""Trains the Digits sample's vision transformer on scikit-learn's 8x8 handwritten digits, deterministically.

    /usr/bin/python3 samples/Attend.Samples.Digits/train.py      (Debian: python3-torch, python3-sklearn)

The model is lucidrains/vit-pytorch's ViT (current naming), re-typed below so nothing outside Debian is needed:
8x8 grey images in 2x2 patches (16 tokens + a class token), 2 layers of width 32, 4 heads of 8, MLP 64, 10 classes.
Writes, next to this script:
  weights/digits_vit.safetensors   the state_dict (float32), hyper-parameters and PyTorch's test accuracy in metadata
  data/digits_test.safetensors     the held-out split: images [N,1,8,8] (pixels / 16), labels [N], and PyTorch's logits [N,10]
Seeded and single-threaded with deterministic algorithms: running it again writes the same files.
"""
import json
import os
import struct
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
IMAGE, PATCH, CHANNELS, CLASSES = 8, 2, 1, 10
DIM, DEPTH, HEADS, DIM_HEAD, MLP = 32, 2, 4, 8, 64
EPOCHS, BATCH, LR, WEIGHT_DECAY = 100, 32, 2e-3, 0.05


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        inner = HEADS * DIM_HEAD
        self.norm = nn.LayerNorm(DIM)
        self.to_qkv = nn.Linear(DIM, inner * 3, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, DIM), nn.Dropout(0.0))

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, HEADS, DIM_HEAD).transpose(1, 2) for t in self.to_qkv(self.norm(x)).chunk(3, dim=-1))
        attn = (q @ k.transpose(-1, -2) * DIM_HEAD ** -0.5).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(b, n, HEADS * DIM_HEAD))


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(DIM), nn.Linear(DIM, MLP), nn.GELU(), nn.Dropout(0.0), nn.Linear(MLP, DIM), nn.Dropout(0.0))

    def forward(self, x):
        return self.net(x)


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(DIM)
        self.layers = nn.ModuleList([nn.ModuleList([Attention(), FeedForward()]) for _ in range(DEPTH)])

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return self.norm(x)


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        patch_dim, patches = CHANNELS * PATCH * PATCH, (IMAGE // PATCH) ** 2
        # Index 0 stands for lucidrains' Rearrange layer, so the names match: to_patch_embedding.1/.2/.3.
        self.to_patch_embedding = nn.Sequential(nn.Identity(), nn.LayerNorm(patch_dim), nn.Linear(patch_dim, DIM), nn.LayerNorm(DIM))
        self.pos_embedding = nn.Parameter(torch.randn(1, patches + 1, DIM))
        self.cls_token = nn.Parameter(torch.randn(1, 1, DIM))
        self.transformer = Transformer()
        self.mlp_head = nn.Linear(DIM, CLASSES)

    def forward(self, img):
        b, c, h, w = img.shape
        # 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'
        x = img.reshape(b, c, h // PATCH, PATCH, w // PATCH, PATCH).permute(0, 2, 4, 3, 5, 1).reshape(b, -1, PATCH * PATCH * c)
        x = self.to_patch_embedding(x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1) + self.pos_embedding
        return self.mlp_head(self.transformer(x)[:, 0])


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


def accuracy(model, images, labels):
    with torch.no_grad():
        logits = model(images)
    return logits, (logits.argmax(dim=1) == labels).float().mean().item()


def main():
    # Imported here, not at the top, so scripts/export_digits_peers.py can import the model classes without scikit-learn.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(digits.target, dtype=torch.long)
    train_idx, test_idx = train_test_split(range(len(labels)), test_size=0.2, random_state=0, stratify=digits.target)
    x_train, y_train = images[train_idx], labels[train_idx]
    x_test, y_test = images[test_idx], labels[test_idx]
    print(f"scikit-learn digits: {len(y_train)} training and {len(y_test)} test images of 8x8, pixels scaled to [0, 1]")

    model = ViT()
    print(f"ViT: {sum(p.numel() for p in model.parameters()):,} parameters, {DEPTH} layers of {DIM}, {HEADS} heads of {DIM_HEAD}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps = EPOCHS * ((len(y_train) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=steps, pct_start=0.1)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    generator = torch.Generator().manual_seed(SEED)
    start = time.time()
    for epoch in range(1, EPOCHS + 1):
        model.train()
        order = torch.randperm(len(y_train), generator=generator)
        total = 0.0
        for i in range(0, len(order), BATCH):
            batch = order[i:i + BATCH]
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        if epoch % 10 == 0 or epoch == 1:
            model.eval()
            _, train_acc = accuracy(model, x_train, y_train)
            _, test_acc = accuracy(model, x_test, y_test)
            print(f"epoch {epoch:3d}  loss {total / len(y_train):.4f}  train accuracy {train_acc:.4f}  test accuracy {test_acc:.4f}  ({time.time() - start:.0f} s)")

    model.eval()
    logits, test_acc = accuracy(model, x_test, y_test)
    correct = int((logits.argmax(dim=1) == y_test).sum())
    print(f"final test accuracy {test_acc:.4f} ({correct}/{len(y_test)})")
    meta = {
        "model": "lucidrains ViT (current naming), re-typed in train.py", "image_size": IMAGE, "patch_size": PATCH, "channels": CHANNELS,
        "num_classes": CLASSES, "dim": DIM, "depth": DEPTH, "heads": HEADS, "dim_head": DIM_HEAD, "mlp_dim": MLP, "pool": "cls",
        "seed": SEED, "epochs": EPOCHS, "training": "AdamW, one-cycle LR, label smoothing 0.05, no dropout or augmentation", "torch_version": torch.__version__,
        "pytorch_test_accuracy": f"{test_acc:.6f}", "pytorch_test_correct": correct, "test_count": len(y_test),
    }
    save(os.path.join(HERE, "weights", "digits_vit.safetensors"), dict(model.state_dict()), meta)
    save(os.path.join(HERE, "data", "digits_test.safetensors"), {
        "images": x_test.contiguous(), "labels": y_test.to(torch.uint8), "pytorch_logits": logits,
    }, {"split": "sklearn train_test_split(test_size=0.2, random_state=0, stratify=target)", "pixels": "digits.images / 16",
        "pytorch_test_accuracy": f"{test_acc:.6f}", "pytorch_test_correct": correct})


if __name__ == "__main__":
    main()
