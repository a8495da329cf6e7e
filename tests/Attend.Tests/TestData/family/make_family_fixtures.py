#!/usr/bin/env python3
"""Reference cases for Attend's graph-attention and attention-pooling layers that the shared fixtures do not
cover: GATv2 scoring, added self loops, nodes without incoming edges, a bias, attention pooling (additive and
learned-query) with key padding, and two pooling layers stacked word -> sentence -> document.

PyTorch 1.13 (Debian python3-torch), float32 on CPU, torch.manual_seed per case, written as safetensors by hand
(no safetensors package on Debian). Deterministic: rerunning rewrites byte-identical files.

    /usr/bin/python3 make_family_fixtures.py        # writes *.safetensors next to this script

Conventions (as the shared fixtures): weights under their state_dict names, inputs input.*, outputs output.*,
masks U8 with 1 = padded; edge_index [2, E] I32 with row 0 = source j, row 1 = target i (node i attends to j).
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.uint8: "U8"}


def save(name, tensors, metadata):
    header, blobs, offset = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, [], 0
    for key, value in tensors.items():
        value = value.detach().contiguous()
        data = value.numpy().tobytes()
        header[key] = {"dtype": DTYPES[value.dtype], "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))
    print("wrote", name)


class GraphAttention(nn.Module):
    """GAT / GATv2 over a dense adjacency (adj[i, j] = 1: i attends to j); fine for reference sizes."""

    def __init__(self, fin, fout, heads, v2, concat, slope, bias):
        super().__init__()
        self.fout, self.heads, self.v2, self.concat, self.slope = fout, heads, v2, concat, slope
        self.W = nn.Linear(fin, heads * fout, bias=False)
        self.a = nn.Parameter(torch.randn(heads, fout if v2 else 2 * fout) * 0.5)
        self.bias = nn.Parameter(torch.randn(heads * fout if concat else fout) * 0.5) if bias else None

    def forward(self, x, adj):
        n = x.shape[0]
        h = self.W(x).view(n, self.heads, self.fout)                       # [N, H, F]
        hi, hj = h.permute(1, 0, 2)[:, :, None, :], h.permute(1, 0, 2)[:, None, :, :]
        if self.v2:
            e = (F.leaky_relu(hi + hj, self.slope) * self.a[:, None, None, :]).sum(-1)      # [H, N, N]
        else:
            e = F.leaky_relu((hi * self.a[:, None, None, :self.fout]).sum(-1) + (hj * self.a[:, None, None, self.fout:]).sum(-1), self.slope)
        e = e.masked_fill(~adj.bool()[None], float("-inf"))
        alpha = torch.nan_to_num(torch.softmax(e, -1), nan=0.0)            # a node without incoming edges: zeros
        out = torch.einsum("hij,jhf->ihf", alpha, h)
        y = out.reshape(n, -1) if self.concat else out.mean(1)
        return (y + self.bias if self.bias is not None else y), alpha


def graph_case(name, seed, nodes, fin, fout, heads, v2, concat, bias, add_self_loops, edges):
    torch.manual_seed(seed)
    m = GraphAttention(fin, fout, heads, v2, concat, 0.2, bias)
    x = torch.randn(nodes, fin)
    edge_index = torch.tensor(edges, dtype=torch.int32).t().contiguous()     # listed order, unsorted
    adj = torch.zeros(nodes, nodes, dtype=torch.uint8)
    for j, i in edges:
        if not (add_self_loops and i == j):
            adj[i, j] = 1
    if add_self_loops:
        adj.fill_diagonal_(1)
    with torch.no_grad():
        y, alpha = m(x, adj)
    per_edge = torch.stack([alpha[:, i, j] for j, i in edges])              # [E, H], PyG's layout
    tensors = {"input.x": x, "input.edge_index": edge_index, **{k: v for k, v in m.state_dict().items()},
               "output.y": y, "output.attn_edges": per_edge, "output.attn": alpha}
    save(name, tensors, {
        "case": name, "seed": seed, "generator": "make_family_fixtures.py (PyTorch 1.13)", "torch_version": torch.__version__,
        "kind": "gatv2" if v2 else "gat", "nodes": nodes, "in_features": fin, "out_features": fout, "heads": heads,
        "combine": "concat" if concat else "mean", "negative_slope": 0.2, "bias": bias, "add_self_loops": add_self_loops,
        "formula": ("e_ij = a_h . leaky_relu(h_i + h_j)" if v2 else "e_ij = leaky_relu(a[:F].h_i + a[F:].h_j)") +
                   "; alpha = softmax_j over incoming edges (none: zeros); y = concat/mean_h sum_j alpha h_j (+ bias)",
        "self_loops": "listed loops dropped, one per node added (PyG add_self_loops)" if add_self_loops else "edges used as listed",
        "outputs": "output.y; output.attn_edges [E, H] per listed edge; output.attn [H, N, N]",
        "suggested_atol": "1.0e-05", "suggested_rtol": "1e-4"})


class AttentionPooling(nn.Module):
    def __init__(self, features, hidden, learned_query, bias=True):
        super().__init__()
        if learned_query:
            self.query = nn.Parameter(torch.randn(features) * 0.3)
        else:
            self.proj = nn.Linear(features, hidden, bias=bias)
            self.context = nn.Linear(hidden, 1, bias=False)
        self.learned_query = learned_query

    def forward(self, h, padded):
        s = h @ self.query if self.learned_query else self.context(torch.tanh(self.proj(h))).squeeze(-1)
        s = s.masked_fill(padded.bool(), float("-inf"))
        alpha = torch.nan_to_num(torch.softmax(s, -1), nan=0.0)               # every position padded: zeros
        return torch.einsum("bt,btf->bf", alpha, h), alpha


def padding(valid, length):
    return torch.tensor([[1 if t >= v else 0 for t in range(length)] for v in valid], dtype=torch.uint8)


def pooling_case(name, seed, batch, length, features, hidden, learned_query, valid):
    torch.manual_seed(seed)
    m = AttentionPooling(features, hidden, learned_query)
    if not learned_query:
        nn.init.normal_(m.proj.bias, std=0.5)
    x = torch.randn(batch, length, features)
    mask = padding(valid, length)
    with torch.no_grad():
        y, alpha = m(x, mask)
    save(name, {"input.x": x, "input.key_padding_mask": mask, **m.state_dict(), "output.y": y, "output.attn_weights": alpha}, {
        "case": name, "seed": seed, "generator": "make_family_fixtures.py (PyTorch 1.13)", "torch_version": torch.__version__,
        "kind": "attention_pooling", "score": "learned_query" if learned_query else "additive", "batch": batch, "length": length,
        "features": features, "hidden": hidden, "valid_lengths": ",".join(map(str, valid)),
        "formula": ("s_t = query . h_t" if learned_query else "s_t = context(tanh(proj(h_t)))") +
                   "; alpha = softmax_t over unpadded (all padded: zeros); y = sum_t alpha_t h_t",
        "suggested_atol": "1.0e-05", "suggested_rtol": "1e-4"})


def hierarchical_case(name, seed, docs, sentences, words, features, hidden):
    torch.manual_seed(seed)
    word_level = AttentionPooling(features, hidden, False)
    sentence_level = AttentionPooling(features, hidden, False)
    for m in (word_level, sentence_level):
        nn.init.normal_(m.proj.bias, std=0.5)
    x = torch.randn(docs, sentences, words, features)
    word_valid = [words, 4, 0, words, 3, words, 1, words][:docs * sentences]        # sentence 2 is empty
    word_mask = padding(word_valid, words)
    sentence_mask = padding([sentences, sentences - 1], sentences)[:docs]
    with torch.no_grad():
        sentence_vectors, word_alpha = word_level(x.view(docs * sentences, words, features), word_mask)
        sentence_vectors = sentence_vectors.view(docs, sentences, features)
        doc_vectors, sentence_alpha = sentence_level(sentence_vectors, sentence_mask)
    tensors = {"input.x": x, "input.word_padding_mask": word_mask.view(docs, sentences, words), "input.sentence_padding_mask": sentence_mask}
    tensors.update({"words." + k: v for k, v in word_level.state_dict().items()})
    tensors.update({"sentences." + k: v for k, v in sentence_level.state_dict().items()})
    tensors.update({"output.sentence_vectors": sentence_vectors, "output.word_attn": word_alpha.view(docs, sentences, words),
                    "output.doc_vectors": doc_vectors, "output.sentence_attn": sentence_alpha})
    save(name, tensors, {
        "case": name, "seed": seed, "generator": "make_family_fixtures.py (PyTorch 1.13)", "torch_version": torch.__version__,
        "kind": "hierarchical_attention_pooling", "docs": docs, "sentences": sentences, "words": words, "features": features,
        "hidden": hidden, "word_valid_lengths": ",".join(map(str, word_valid)), "empty_sentence": "doc 0 sentence 2 (all words padded: zero vector)",
        "formula": "sentence_vectors = pool_words(x); doc_vectors = pool_sentences(sentence_vectors), additive scores, Yang et al. 2016 without the GRUs",
        "suggested_atol": "1.0e-05", "suggested_rtol": "1e-4"})


def main():
    torch.set_num_threads(1)
    # 9 nodes; node 7 has no incoming edge in the listed edges; two listed self loops; unsorted order.
    edges9 = [(1, 0), (2, 0), (0, 1), (3, 1), (3, 3), (4, 2), (0, 2), (5, 4), (2, 4), (6, 5), (8, 5), (4, 6), (1, 8), (7, 8), (8, 8), (5, 3), (0, 3), (6, 3)]
    graph_case("gatv2_concat_loops_small", 7101, 9, 6, 5, 3, True, True, True, True, edges9)
    graph_case("gatv2_mean_noloops_small", 7102, 9, 7, 20, 2, True, False, True, False, edges9)
    graph_case("gat_concat_bias_noloops_small", 7103, 9, 6, 4, 2, False, True, True, False, edges9)
    pooling_case("pool_additive_small", 7201, 3, 7, 20, 12, False, [7, 4, 0])
    pooling_case("pool_learned_query_small", 7202, 2, 9, 33, 0, True, [9, 5])
    hierarchical_case("pool_hierarchical_small", 7301, 2, 4, 6, 16, 10)


if __name__ == "__main__":
    main()
