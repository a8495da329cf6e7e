using System;
using System.Collections.Generic;
using Attend.Benchmarks.InProcess;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static Attend.Benchmarks.Float64Layers;
using static TorchSharp.torch;

namespace Attend.Benchmarks;

/// <summary>
/// <c>stack-decode --peers</c>: the float32 decode step of <see cref="DecoderStack512"/> beside ONNX Runtime and
/// libtorch computing it from the same weights, token and cached keys/values (read out of Attend's cache), interleaved
/// rounds of 200 steps, each engine's best round, every output checked against the float64 step.
/// </summary>
internal static class StackDecodePeers
{
    private const int Steps = 200, Rounds = 6;

    public static void Run(DecoderStack512 stack, KvCache cache, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, float[] token, int threads)
    {
        int cached = cache.Length, h = cache.KvHeads, d = cache.DimHead;
        float[][] keys = new float[DecoderStack512.Depth][], values = new float[DecoderStack512.Depth][];
        for (int layer = 0; layer < DecoderStack512.Depth; layer++)
        {
            (keys[layer], values[layer]) = (new float[h * cached * d], new float[h * cached * d]);
            for (int head = 0; head < h; head++)
            {
                // Head-major cache [batch 1, heads, capacity, d]: each head's first `cached` rows.
                cache.Keys(layer).Slice(head * cache.Capacity * d, cached * d).CopyTo(keys[layer].AsSpan(head * cached * d));
                cache.Values(layer).Slice(head * cache.Capacity * d, cached * d).CopyTo(values[layer].AsSpan(head * cached * d));
            }
        }

        var c = new DecodeStackCase(DecoderStack512.ModelDim, DecoderStack512.Heads, DecoderStack512.MlpDim, DecoderStack512.Depth, cached, weights, keys, values, token);
        double[] reference = c.Reference();
        torch.set_num_threads(threads);
        using var ort = new OrtDecodeStack(c, threads);
        using var libtorch = new TorchDecodeStack(c);
        float[] output = new float[c.ModelDim];
        (string Name, Action Step, Func<float[]> Output)[] engines =
        [
            ("Attend", () => { cache.Reset(); cache.Advance(cached); stack.Forward(token, output, cache); }, () => output),
            ("ONNX Runtime 1.32", ort.Run, () => ort.Output),
            ("libtorch 2.10 (linear + SDPA)", libtorch.Run, () => libtorch.Output),
        ];
        double[] best = new double[engines.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < Rounds; round++)
        {
            for (int k = 0; k < engines.Length; k++)
            {
                engines[k].Step();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (int step = 0; step < Steps; step++) engines[k].Step();
                best[k] = Math.Min(best[k], clock.Elapsed.TotalMilliseconds / Steps);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"# stack-decode --peers: the float32 step, {threads} thread(s), best of {Rounds} × {Steps} steps, load average {System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| engine | ms a token | ÷ Attend | max abs error vs float64 ÷ max abs output |");
        Console.WriteLine("| --- | --- | --- | --- |");
        double scale = 0;
        foreach (double r in reference) scale = Math.Max(scale, Math.Abs(r));
        for (int k = 0; k < engines.Length; k++)
        {
            float[] result = engines[k].Output();
            double worst = 0;
            for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(result[i] - reference[i]));
            Console.WriteLine(FormattableString.Invariant($"| {engines[k].Name} | {best[k]:F3} | {best[k] / best[0]:F2} | {worst / scale:E1} |"));
            if (worst / scale > 1e-4) throw new InvalidOperationException($"{engines[k].Name} is {worst / scale:E1} from the float64 step: the engines do not compute the same thing.");
        }
    }
}

/// <summary>
/// What <see cref="StackDecodeCommand"/>'s stack computes for one new token, given its float32 weights and every layer's
/// cached keys/values: pre-norm layers <c>x += out(attn(LN1(x))); x += W2·relu(W1·LN2(x))</c>, torch.nn.TransformerEncoder's
/// <c>norm_first=True</c>, ReLU, ε 1e-5, no final norm.
/// </summary>
internal sealed record DecodeStackCase(
    int ModelDim, int Heads, int MlpDim, int Depth, int Cached,
    IReadOnlyDictionary<string, (float[] Data, long[] Shape)> Weights,
    float[][] PastKeys, float[][] PastValues, // per layer, [Heads, Cached, DimHead]
    float[] Token)
{
    public int DimHead => ModelDim / Heads;

    public float[] Weight(int layer, string name) => Weights[$"layers.{layer}.{name}"].Data;

    /// <summary>The step in float64 from the same float32 inputs: what every engine is checked against.</summary>
    public double[] Reference()
    {
        int e = ModelDim, d = DimHead, total = Cached + 1;
        double[] x = Array.ConvertAll(Token, v => (double)v);
        for (int layer = 0; layer < Depth; layer++)
        {
            double[] h = LayerNorm(x, Weight(layer, "norm1.weight"), Weight(layer, "norm1.bias"));
            double[] qkv = Linear(h, Weight(layer, "self_attn.in_proj_weight"), Weight(layer, "self_attn.in_proj_bias"), 3 * e);
            double[] context = new double[e];
            for (int head = 0; head < Heads; head++)
            {
                var scores = new double[total];
                for (int t = 0; t < total; t++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += qkv[head * d + i] * Key(layer, head, t, qkv, i);
                    scores[t] = dot / Math.Sqrt(d);
                }

                double max = double.NegativeInfinity, sum = 0;
                foreach (double s in scores) max = Math.Max(max, s);
                for (int t = 0; t < total; t++) sum += scores[t] = Math.Exp(scores[t] - max);
                for (int t = 0; t < total; t++)
                {
                    for (int i = 0; i < d; i++) context[head * d + i] += scores[t] / sum * Value(layer, head, t, qkv, i);
                }
            }

            double[] attention = Linear(context, Weight(layer, "self_attn.out_proj.weight"), Weight(layer, "self_attn.out_proj.bias"), e);
            for (int i = 0; i < e; i++) x[i] += attention[i];
            double[] hidden = Linear(LayerNorm(x, Weight(layer, "norm2.weight"), Weight(layer, "norm2.bias")), Weight(layer, "linear1.weight"), Weight(layer, "linear1.bias"), MlpDim);
            for (int i = 0; i < hidden.Length; i++) hidden[i] = Math.Max(hidden[i], 0);
            double[] mlp = Linear(hidden, Weight(layer, "linear2.weight"), Weight(layer, "linear2.bias"), e);
            for (int i = 0; i < e; i++) x[i] += mlp[i];
        }

        return x;
    }

    private double Key(int layer, int head, int t, double[] qkv, int i) =>
        t < Cached ? PastKeys[layer][(head * Cached + t) * DimHead + i] : qkv[ModelDim + head * DimHead + i];

    private double Value(int layer, int head, int t, double[] qkv, int i) =>
        t < Cached ? PastValues[layer][(head * Cached + t) * DimHead + i] : qkv[2 * ModelDim + head * DimHead + i];
}

/// <summary>
/// ONNX Runtime running the decode step as an exported decoder's graph does: per layer LayerNormalization, the new
/// token's projections, Concat onto <c>past_key_l</c>/<c>past_value_l</c> inputs, Softmax attention, output projection,
/// residual, LayerNormalization, MatMul–Relu–MatMul, residual. Same session options and binding as <see cref="OrtEngine"/>.
/// </summary>
internal sealed class OrtDecodeStack : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtPinnedValues _values = new();
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly float[] _output;
    private readonly OrtValue[] _outputs;

    public OrtDecodeStack(DecodeStackCase c, int threads)
    {
        using SessionOptions options = OrtPinnedValues.Options(threads);
        _session = new InferenceSession(BuildGraph(c), options);
        var names = new List<string> { "x" };
        var inputs = new List<OrtValue> { _values.Over(OrtPinnedValues.Pinned<float>(c.Token), 1, 1, c.ModelDim) };
        for (int layer = 0; layer < c.Depth; layer++)
        {
            names.Add($"past_key_{layer}");
            inputs.Add(_values.Over(OrtPinnedValues.Pinned<float>(c.PastKeys[layer]), 1, c.Heads, c.Cached, c.DimHead));
            names.Add($"past_value_{layer}");
            inputs.Add(_values.Over(OrtPinnedValues.Pinned<float>(c.PastValues[layer]), 1, c.Heads, c.Cached, c.DimHead));
        }

        (_inputNames, _inputs) = (names.ToArray(), inputs.ToArray());
        _output = GC.AllocateArray<float>(c.ModelDim, pinned: true);
        _outputs = [_values.Over(_output, 1, 1, c.ModelDim)];
    }

    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, ["y"], _outputs);

    public float[] Output => _output;

    public void Dispose()
    {
        _values.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static byte[] BuildGraph(DecodeStackCase c)
    {
        int e = c.ModelDim, h = c.Heads, d = c.DimHead;
        var g = new OnnxGraphBuilder();
        g.Input("x", 1, 1, e);
        g.Output("y", 1, 1, e);
        string headsShape = g.Int64Constant("heads_shape", 0, -1, h, d);
        string modelShape = g.Int64Constant("model_shape", 0, -1, e);
        string scale = g.Constant("scale", [1f / MathF.Sqrt(d)]);
        string x = "x";
        for (int layer = 0; layer < c.Depth; layer++)
        {
            string p = $"l{layer}_";
            g.Input($"past_key_{layer}", 1, h, c.Cached, d);
            g.Input($"past_value_{layer}", 1, h, c.Cached, d);
            string Linear(string name, string input, string weight, string bias, int outFeatures, int inFeatures) =>
                g.Linear(p + name, input, c.Weight(layer, weight), c.Weight(layer, bias), outFeatures, inFeatures);
            string LayerNorm(string name, string input) => g.LayerNorm(p + name, input, c.Weight(layer, name + ".weight"), c.Weight(layer, name + ".bias"));
            string Heads(string name, string flat) =>
                g.Node("Transpose", p + name, [g.Node("Reshape", p + name + "_split", [flat, headsShape])], ("perm", new long[] { 0, 2, 1, 3 }));

            string normed = LayerNorm("norm1", x);
            string qkv = Linear("qkv", normed, "self_attn.in_proj_weight", "self_attn.in_proj_bias", 3 * e, e);
            g.Node("Split", [p + "q_flat", p + "k_flat", p + "v_flat"], [qkv], ("axis", -1L));
            string q = g.Node("Mul", p + "q_scaled", [Heads("q", p + "q_flat"), scale]);
            string k = g.Node("Concat", p + "k_all", [$"past_key_{layer}", Heads("k", p + "k_flat")], ("axis", 2L));
            string v = g.Node("Concat", p + "v_all", [$"past_value_{layer}", Heads("v", p + "v_flat")], ("axis", 2L));
            string scores = g.Node("MatMul", p + "scores", [q, g.Node("Transpose", p + "k_t", [k], ("perm", new long[] { 0, 1, 3, 2 }))]);
            string context = g.Node("MatMul", p + "context", [g.Node("Softmax", p + "probabilities", [scores], ("axis", -1L)), v]);
            string merged = g.Node("Reshape", p + "context_merged", [g.Node("Transpose", p + "context_t", [context], ("perm", new long[] { 0, 2, 1, 3 })), modelShape]);
            x = g.Node("Add", p + "attended", [x, Linear("attention_out", merged, "self_attn.out_proj.weight", "self_attn.out_proj.bias", e, e)]);
            string hidden = g.Node("Relu", p + "hidden", [Linear("linear1", LayerNorm("norm2", x), "linear1.weight", "linear1.bias", c.MlpDim, e)]);
            string mlp = Linear("linear2", hidden, "linear2.weight", "linear2.bias", e, c.MlpDim);
            x = g.Node("Add", layer == c.Depth - 1 ? "y" : p + "out", [x, mlp]);
        }

        return g.ToModel("decoder_stack_decode");
    }
}

/// <summary>
/// libtorch (TorchSharp) running the step the way a hand-written PyTorch decoder does: per layer a pre-allocated
/// <c>[1, H, Cached + 1, DimHead]</c> key/value cache whose last slot takes the new token's projections, then
/// <c>scaled_dot_product_attention</c> over the whole cache; layer_norm, linear, relu, residuals.
/// </summary>
internal sealed class TorchDecodeStack : IDisposable
{
    private readonly DecodeStackCase _case;
    private readonly Tensor _token;
    private readonly Dictionary<string, Tensor> _weights = [];
    private readonly Tensor[] _keys, _values;
    private Tensor? _output;

    public TorchDecodeStack(DecodeStackCase c)
    {
        _case = c;
        using var noGrad = torch.no_grad();
        _token = torch.tensor(c.Token, [1, 1, c.ModelDim]);
        foreach ((string name, (float[] data, long[] shape)) in c.Weights) _weights[name] = torch.tensor(data, shape);

        _keys = new Tensor[c.Depth];
        _values = new Tensor[c.Depth];
        for (int layer = 0; layer < c.Depth; layer++)
        {
            _keys[layer] = torch.zeros(1, c.Heads, c.Cached + 1, c.DimHead);
            _values[layer] = torch.zeros(1, c.Heads, c.Cached + 1, c.DimHead);
            _keys[layer].narrow(2, 0, c.Cached).copy_(torch.tensor(c.PastKeys[layer], [1, c.Heads, c.Cached, c.DimHead]));
            _values[layer].narrow(2, 0, c.Cached).copy_(torch.tensor(c.PastValues[layer], [1, c.Heads, c.Cached, c.DimHead]));
        }
    }

    public void Run()
    {
        _output?.Dispose();
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        int e = _case.ModelDim, h = _case.Heads, d = _case.DimHead;
        Tensor x = _token;
        for (int layer = 0; layer < _case.Depth; layer++)
        {
            Tensor W(string name) => _weights[$"layers.{layer}.{name}"];
            Tensor normed = nn.functional.layer_norm(x, [e], W("norm1.weight"), W("norm1.bias"), 1e-5);
            Tensor perHead = nn.functional.linear(normed, W("self_attn.in_proj_weight"), W("self_attn.in_proj_bias")).view(1, 1, 3, h, d).permute(2, 0, 3, 1, 4);
            _keys[layer].narrow(2, _case.Cached, 1).copy_(perHead[1]);
            _values[layer].narrow(2, _case.Cached, 1).copy_(perHead[2]);
            Tensor context = nn.functional.scaled_dot_product_attention(perHead[0], _keys[layer], _values[layer]);
            x = x + nn.functional.linear(context.transpose(1, 2).reshape(1, 1, e), W("self_attn.out_proj.weight"), W("self_attn.out_proj.bias"));
            Tensor hidden = nn.functional.relu(nn.functional.linear(nn.functional.layer_norm(x, [e], W("norm2.weight"), W("norm2.bias"), 1e-5), W("linear1.weight"), W("linear1.bias")));
            x = x + nn.functional.linear(hidden, W("linear2.weight"), W("linear2.bias"));
        }

        _output = x.MoveToOuterDisposeScope();
    }

    public float[] Output => _output!.contiguous().data<float>().ToArray();

    public void Dispose()
    {
        _output?.Dispose();
        _token.Dispose();
        foreach (Tensor t in _weights.Values) t.Dispose();
        foreach (Tensor t in _keys) t.Dispose();
        foreach (Tensor t in _values) t.Dispose();
    }
}
