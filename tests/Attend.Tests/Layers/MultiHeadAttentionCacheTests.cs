using System;
using System.Collections.Generic;
using Attend.Kernels;
using Attend.Tests.Blocks;
using Xunit;

namespace Attend.Tests.Layers;

/// <summary>
/// The KV cache of a causal <c>[MultiHeadAttention]</c>: prefilling a prompt and decoding one token per step must give the
/// rows of a causal <c>Forward</c> over the whole prefix, on every instruction set, with grouped heads and a window too.
/// </summary>
public sealed class MultiHeadAttentionCacheTests
{
    private const int Batch = 2;
    private const int Length = 11;
    private const int Prompt = 4;

    /// <summary>A layer under test as three calls, so one test body serves every declaration.</summary>
    private sealed record CachedLayer(
        int ModelDim,
        Action<float[], float[], int> Full,
        Func<int, KvCache> CreateCache,
        Action<float[], float[], int, KvCache> Prefill,
        Action<float[], float[], KvCache> Decode);

    private static readonly Dictionary<string, Func<KernelPath, CachedLayer>> s_layers = new()
    {
        ["E15H3 (DimHead 5)"] = path =>
        {
            var m = new MhaE15H3Causal { Path = path };
            m.LoadWeights(RandomWeights(new ReferenceOptions(15, 3, 3, 5, 1, 1, Causal: true), seed: 3));
            return new(15, (i, o, l) => m.Forward(i, o, Batch, l), c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k));
        },
        ["E51H3 (DimHead 17)"] = path =>
        {
            var m = new MhaE51H3Causal { Path = path };
            m.LoadWeights(RandomWeights(new ReferenceOptions(51, 3, 3, 17, 1, 1, Causal: true), seed: 4));
            return new(51, (i, o, l) => m.Forward(i, o, Batch, l), c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k));
        },
        ["E24 6 heads over 2, window 4"] = path =>
        {
            var m = new GroupedWindowAttention { Path = path };
            m.LoadWeights(RandomWeights(new ReferenceOptions(24, 6, 2, 4, 1, 1, Causal: true, Window: 4), seed: 5));
            return new(24, (i, o, l) => m.Forward(i, o, Batch, l), c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k));
        },
    };

    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in s_layers.Keys)
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrefillThenOneTokenSteps_GiveTheRowsOfTheFullCausalForward(string name, KernelPath path)
    {
        CachedLayer layer = s_layers[name](path);
        int e = layer.ModelDim;
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * e, seed: 41);
        float[] full = new float[input.Length];
        layer.Full(input, full, Length);
        KvCache cache = layer.CreateCache(Length);

        float[] cached = Decode(layer, input, cache);

        Assert.Equal(Length, cache.Length);
        // Same arithmetic per score, but the full pass tiles keys where a decode step walks them in one row: summation order differs.
        BlockFixtures.AssertClose(full, cached, 1e-6, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrefillOfTheWholeSequence_EqualsForward(string name, KernelPath path)
    {
        CachedLayer layer = s_layers[name](path);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * layer.ModelDim, seed: 43);
        float[] full = new float[input.Length];
        layer.Full(input, full, Length);
        float[] prefilled = new float[input.Length];

        layer.Prefill(input, prefilled, Length, layer.CreateCache(Length + 3));

        BlockFixtures.AssertClose(full, prefilled, 1e-6, 1e-6);
    }

    [Fact]
    public void ResetCache_ServesNewSequencesExactlyLikeAFreshOne()
    {
        CachedLayer layer = s_layers["E24 6 heads over 2, window 4"](KernelPath.Auto);
        KvCache cache = layer.CreateCache(Length);
        Decode(layer, ReferenceEncoder.RandomInput(Batch * Length * layer.ModelDim, seed: 47), cache);
        float[] next = ReferenceEncoder.RandomInput(Batch * Length * layer.ModelDim, seed: 53);

        cache.Reset();
        float[] reused = Decode(layer, next, cache);
        float[] fresh = Decode(layer, next, layer.CreateCache(Length));

        Assert.Equal(fresh, reused);
    }

    [Fact]
    public void OutputMayBeTheInputItself()
    {
        CachedLayer layer = s_layers["E15H3 (DimHead 5)"](KernelPath.Auto);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * 15, seed: 59);
        float[] separate = new float[input.Length];
        layer.Prefill(input, separate, Length, layer.CreateCache(Length));

        float[] inPlace = (float[])input.Clone();
        layer.Prefill(inPlace, inPlace, Length, layer.CreateCache(Length));

        Assert.Equal(separate, inPlace);
    }

    [Fact]
    public void BadArguments_AreRejectedBeforeTheCacheMoves()
    {
        var m = new MhaE15H3Causal();
        KvCache cache = m.CreateKvCache(1, 2);
        float[] token = new float[15];
        m.Forward(token, new float[15], cache);
        m.Forward(token, new float[15], cache);

        var full = Assert.Throws<ArgumentException>(() => m.Forward(token, new float[15], cache));
        Assert.Equal("cache", full.ParamName);
        Assert.Contains("Reset()", full.Message);
        Assert.Equal(2, cache.Length);

        var foreign = Assert.Throws<ArgumentException>(() => m.Forward(token, new float[15], new KvCache(1, 1, 2, 5, 8)));
        Assert.Equal("cache", foreign.ParamName);
        Assert.Contains("CreateKvCache", foreign.Message);

        KvCache fresh = m.CreateKvCache(2, 8);
        var shortInput = Assert.Throws<ArgumentException>(() => m.Prefill(new float[2 * 3 * 15 - 1], new float[2 * 3 * 15], 3, fresh));
        Assert.Equal("input", shortInput.ParamName);
        Assert.Contains("2 × 3 × 15", shortInput.Message);
        var shortOutput = Assert.Throws<ArgumentException>(() => m.Prefill(new float[2 * 3 * 15], new float[2 * 3 * 15 + 1], 3, fresh));
        Assert.Equal("output", shortOutput.ParamName);
        Assert.ThrowsAny<ArgumentException>(() => m.Prefill(new float[0], new float[0], 0, fresh));
        float[] shared = new float[2 * 15 + 1];
        var overlap = Assert.Throws<ArgumentException>(() => m.Forward(shared.AsSpan(0, 30), shared.AsSpan(1, 30), fresh));
        Assert.Equal("output", overlap.ParamName);
        Assert.Throws<ArgumentNullException>(() => m.Forward(new float[30], new float[30], null!));
        Assert.Equal(0, fresh.Length);
    }

    [Fact]
    public void DecodingASecondSequence_AllocatesNothing()
    {
        var m = new GroupedWindowAttention { MaxDegreeOfParallelism = 1 };
        m.LoadWeights(RandomWeights(new ReferenceOptions(24, 6, 2, 4, 1, 1, Causal: true, Window: 4), seed: 5));
        KvCache cache = m.CreateKvCache(Batch, 64);
        float[] token = ReferenceEncoder.RandomInput(Batch * 24, seed: 61), output = new float[token.Length];
        // The first sequence sizes the per-thread scratch as the cache grows; a second one of the same length reuses it.
        for (int i = 0; i < 64; i++) m.Forward(token, output, cache);
        cache.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 64; i++) m.Forward(token, output, cache);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    /// <summary>Prefills <see cref="Prompt"/> tokens per sequence, then decodes the rest one token per step.</summary>
    private static float[] Decode(CachedLayer layer, float[] input, KvCache cache)
    {
        int e = layer.ModelDim;
        float[] result = new float[input.Length];
        float[] head = new float[Batch * Prompt * e], headOut = new float[head.Length];
        for (int b = 0; b < Batch; b++) Array.Copy(input, b * Length * e, head, b * Prompt * e, Prompt * e);
        layer.Prefill(head, headOut, Prompt, cache);
        for (int b = 0; b < Batch; b++) Array.Copy(headOut, b * Prompt * e, result, b * Length * e, Prompt * e);

        float[] token = new float[Batch * e], tokenOut = new float[token.Length];
        for (int t = Prompt; t < Length; t++)
        {
            for (int b = 0; b < Batch; b++) Array.Copy(input, (b * Length + t) * e, token, b * e, e);
            layer.Decode(token, tokenOut, cache);
            for (int b = 0; b < Batch; b++) Array.Copy(tokenOut, b * e, result, (b * Length + t) * e, e);
        }

        return result;
    }

    /// <summary>Random <c>nn.MultiheadAttention</c> weights under PyTorch's names, taken from the reference encoder's first layer.</summary>
    internal static WeightDictionary RandomWeights(ReferenceOptions options, int seed)
    {
        WeightDictionary stack = ReferenceEncoder.RandomWeights(options, seed);
        var attention = new WeightDictionary();
        foreach (string name in new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" })
        {
            stack.TryGetInfo("layers.0.self_attn." + name, out TensorInfo info);
            float[] data = new float[info.ElementCount];
            stack.ReadFloat32("layers.0.self_attn." + name, data);
            attention.Add(name, data, [.. info.Shape]);
        }

        return attention;
    }
}
