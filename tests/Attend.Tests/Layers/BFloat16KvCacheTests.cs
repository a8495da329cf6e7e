using System;
using Attend.Kernels;
using Attend.Tests.Blocks;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>Heads 64 wide (every vector path's whole blocks) for the bfloat16 cache tests.</summary>
[MultiHeadAttention(ModelDim = 128, Heads = 2, Mask = AttentionMask.Causal)]
internal sealed partial class MhaE128H2Causal;

/// <summary>
/// A bfloat16 KV cache on a causal <c>[MultiHeadAttention]</c>: a prompt prefilled in two pieces (the second reads the
/// cached rows widened), then one token per step (the bfloat16 kernels, over more than one 256-key chunk), compared with a
/// float64 causal forward over the whole sequence and with the same run on a float cache, on every path.
/// </summary>
public sealed class BFloat16KvCacheTests(ITestOutputHelper output)
{
    private const int Batch = 2;
    private const int E = MhaE128H2Causal.ModelDim;
    private const int FirstPrefill = 200;
    private const int SecondPrefill = 60;
    private const int Length = 272;

    private static readonly ReferenceOptions s_options = new(E, 2, 2, 64, 1, 1, Causal: true);

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All) data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PrefillThenSteps_StayWithinTheBound_ThatTheCachesRoundingAllows(KernelPath path)
    {
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 11);
        float[] input = Input(seed: 13);
        (double[] expected, double[] bound) = Reference(weights, input);

        float[] fromFloat = Run(weights, input, path, KvCachePrecision.Float32, threads: 1);
        float[] fromBFloat16 = Run(weights, input, path, KvCachePrecision.BFloat16, threads: 1);

        double floatError = 0, bfloat16Error = 0, worstExcess = double.NegativeInfinity, largestBound = 0, largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            // The float cache: float rounding only. The bfloat16 cache: the derived bound plus the same float slack.
            Assert.True(Math.Abs(fromFloat[i] - expected[i]) <= 2e-5 + 1e-4 * Math.Abs(expected[i]), $"float cache, element {i}: {fromFloat[i]} vs {expected[i]}");
            double error = Math.Abs(fromBFloat16[i] - expected[i]);
            worstExcess = Math.Max(worstExcess, error - bound[i] - (2e-5 + 1e-4 * Math.Abs(expected[i])));
            floatError = Math.Max(floatError, Math.Abs(fromFloat[i] - expected[i]));
            bfloat16Error = Math.Max(bfloat16Error, error);
            largestBound = Math.Max(largestBound, bound[i]);
            largest = Math.Max(largest, Math.Abs(expected[i]));
        }

        output.WriteLine($"{path}: max |output| {largest:G3}; max error vs float64: float cache {floatError:G3}, bfloat16 cache {bfloat16Error:G3} (largest bound {largestBound:G3})");
        Assert.True(worstExcess <= 0, $"the bfloat16 cache exceeds its bound by {worstExcess}");
        // The worst case above lets every rounding push the same way; independent roundings mostly cancel. What the
        // cache may cost in practice: no more than one bfloat16 rounding (u) of the output's largest magnitude.
        Assert.True(bfloat16Error <= BFloat16.RelativeRounding * largest, $"the bfloat16 cache errs by {bfloat16Error}, more than u · max |output| = {BFloat16.RelativeRounding * largest}");
        Assert.NotEqual(fromFloat, fromBFloat16); // the bfloat16 cache really was read
        for (int i = 0; i < Batch * FirstPrefill * E; i++)
        {
            // Rows of the first prefill see only their own (unrounded) keys: the two caches agree exactly there.
            int b = i / (FirstPrefill * E), rest = i % (FirstPrefill * E);
            Assert.Equal(fromFloat[b * Length * E + rest], fromBFloat16[b * Length * E + rest]);
        }
    }

    [Fact]
    public void Decoding_IsTheSameOnAnyNumberOfThreads()
    {
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 17);
        float[] input = Input(seed: 19);
        float[] one = Run(weights, input, KernelPath.Auto, KvCachePrecision.BFloat16, threads: 1);
        Assert.Equal(one, Run(weights, input, KernelPath.Auto, KvCachePrecision.BFloat16, threads: 2));
        Assert.Equal(one, Run(weights, input, KernelPath.Auto, KvCachePrecision.BFloat16, threads: 5));
    }

    [Fact]
    public void DecodingAWarmStep_AllocatesNothing()
    {
        var layer = new MhaE128H2Causal { MaxDegreeOfParallelism = 2 };
        layer.LoadWeights(MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 23));
        KvCache cache = layer.CreateKvCache(1, 300, KvCachePrecision.BFloat16);
        float[] prompt = ReferenceEncoder.RandomInput(290 * E, seed: 29);
        layer.Prefill(prompt, new float[prompt.Length], 290, cache);
        float[] token = prompt.AsSpan(0, E).ToArray(), result = new float[E];
        for (int i = 0; i < 5; i++)
        {
            layer.Forward(token, result, cache);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            layer.Forward(token, result, cache);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Cache_HalvesItsBytes_AndRejectsWhatItCannotServe()
    {
        var layer = new MhaE128H2Causal();
        KvCache floats = layer.CreateKvCache(2, 10);
        KvCache halves = layer.CreateKvCache(2, 10, KvCachePrecision.BFloat16);
        Assert.Equal(KvCachePrecision.Float32, floats.Precision);
        Assert.Equal(KvCachePrecision.BFloat16, halves.Precision);
        Assert.Equal(2L * 2 * 2 * 10 * 64 * sizeof(float), floats.Bytes);
        Assert.Equal(floats.Bytes / 2, halves.Bytes);
        Assert.Equal(2 * 2 * 10 * 64, floats.Keys(0).Length);
        var notFloats = Assert.Throws<InvalidOperationException>(() => halves.Keys(0));
        Assert.Contains("BFloat16", notFloats.Message);
        Assert.Throws<InvalidOperationException>(() => halves.Values(0));
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => new KvCache(1, 1, 2, 64, 8, (KvCachePrecision)7));
        Assert.Equal("precision", unknown.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.CreateKvCache(0, 8, KvCachePrecision.BFloat16));

        var foreign = Assert.Throws<ArgumentException>(() => layer.Forward(new float[E], new float[E], new KvCache(1, 1, 2, 32, 8, KvCachePrecision.BFloat16)));
        Assert.Equal("cache", foreign.ParamName);
        KvCache full = layer.CreateKvCache(1, 1, KvCachePrecision.BFloat16);
        layer.Forward(new float[E], new float[E], full);
        var overflow = Assert.Throws<ArgumentException>(() => layer.Forward(new float[E], new float[E], full));
        Assert.Contains("Reset()", overflow.Message);
    }

    [Fact]
    public unsafe void EveryLayersRows_StartOnACacheLine()
    {
        // A 512-bit load of a head's row must not straddle two cache lines (the AVX-512 decode step's speed).
        foreach (KvCachePrecision precision in new[] { KvCachePrecision.Float32, KvCachePrecision.BFloat16 })
        {
            var cache = new KvCache(layers: 3, batch: 2, kvHeads: 2, dimHead: 64, capacity: 7, precision);
            for (int layer = 0; layer < cache.Layers; layer++)
            {
                if (precision == KvCachePrecision.Float32)
                {
                    fixed (float* keys = cache.Keys(layer)) fixed (float* values = cache.Values(layer))
                    {
                        Assert.Equal(0, (nint)keys % 64);
                        Assert.Equal(0, (nint)values % 64);
                    }

                    Assert.Equal(2 * 2 * 7 * 64, cache.Values(layer).Length);
                    continue;
                }

                fixed (ushort* keys = cache.KeyBits(layer)) fixed (ushort* values = cache.ValueBits(layer))
                {
                    Assert.Equal(0, (nint)keys % 64);
                    Assert.Equal(0, (nint)values % 64);
                }

                Assert.Equal(2 * 2 * 7 * 64, cache.ValueBits(layer).Length);
            }
        }
    }

    /// <summary>Inputs three times the usual spread, so the softmax is far from uniform and the scores' rounding matters.</summary>
    private static float[] Input(int seed) => Array.ConvertAll(ReferenceEncoder.RandomInput(Batch * Length * E, seed), v => 3 * v);

    /// <summary>Prefills <see cref="FirstPrefill"/> then <see cref="SecondPrefill"/> tokens, then decodes one token per step to <see cref="Length"/>.</summary>
    private static float[] Run(WeightDictionary weights, float[] input, KernelPath path, KvCachePrecision precision, int threads)
    {
        var layer = new MhaE128H2Causal { Path = path, MaxDegreeOfParallelism = threads };
        layer.LoadWeights(weights);
        KvCache cache = layer.CreateKvCache(Batch, Length, precision);
        float[] result = new float[input.Length];
        int done = 0;
        foreach (int length in new[] { FirstPrefill, SecondPrefill })
        {
            float[] piece = new float[Batch * length * E], pieceOut = new float[piece.Length];
            for (int b = 0; b < Batch; b++) Array.Copy(input, (b * Length + done) * E, piece, b * length * E, length * E);
            layer.Prefill(piece, pieceOut, length, cache);
            for (int b = 0; b < Batch; b++) Array.Copy(pieceOut, b * length * E, result, (b * Length + done) * E, length * E);
            done += length;
        }

        float[] token = new float[Batch * E], tokenOut = new float[token.Length];
        for (; done < Length; done++)
        {
            for (int b = 0; b < Batch; b++) Array.Copy(input, (b * Length + done) * E, token, b * E, E);
            layer.Forward(token, tokenOut, cache);
            for (int b = 0; b < Batch; b++) Array.Copy(tokenOut, b * E, result, (b * Length + done) * E, E);
        }

        Assert.Equal(Length, cache.Length);
        return result;
    }

    /// <summary>
    /// The float64 causal forward over the whole sequence, and per output element a bound on what storing the keys and
    /// values in bfloat16 (relative error u = 2⁻⁸ each) can change. For query row i with probabilities p_j, a rounded key
    /// moves score j by at most δ = u · scale · Σ_d |q_d k_jd| ≤ Δ (the row's largest), so each probability moves by a factor
    /// in [e^(−2Δ), e^(2Δ)]; a rounded value moves by at most u · |v_j|. The context then errs by at most
    /// (u · e^(2Δ) + e^(2Δ) − 1) · Σ_j p_j |v_j| per channel, and the output by Σ_c |W_o[r, c]| times that.
    /// </summary>
    private static (double[] Output, double[] Bound) Reference(WeightDictionary weights, float[] input)
    {
        int heads = s_options.Heads, d = s_options.DimHead;
        double u = BFloat16.RelativeRounding, scale = 1 / Math.Sqrt(d);
        float[] inWeight = Read(weights, "in_proj_weight"), inBias = Read(weights, "in_proj_bias");
        float[] outWeight = Read(weights, "out_proj.weight"), outBias = Read(weights, "out_proj.bias");
        double[] result = new double[input.Length], bound = new double[input.Length];
        double[] qkv = new double[Length * 3 * E];
        double[] context = new double[E], contextBound = new double[E], scores = new double[Length];
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Length; t++)
            {
                for (int r = 0; r < 3 * E; r++)
                {
                    double sum = inBias[r];
                    for (int c = 0; c < E; c++) sum += (double)inWeight[r * E + c] * input[(b * Length + t) * E + c];
                    qkv[t * 3 * E + r] = sum;
                }
            }

            for (int i = 0; i < Length; i++)
            {
                for (int h = 0; h < heads; h++)
                {
                    double max = double.NegativeInfinity, delta = 0;
                    for (int j = 0; j <= i; j++)
                    {
                        double dot = 0, magnitude = 0;
                        for (int k = 0; k < d; k++)
                        {
                            double term = qkv[i * 3 * E + h * d + k] * qkv[j * 3 * E + E + h * d + k];
                            dot += term;
                            magnitude += Math.Abs(term);
                        }

                        scores[j] = scale * dot;
                        max = Math.Max(max, scores[j]);
                        delta = Math.Max(delta, u * scale * magnitude);
                    }

                    double total = 0;
                    for (int j = 0; j <= i; j++) total += scores[j] = Math.Exp(scores[j] - max);
                    double growth = Math.Exp(2 * delta);
                    for (int k = 0; k < d; k++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int j = 0; j <= i; j++)
                        {
                            double v = qkv[j * 3 * E + 2 * E + h * d + k];
                            sum += scores[j] / total * v;
                            magnitude += scores[j] / total * Math.Abs(v);
                        }

                        context[h * d + k] = sum;
                        contextBound[h * d + k] = (u * growth + growth - 1) * magnitude;
                    }
                }

                for (int r = 0; r < E; r++)
                {
                    double sum = outBias[r], limit = 0;
                    for (int c = 0; c < E; c++)
                    {
                        sum += outWeight[r * E + c] * context[c];
                        limit += Math.Abs(outWeight[r * E + c]) * contextBound[c];
                    }

                    result[(b * Length + i) * E + r] = sum;
                    bound[(b * Length + i) * E + r] = limit;
                }
            }
        }

        return (result, bound);
    }

    private static float[] Read(WeightDictionary weights, string name)
    {
        weights.TryGetInfo(name, out TensorInfo info);
        float[] data = new float[info.ElementCount];
        weights.ReadFloat32(name, data);
        return data;
    }
}
