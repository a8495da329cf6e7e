#!/usr/bin/env python3
"""Trains the digits CNN with a squeeze-and-excitation block and saves what the C# sample needs.

Model (NCHW, 8x8 grey images from scikit-learn's digits):
    conv1 = Conv2d(1, 16, 3, padding=1) -> ReLU -> se = SqueezeExcitation(16, squeeze 4) -> MaxPool2d(2) -> fc = Linear(256, 10)
The SE block has torchvision's layout (fc1 / fc2 are 1x1 convolutions with bias, ReLU between, sigmoid gate),
so its state_dict loads into Attend's [SqueezeExcitation(Channels = 16, Reduction = 4)] under the prefix "se.".

Deterministic: fixed seeds, one thread, deterministic algorithms, a fixed train/test split. CI never runs this;
the file it writes (weights/digits_se.safetensors) is committed with PyTorch's measured test accuracy and logits.

Usage: /usr/bin/python3 train.py   (Debian's python3-torch 1.13 and python3-sklearn)
"""
import json
import os
import struct

import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 20240607
EPOCHS = 40
BATCH = 64
LR = 3e-3


class SqueezeExcitation(nn.Module):
    """torchvision.ops.SqueezeExcitation, restated (Debian's python3-torch ships no torchvision)."""

    def __init__(self, channels, squeeze):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
        return x * s


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.se = SqueezeExcitation(16, 4)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = self.se(torch.relu(self.conv1(x)))
        x = torch.max_pool2d(x, 2)
        return self.fc(x.flatten(1))


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[array.dtype]
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]   # [N, 1, 8, 8] in [0, 1]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)

    model = DigitsNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(xt), generator=generator)
        for start in range(0, len(xt), BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[index]), yt[index])
            loss.backward()
            optimizer.step()

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
        train_accuracy = float((model(xt).argmax(1) == yt).float().mean())
    predictions = logits.argmax(1)
    correct = int((predictions == y_test).sum())
    accuracy = correct / len(y_test)
    print(f"train accuracy {train_accuracy:.4f}, test accuracy {accuracy:.4f} ({correct}/{len(y_test)})")

    tensors = {name: value.detach().numpy().astype(np.float32) for name, value in model.state_dict().items()}
    tensors["test.images"] = x_test
    tensors["test.labels"] = y_test
    tensors["test.logits"] = logits.astype(np.float32)
    metadata = {
        "description": "digits CNN with a squeeze-and-excitation block, trained by samples/Attend.Samples.DigitsSqueezeExcitation/train.py",
        "model": "conv1 = Conv2d(1, 16, 3, padding=1) -> ReLU -> se = SqueezeExcitation(16, 4) (torchvision layout) -> MaxPool2d(2) -> fc = Linear(256, 10)",
        "data": "sklearn.datasets.load_digits, images / 16, train_test_split(test_size=0.2, random_state=0, stratify=labels)",
        "torch_version": torch.__version__,
        "seed": str(SEED),
        "epochs": str(EPOCHS),
        "batch": str(BATCH),
        "optimizer": f"Adam(lr={LR})",
        "test_count": str(len(y_test)),
        "test_correct": str(correct),
        "test_accuracy": f"{accuracy:.6f}",
        "train_accuracy": f"{train_accuracy:.6f}",
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights", "digits_se.safetensors")
    save_safetensors(out, tensors, metadata)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
