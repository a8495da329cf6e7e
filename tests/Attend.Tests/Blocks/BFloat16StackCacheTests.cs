using System;
using Attend.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Blocks;

/// <summary>
/// Decoder stacks (<c>[TransformerEncoder]</c>, causal) share the layer's <see cref="KvCache"/>: with a bfloat16 cache,
/// prefill then one-token steps against the float64 stack over the whole sequence, on every path, with rotary,
/// ALiBi with a window, and a relative bias (the score-bias path).
/// </summary>
public sealed class BFloat16StackCacheTests(ITestOutputHelper output)
{
    private const int Batch = 2;
    private const int Length = 9;
    private const int Prompt = 3;

    private sealed record Stack(ReferenceOptions Options, Func<IWeightSource, KernelPath, (Func<KvCachePrecision, KvCache> Create, Action<float[], float[], int, KvCache> Prefill, Action<float[], float[], KvCache> Decode)> Build);

    private static Stack For(string name) => name switch
    {
        "gqa_rotary_half" => new(new ReferenceOptions(24, 4, 2, 6, 40, 2, PreNorm: true, Activation: "gelu", Causal: true, Positions: "rotary_half", RotaryDim: 6, FinalNorm: true),
            (w, p) => { var m = new GqaRotaryHalfDecoder { Path = p }; m.LoadWeights(w); return (k => m.CreateKvCache(Batch, Length, k), (i, o, l, c) => m.Prefill(i, o, l, c), (i, o, c) => m.Forward(i, o, c)); }),
        "alibi_window" => new(new ReferenceOptions(24, 3, 3, 8, 40, 2, PreNorm: true, Causal: true, Window: 3, Positions: "alibi"),
            (w, p) => { var m = new AlibiWindowDecoder { Path = p }; m.LoadWeights(w); return (k => m.CreateKvCache(Batch, Length, k), (i, o, l, c) => m.Prefill(i, o, l, c), (i, o, c) => m.Forward(i, o, c)); }),
        _ => new(new ReferenceOptions(24, 4, 4, 6, 40, 2, Causal: true, Positions: "relative1d", MaxLength: 10),
            (w, p) => { var m = new RelativeBiasDecoder { Path = p }; m.LoadWeights(w); return (k => m.CreateKvCache(Batch, Length, k), (i, o, l, c) => m.Prefill(i, o, l, c), (i, o, c) => m.Forward(i, o, c)); }),
    };

    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in new[] { "gqa_rotary_half", "alibi_window", "relative_bias_1d" })
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BFloat16Cache_DecodesWithinOneRoundingOfTheFloat64Stack(string name, KernelPath path)
    {
        Stack stack = For(name);
        int e = stack.Options.ModelDim;
        WeightDictionary weights = ReferenceEncoder.RandomWeights(stack.Options, seed: name.Length * 7919);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * e, seed: 23);
        double[] expected = ReferenceEncoder.Forward(stack.Options, weights, input, Batch, Length);
        var (create, prefill, decode) = stack.Build(weights, path);

        float[] fromFloat = Decode(input, e, create(KvCachePrecision.Float32), prefill, decode);
        float[] fromBFloat16 = Decode(input, e, create(KvCachePrecision.BFloat16), prefill, decode);

        double largest = 0, floatError = 0, bfloat16Error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            floatError = Math.Max(floatError, Math.Abs(fromFloat[i] - expected[i]));
            bfloat16Error = Math.Max(bfloat16Error, Math.Abs(fromBFloat16[i] - expected[i]));
        }

        output.WriteLine($"{name} {path}: max |output| {largest:G3}; max error vs float64: float cache {floatError:G3}, bfloat16 cache {bfloat16Error:G3}");
        BlockFixtures.AssertClose(Array.ConvertAll(expected, v => (float)v), fromFloat, 2e-5, 1e-4);
        // Each layer's attention reads keys and values rounded by at most u = 2⁻⁸ (see BFloat16KvCacheTests for the
        // per-element bound); through two layers and their norms the outputs, O(1), move by no more than u of their largest.
        Assert.True(bfloat16Error <= BFloat16.RelativeRounding * largest, $"bfloat16 cache error {bfloat16Error} > u · max |output| = {BFloat16.RelativeRounding * largest}");
        Assert.NotEqual(fromFloat, fromBFloat16);
    }

    [Fact]
    public void BFloat16Cache_AllocatesNothingPerWarmStep()
    {
        Stack stack = For("gqa_rotary_half");
        var (create, prefill, decode) = stack.Build(ReferenceEncoder.RandomWeights(stack.Options, seed: 3), KernelPath.Auto);
        KvCache cache = create(KvCachePrecision.BFloat16);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * 24, seed: 5);
        Decode(input, 24, cache, prefill, decode);
        float[] token = new float[Batch * 24], result = new float[token.Length];
        cache.Reset();
        prefill(new float[Batch * Prompt * 24], new float[Batch * Prompt * 24], Prompt, cache);
        decode(token, result, cache);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Length - Prompt - 1; i++) decode(token, result, cache);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Prefills <see cref="Prompt"/> tokens per sequence, then decodes the rest one token per step.</summary>
    private static float[] Decode(float[] input, int e, KvCache cache, Action<float[], float[], int, KvCache> prefill, Action<float[], float[], KvCache> decode) =>
        PositionAndHeadOptionTests.Decode(input, Prompt, Length, e, cache, prefill, decode);
}
