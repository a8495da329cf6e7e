using System;
using System.Collections.Generic;
using Attend.Samples.TinyDecoder;
using TorchSharp;
using static Attend.Benchmarks.TinyDecoderPeers.TinyDecoderWeights;
using static TorchSharp.torch;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>
/// libtorch (TorchSharp) generating the way a hand-written PyTorch decoder does, eager ops under inference mode: a
/// pre-allocated <c>[B, KvHeads, Positions, DimHead]</c> key/value cache per layer; prefill with
/// <c>scaled_dot_product_attention(is_causal)</c> over K/V repeated to the 4 query heads (TorchSharp's SDPA has no
/// <c>enable_gqa</c>); each decode step writes the token's rotated key/value at its position and runs plain SDPA with each
/// key/value head's two query heads as two query rows over the cached prefix (no repeat). Threads are libtorch's global
/// <c>set_num_threads</c>, set by the caller. The argmax is in C#.
/// </summary>
internal sealed class TorchTinyDecoder : ITinyDecoderEngine
{
    private const int Group = Heads / KvHeads;

    private readonly int _batch;
    private readonly Dictionary<string, Tensor> _weights = [];
    private readonly Tensor _cos, _sin;
    private readonly Tensor[] _keys = new Tensor[Depth], _values = new Tensor[Depth];
    private readonly long[] _promptTokens, _stepTokens;

    public TorchTinyDecoder(TinyDecoderWeights weights, int batch)
    {
        _batch = batch;
        using var noGrad = torch.no_grad();
        foreach ((string name, float[] data) in weights.Tensors) _weights[name] = torch.tensor(data, weights.Shape(name));
        (float[] cos, float[] sin) = RotaryTables();
        (_cos, _sin) = (torch.tensor(cos, [Positions, DimHead / 2]), torch.tensor(sin, [Positions, DimHead / 2]));
        for (int layer = 0; layer < Depth; layer++)
        {
            _keys[layer] = torch.zeros(batch, KvHeads, Positions, DimHead);
            _values[layer] = torch.zeros(batch, KvHeads, Positions, DimHead);
        }

        (_promptTokens, _stepTokens) = (new long[batch * PromptLength], new long[batch]);
    }

    public string Name => $"libtorch {torch.__version__} (eager, SDPA)";

    public void Generate(ReadOnlySpan<byte> prompts, Span<byte> answers, Span<float> logits)
    {
        int tokens = answers.Length / _batch;
        using var inference = torch.inference_mode();
        PromptTokens(prompts, _promptTokens);
        float[] stepLogits;
        using (torch.NewDisposeScope()) stepLogits = Prefill().data<float>().ToArray();
        for (int step = 0; step < tokens; step++)
        {
            if (step > 0)
            {
                using var scope = torch.NewDisposeScope();
                stepLogits = Decode(PromptLength + step - 1).data<float>().ToArray();
            }

            for (int b = 0; b < _batch; b++)
            {
                ReadOnlySpan<float> row = stepLogits.AsSpan(b * Vocabulary, Vocabulary);
                if (!logits.IsEmpty) row.CopyTo(logits.Slice((b * tokens + step) * Vocabulary));
                _stepTokens[b] = answers[b * tokens + step] = Sampler.Greedy.Choose(row);
            }
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _weights.Values) t.Dispose();
        foreach (Tensor t in _keys) t.Dispose();
        foreach (Tensor t in _values) t.Dispose();
        _cos.Dispose();
        _sin.Dispose();
    }

    /// <summary>The prompt and separator at positions 0 … 8 at once; fills the caches' first 9 slots; the last position's logits <c>[B, V]</c>.</summary>
    private Tensor Prefill()
    {
        const int n = PromptLength;
        Tensor x = _weights["tok_emb.weight"].index_select(0, torch.tensor(_promptTokens)).view(_batch, n, Width);
        Tensor cos = _cos.narrow(0, 0, n), sin = _sin.narrow(0, 0, n);
        for (int layer = 0; layer < Depth; layer++)
        {
            Tensor qkv = nn.functional.linear(Norm(x, layer, "norm1"), W(layer, "self_attn.in_proj_weight"), W(layer, "self_attn.in_proj_bias"));
            Tensor queries = Rotate(qkv.narrow(2, 0, Heads * DimHead).view(_batch, n, Heads, DimHead).transpose(1, 2), cos, sin);
            Tensor keys = Rotate(qkv.narrow(2, Heads * DimHead, KvHeads * DimHead).view(_batch, n, KvHeads, DimHead).transpose(1, 2), cos, sin);
            Tensor values = qkv.narrow(2, (Heads + KvHeads) * DimHead, KvHeads * DimHead).view(_batch, n, KvHeads, DimHead).transpose(1, 2);
            _keys[layer].narrow(2, 0, n).copy_(keys);
            _values[layer].narrow(2, 0, n).copy_(values);
            Tensor context = nn.functional.scaled_dot_product_attention(queries, keys.repeat_interleave(Group, 1), values.repeat_interleave(Group, 1), null, 0.0, true);
            x = Block(x + Project(context.transpose(1, 2).reshape(_batch, n, Heads * DimHead), layer, "self_attn.out_proj"), layer);
        }

        return Head(x.select(1, n - 1));
    }

    /// <summary>One token per sequence at <paramref name="position"/>, its key/value written into the caches; logits <c>[B, V]</c>.</summary>
    private Tensor Decode(int position)
    {
        Tensor x = _weights["tok_emb.weight"].index_select(0, torch.tensor(_stepTokens)); // [B, E]
        Tensor cos = _cos[position], sin = _sin[position];
        for (int layer = 0; layer < Depth; layer++)
        {
            Tensor qkv = nn.functional.linear(Norm(x, layer, "norm1"), W(layer, "self_attn.in_proj_weight"), W(layer, "self_attn.in_proj_bias"));
            Tensor queries = Rotate(qkv.narrow(1, 0, Heads * DimHead).view(_batch, KvHeads, Group, DimHead), cos, sin);
            _keys[layer].select(2, position).copy_(Rotate(qkv.narrow(1, Heads * DimHead, KvHeads * DimHead).view(_batch, KvHeads, DimHead), cos, sin));
            _values[layer].select(2, position).copy_(qkv.narrow(1, (Heads + KvHeads) * DimHead, KvHeads * DimHead).view(_batch, KvHeads, DimHead));
            Tensor context = nn.functional.scaled_dot_product_attention(queries, _keys[layer].narrow(2, 0, position + 1), _values[layer].narrow(2, 0, position + 1));
            x = Block(x + Project(context.reshape(_batch, Heads * DimHead), layer, "self_attn.out_proj"), layer);
        }

        return Head(x);
    }

    /// <summary>The MLP half of a layer: <c>x + W2·gelu(W1·LN2(x))</c>.</summary>
    private Tensor Block(Tensor x, int layer) => x + Project(nn.functional.gelu(Project(Norm(x, layer, "norm2"), layer, "linear1")), layer, "linear2");

    private Tensor Head(Tensor x) =>
        nn.functional.linear(nn.functional.layer_norm(x, [Width], _weights["blocks.norm.weight"], _weights["blocks.norm.bias"], 1e-5), _weights["lm_head.weight"]);

    private Tensor Norm(Tensor x, int layer, string name) => nn.functional.layer_norm(x, [Width], W(layer, name + ".weight"), W(layer, name + ".bias"), 1e-5);

    private Tensor Project(Tensor x, int layer, string name) => nn.functional.linear(x, W(layer, name + ".weight"), W(layer, name + ".bias"));

    private Tensor W(int layer, string name) => _weights[$"blocks.layers.{layer}.{name}"];

    /// <summary>Half-split rotary: <c>cat(x1·cos − x2·sin, x2·cos + x1·sin)</c>, cos/sin broadcast over the leading axes.</summary>
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        Tensor first = x.narrow(-1, 0, DimHead / 2), second = x.narrow(-1, DimHead / 2, DimHead / 2);
        return torch.cat([first * cos - second * sin, second * cos + first * sin], -1);
    }
}
