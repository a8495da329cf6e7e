using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace Attend.Benchmarks;

/// <summary>
/// <c>stack-decode [--threads N] [--peers]</c>: one decoding step of a 4-layer causal stack (E 512, H 8, MLP 2048) with 2047 tokens
/// cached, at each combination of weight and KV-cache precision that matters — the case issue 15's "decode with a bf16
/// cache" is about: 33.6 MB of float cache (more than this machine's 32 MB L3) plus 50 MB of float weights per token.
/// Configurations interleaved, best of 6 rounds of 200 steps (cache rewound with <c>Reset</c> + <c>Advance</c>); every
/// output compared with the float32 stack's. <c>--peers</c> then times the float32 step beside ONNX Runtime and libtorch
/// computing it from the same weights and cached keys/values (<see cref="StackDecodePeers"/>), each checked against float64.
/// </summary>
public static class StackDecodeCommand
{
    private const int Cached = 2047;
    private const int Steps = 200;
    private const int Rounds = 6;

    private static readonly (WeightPrecision Weights, KvCachePrecision Cache)[] Configurations =
    [
        (WeightPrecision.Float32, KvCachePrecision.Float32),
        (WeightPrecision.Float32, KvCachePrecision.BFloat16),
        (WeightPrecision.BFloat16, KvCachePrecision.BFloat16),
        (WeightPrecision.Int8, KvCachePrecision.BFloat16),
    ];

    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--threads");
        int threads = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1;
        const int e = DecoderStack512.ModelDim;
        var raw = new Dictionary<string, (float[] Data, long[] Shape)>();
        WeightDictionary weights = RandomWeights(seed: 3, raw);
        var random = new Random(5);
        float[] prompt = new float[Cached * e];
        for (int i = 0; i < prompt.Length; i++) prompt[i] = (float)(random.NextDouble() * 2 - 1);

        int count = Configurations.Length;
        var stacks = new DecoderStack512[count];
        var caches = new KvCache[count];
        for (int k = 0; k < count; k++)
        {
            stacks[k] = new DecoderStack512 { WeightPrecision = Configurations[k].Weights, MaxDegreeOfParallelism = threads };
            stacks[k].LoadWeights(weights);
            caches[k] = stacks[k].CreateKvCache(1, Cached + 1, Configurations[k].Cache);
            stacks[k].Prefill(prompt, new float[prompt.Length], Cached, caches[k]);
        }

        float[] token = prompt.AsSpan(0, e).ToArray(), output = new float[e], reference = new float[e];
        double[] best = new double[count], error = new double[count];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < Rounds; round++)
        {
            for (int k = 0; k < count; k++)
            {
                var clock = new Stopwatch();
                for (int step = 0; step < Steps; step++)
                {
                    caches[k].Reset();
                    caches[k].Advance(Cached);
                    clock.Start();
                    stacks[k].Forward(token, output, caches[k]);
                    clock.Stop();
                }

                best[k] = Math.Min(best[k], clock.Elapsed.TotalMilliseconds / Steps);
                if (k == 0) output.CopyTo(reference, 0);
                error[k] = RelativeError(output, reference);
            }
        }

        Console.WriteLine($"# stack-decode ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC): causal [TransformerEncoder] E {e}, H {DecoderStack512.Heads}, MLP {DecoderStack512.MlpDim}, depth {DecoderStack512.Depth}, {Cached} cached, {threads} thread(s), path {Attend.Kernels.KernelPaths.Best}, best of {Rounds} × {Steps} steps");
        Console.WriteLine("| weights | KV cache | ms a token | × float32/float32 | max abs diff vs float32 ÷ max abs output | cache MB |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        for (int k = 0; k < count; k++)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"| {Configurations[k].Weights} | {Configurations[k].Cache} | {best[k]:F3} | {best[0] / best[k]:F2} | {error[k]:E1} | {caches[k].Bytes / 1e6:F1} |"));
        }

        if (Array.IndexOf(args, "--peers") >= 0)
        {
            caches[0].Reset();
            caches[0].Advance(Cached);
            StackDecodePeers.Run(stacks[0], caches[0], raw, token, threads);
        }

        return 0;
    }

    internal static double RelativeError(float[] output, float[] reference)
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < output.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(output[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }

        return worst / scale;
    }

    /// <summary>torch.nn.TransformerEncoder names; weights U(±1/√fan_in), biases U(±0.5), norm scales U(0.5, 1.5).</summary>
    private static WeightDictionary RandomWeights(int seed, Dictionary<string, (float[] Data, long[] Shape)> raw)
    {
        const int e = DecoderStack512.ModelDim, mlp = DecoderStack512.MlpDim;
        var random = new Random(seed);
        var weights = new WeightDictionary();
        void Add(string name, double range, double center, params long[] shape)
        {
            long size = 1;
            foreach (long d in shape) size *= d;
            float[] data = new float[size];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(center + range * (2 * random.NextDouble() - 1));
            weights.Add(name, data, shape);
            raw[name] = (data, shape);
        }

        for (int layer = 0; layer < DecoderStack512.Depth; layer++)
        {
            string p = $"layers.{layer}.";
            Add(p + "self_attn.in_proj_weight", 1 / Math.Sqrt(e), 0, 3 * e, e);
            Add(p + "self_attn.in_proj_bias", 0.5, 0, 3 * e);
            Add(p + "self_attn.out_proj.weight", 1 / Math.Sqrt(e), 0, e, e);
            Add(p + "self_attn.out_proj.bias", 0.5, 0, e);
            Add(p + "linear1.weight", 1 / Math.Sqrt(e), 0, mlp, e);
            Add(p + "linear1.bias", 0.5, 0, mlp);
            Add(p + "linear2.weight", 1 / Math.Sqrt(mlp), 0, e, mlp);
            Add(p + "linear2.bias", 0.5, 0, e);
            Add(p + "norm1.weight", 0.5, 1, e);
            Add(p + "norm1.bias", 0.5, 0, e);
            Add(p + "norm2.weight", 0.5, 1, e);
            Add(p + "norm2.bias", 0.5, 0, e);
        }

        return weights;
    }
}
