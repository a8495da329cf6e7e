#!/usr/bin/env python3
"""Trains a two-layer graph attention network on Zachary's karate club and saves what the C# sample needs.

Task: predict which club each of the 34 members joined after the split ('Mr. Hi' = 0, 'Officer' = 1), from the
friendship graph alone (features are one-hot member ids). 4 members per club are labelled for training; the other
26 are held out and only used to report accuracy.

Model (the layer Attend's [GraphAttention] mirrors, same state_dict names):
    conv1: GAT, 34 -> 4 heads x 8, concatenated, self loops added, bias; ELU
    conv2: GAT, 32 -> 2 heads x 2 classes, averaged, self loops added, bias  -> logits

Debian packages only (python3-torch 1.13, python3-networkx). Seeded, single-threaded, deterministic algorithms:
rerunning rewrites the same weights. CI never trains; the result is committed as weights/karate_gat.safetensors.

    /usr/bin/python3 train_karate_gat.py
"""
import json
import os
import random
import struct

import networkx as nx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 2024
EPOCHS = 200
HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.uint8: "U8"}


class GraphAttention(nn.Module):
    """GAT (Velickovic et al. 2018): h = x W^T, e_ij = LeakyReLU(a[:F].h_i + a[F:].h_j), softmax over j in N(i)."""

    def __init__(self, fin, fout, heads, concat, slope=0.2):
        super().__init__()
        self.fout, self.heads, self.concat, self.slope = fout, heads, concat, slope
        self.W = nn.Linear(fin, heads * fout, bias=False)
        self.a = nn.Parameter(torch.empty(heads, 2 * fout))
        self.bias = nn.Parameter(torch.zeros(heads * fout if concat else fout))
        nn.init.xavier_uniform_(self.W.weight, gain=1.414)
        nn.init.xavier_uniform_(self.a, gain=1.414)

    def forward(self, x, adj):
        n = x.shape[0]
        h = self.W(x).view(n, self.heads, self.fout)
        target = (h * self.a[None, :, :self.fout]).sum(-1)            # [N, H]: a[:F] . h_i
        source = (h * self.a[None, :, self.fout:]).sum(-1)            # [N, H]: a[F:] . h_j
        e = F.leaky_relu(target.t()[:, :, None] + source.t()[:, None, :], self.slope)   # [H, i, j]
        alpha = torch.softmax(e.masked_fill(~adj[None], float("-inf")), -1)
        out = torch.einsum("hij,jhf->ihf", alpha, h)
        return (out.reshape(n, -1) if self.concat else out.mean(1)) + self.bias


class KarateGat(nn.Module):
    def __init__(self, nodes):
        super().__init__()
        self.conv1 = GraphAttention(nodes, 8, 4, concat=True)
        self.conv2 = GraphAttention(32, 2, 2, concat=False)

    def forward(self, x, adj):
        x = F.dropout(x, 0.5, self.training)
        x = F.elu(self.conv1(x, adj))
        x = F.dropout(x, 0.5, self.training)
        return self.conv2(x, adj)


def save(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, [], 0
    for key, value in tensors.items():
        data = value.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": DTYPES[value.dtype], "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


def accuracy(logits, labels, mask):
    return (logits.argmax(1)[mask] == labels[mask]).float().mean().item()


def main():
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    graph = nx.karate_club_graph()
    nodes = graph.number_of_nodes()
    labels = torch.tensor([0 if graph.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(nodes)])
    # Each friendship is an edge in both directions: edge_index row 0 = source j, row 1 = target i (PyG).
    pairs = sorted({(j, i) for u, v in graph.edges() for (j, i) in ((u, v), (v, u))}, key=lambda p: (p[1], p[0]))
    edge_index = torch.tensor(pairs, dtype=torch.int32).t().contiguous()
    adj = torch.zeros(nodes, nodes, dtype=torch.bool)
    adj[edge_index[1].long(), edge_index[0].long()] = True
    adj |= torch.eye(nodes, dtype=torch.bool)                           # self loops, as AddSelfLoops = true

    train = torch.zeros(nodes, dtype=torch.bool)
    for club in (0, 1):
        members = [i for i in range(nodes) if labels[i] == club]
        for i in random.sample(members, 4):
            train[i] = True
    test = ~train
    x = torch.eye(nodes)                                                 # one-hot member ids

    model = KarateGat(nodes)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    print(f"karate club: {nodes} members, {edge_index.shape[1]} directed edges, train {int(train.sum())} / held out {int(test.sum())}")
    for epoch in range(1, EPOCHS + 1):
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x, adj)[train], labels[train])
        loss.backward()
        optimizer.step()
        if epoch % 20 == 0 or epoch == 1:
            model.eval()
            with torch.no_grad():
                logits = model(x, adj)
            print(f"epoch {epoch:3d}  loss {loss.item():.4f}  train acc {accuracy(logits, labels, train):.3f}  held-out acc {accuracy(logits, labels, test):.3f}")

    model.eval()
    with torch.no_grad():
        logits = model(x, adj)
    test_accuracy, all_accuracy = accuracy(logits, labels, test), accuracy(logits, labels, torch.ones(nodes, dtype=torch.bool))
    print(f"final: held-out accuracy {test_accuracy:.4f} ({int(round(test_accuracy * int(test.sum())))}/{int(test.sum())}), all members {all_accuracy:.4f}")

    tensors = {k: v for k, v in model.state_dict().items()}
    tensors.update({
        "input.x": x, "input.edge_index": edge_index, "input.labels": labels.to(torch.int32),
        "input.train_mask": train.to(torch.uint8), "input.test_mask": test.to(torch.uint8), "output.logits": logits})
    save(os.path.join(HERE, "weights", "karate_gat.safetensors"), tensors, {
        "model": "conv1 GAT 34->4x8 concat +bias, ELU, conv2 GAT 32->2x2 mean +bias; self loops added; LeakyReLU 0.2",
        "data": "networkx.karate_club_graph(); label 0 = 'Mr. Hi', 1 = 'Officer'; x = one-hot member id",
        "edge_index": "[2, E] I32, row 0 source j, row 1 target i, both directions of each friendship, no self loops",
        "split": "4 training members per club (random.seed(%d)); the rest held out" % SEED,
        "training": "Adam lr 0.01, weight_decay 5e-4, dropout 0.5, %d full-batch epochs, torch.manual_seed(%d)" % (EPOCHS, SEED),
        "torch_version": torch.__version__, "networkx_version": nx.__version__,
        "test_accuracy": f"{test_accuracy:.6f}", "all_accuracy": f"{all_accuracy:.6f}",
        "outputs": "output.logits [34, 2], eval mode"})
    print("wrote weights/karate_gat.safetensors")


if __name__ == "__main__":
    main()
