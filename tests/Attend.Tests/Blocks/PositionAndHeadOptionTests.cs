using System;
using System.Collections.Generic;
using Xunit;

namespace Attend.Tests.Blocks;

[TransformerEncoder(ModelDim = 24, Heads = 4, KvHeads = 2, MlpDim = 40, Depth = 2, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre,
    Activation = FeedForwardActivation.Gelu, Positions = PositionEncoding.RotaryHalf, FinalNorm = true)]
internal sealed partial class GqaRotaryHalfDecoder;

[TransformerEncoder(ModelDim = 24, Heads = 4, KvHeads = 1, MlpDim = 40, Depth = 2, Mask = AttentionMask.Causal,
    Positions = PositionEncoding.RotaryInterleaved, RotaryDim = 4, RotaryBase = 500f)]
internal sealed partial class MqaRotaryInterleavedDecoder;

[TransformerEncoder(ModelDim = 24, Heads = 3, MlpDim = 40, Depth = 2, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre, Positions = PositionEncoding.Alibi, Window = 3)]
internal sealed partial class AlibiWindowDecoder;

[TransformerEncoder(ModelDim = 24, Heads = 4, MlpDim = 40, Depth = 2, Norm = NormPlacement.Pre, Activation = FeedForwardActivation.GeluTanh,
    Positions = PositionEncoding.Sinusoidal, Window = 2)]
internal sealed partial class SinusoidalLocalEncoder;

[TransformerEncoder(ModelDim = 24, Heads = 4, MlpDim = 40, Depth = 2, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre, Positions = PositionEncoding.Learned, MaxLength = 12)]
internal sealed partial class LearnedPositionsDecoder;

[TransformerEncoder(ModelDim = 24, Heads = 4, MlpDim = 40, Depth = 2, Mask = AttentionMask.Causal, Positions = PositionEncoding.RelativeBias1D, MaxLength = 10)]
internal sealed partial class RelativeBiasDecoder;

[TransformerEncoder(ModelDim = 24, Heads = 2, MlpDim = 40, Depth = 1, Norm = NormPlacement.Pre, Positions = PositionEncoding.RelativeBias2D, GridHeight = 3, GridWidth = 4)]
internal sealed partial class GridBiasEncoder;

[MultiHeadAttention(ModelDim = 24, Heads = 6, KvHeads = 2, Mask = AttentionMask.Causal, Window = 4)]
internal sealed partial class GroupedWindowAttention;

/// <summary>
/// Every positional encoding, grouped- and multi-query heads and sliding windows against <see cref="ReferenceEncoder"/>
/// (float64, written from the formulas), on every kernel path; and KV-cache decoding against full recomputation.
/// </summary>
public sealed class PositionAndHeadOptionTests
{
    private const int Batch = 2;

    /// <summary>A declared stack as the tests drive it.</summary>
    private sealed record Case(
        ReferenceOptions Options,
        int Length,
        Func<IWeightSource, KernelPath, Action<float[], float[], int, int>> Full,
        Func<IWeightSource, KernelPath, (Func<int, KvCache> Create, Action<float[], float[], int, KvCache> Prefill, Action<float[], float[], KvCache> Decode)>? Decoding = null);

    private static readonly Dictionary<string, Case> s_cases = new()
    {
        ["gqa_rotary_half"] = new Case(
            new ReferenceOptions(24, 4, 2, 6, 40, 2, PreNorm: true, Activation: "gelu", Causal: true, Positions: "rotary_half", RotaryDim: 6, FinalNorm: true), 9,
            (w, p) => { var m = new GqaRotaryHalfDecoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); },
            (w, p) => { var m = new GqaRotaryHalfDecoder { Path = p }; m.LoadWeights(w); return (c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k)); }),
        ["mqa_rotary_interleaved_partial"] = new Case(
            new ReferenceOptions(24, 4, 1, 6, 40, 2, Causal: true, Positions: "rotary_interleaved", RotaryDim: 4, RotaryBase: 500), 9,
            (w, p) => { var m = new MqaRotaryInterleavedDecoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); },
            (w, p) => { var m = new MqaRotaryInterleavedDecoder { Path = p }; m.LoadWeights(w); return (c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k)); }),
        ["alibi_window"] = new Case(
            new ReferenceOptions(24, 3, 3, 8, 40, 2, PreNorm: true, Causal: true, Window: 3, Positions: "alibi"), 9,
            (w, p) => { var m = new AlibiWindowDecoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); },
            (w, p) => { var m = new AlibiWindowDecoder { Path = p }; m.LoadWeights(w); return (c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k)); }),
        ["sinusoidal_local"] = new Case(
            new ReferenceOptions(24, 4, 4, 6, 40, 2, PreNorm: true, Activation: "gelu_tanh", Window: 2, Positions: "sinusoidal"), 8,
            (w, p) => { var m = new SinusoidalLocalEncoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); }),
        ["learned"] = new Case(
            new ReferenceOptions(24, 4, 4, 6, 40, 2, PreNorm: true, Causal: true, Positions: "learned", MaxLength: 12), 10,
            (w, p) => { var m = new LearnedPositionsDecoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); },
            (w, p) => { var m = new LearnedPositionsDecoder { Path = p }; m.LoadWeights(w); return (c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k)); }),
        ["relative_1d"] = new Case(
            new ReferenceOptions(24, 4, 4, 6, 40, 2, Causal: true, Positions: "relative1d", MaxLength: 10), 10,
            (w, p) => { var m = new RelativeBiasDecoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); },
            (w, p) => { var m = new RelativeBiasDecoder { Path = p }; m.LoadWeights(w); return (c => m.CreateKvCache(Batch, c), (i, o, l, k) => m.Prefill(i, o, l, k), (i, o, k) => m.Forward(i, o, k)); }),
        ["relative_2d"] = new Case(
            new ReferenceOptions(24, 2, 2, 12, 40, 1, PreNorm: true, Positions: "relative2d", GridHeight: 3, GridWidth: 4), 12,
            (w, p) => { var m = new GridBiasEncoder { Path = p }; m.LoadWeights(w); return (i, o, b, l) => m.Forward(i, o, b, l); }),
    };

    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in s_cases.Keys)
        {
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    public static TheoryData<string> DecodingCases()
    {
        var data = new TheoryData<string>();
        foreach ((string name, Case c) in s_cases) if (c.Decoding is not null) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stack_MatchesFloat64Reference(string name, KernelPath path)
    {
        Case c = s_cases[name];
        WeightDictionary weights = ReferenceEncoder.RandomWeights(c.Options, seed: name.Length * 7919);
        float[] input = ReferenceEncoder.RandomInput(Batch * c.Length * c.Options.ModelDim, seed: 17);
        float[] output = new float[input.Length];

        c.Full(weights, path)(input, output, Batch, c.Length);

        double[] expected = ReferenceEncoder.Forward(c.Options, weights, input, Batch, c.Length);
        BlockFixtures.AssertClose(Array.ConvertAll(expected, v => (float)v), output, 2e-5, 1e-4);
    }

    [Theory]
    [MemberData(nameof(DecodingCases))]
    public void CachedDecoding_GivesTheRowsOfFullRecomputation(string name)
    {
        Case c = s_cases[name];
        int e = c.Options.ModelDim, length = c.Length, prompt = 3;
        WeightDictionary weights = ReferenceEncoder.RandomWeights(c.Options, seed: name.Length * 7919);
        float[] input = ReferenceEncoder.RandomInput(Batch * length * e, seed: 23);
        float[] full = new float[input.Length];
        c.Full(weights, KernelPath.Auto)(input, full, Batch, length);
        var (create, prefill, decode) = c.Decoding!(weights, KernelPath.Auto);
        KvCache cache = create(length);

        float[] cached = Decode(input, prompt, length, e, cache, prefill, decode);

        Assert.Equal(length, cache.Length);
        BlockFixtures.AssertClose(full, cached, 1e-6, 1e-6);

        // The same cache, reset, serves new sequences exactly like a fresh one.
        float[] other = ReferenceEncoder.RandomInput(input.Length, seed: 29);
        cache.Reset();
        float[] reused = Decode(other, prompt, length, e, cache, prefill, decode);
        float[] fresh = Decode(other, prompt, length, e, create(length), prefill, decode);
        Assert.Equal(fresh, reused);
    }

    [Fact]
    public void Cache_RejectsOverflowAndForeignShapes()
    {
        var m = new LearnedPositionsDecoder();
        KvCache cache = m.CreateKvCache(1, 2);
        float[] token = new float[24];
        m.Forward(token, new float[24], cache);
        m.Forward(token, new float[24], cache);

        var full = Assert.Throws<ArgumentException>(() => m.Forward(token, new float[24], cache));
        Assert.Equal("cache", full.ParamName);
        Assert.Contains("Reset()", full.Message);
        var foreign = Assert.Throws<ArgumentException>(() => m.Forward(token, new float[24], new KvCache(1, 1, 4, 6, 8)));
        Assert.Contains("CreateKvCache", foreign.Message);
        var longer = Assert.Throws<ArgumentException>(() => m.Prefill(new float[13 * 24], new float[13 * 24], 13, m.CreateKvCache(1, 20)));
        Assert.Contains("MaxLength = 12", longer.Message);
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void MultiHeadAttention_GroupedQueryWindow_MatchesReference(KernelPath path)
    {
        var options = new ReferenceOptions(24, 6, 2, 4, 1, 1, Causal: true, Window: 4);
        WeightDictionary weights = ReferenceEncoder.RandomWeights(options, seed: 5);
        var prefixed = new WeightDictionary();
        foreach (string n in new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" })
        {
            weights.TryGetInfo("layers.0.self_attn." + n, out TensorInfo info);
            float[] data = new float[info.ElementCount];
            weights.ReadFloat32("layers.0.self_attn." + n, data);
            prefixed.Add(n, data, [.. info.Shape]);
        }

        var attention = new GroupedWindowAttention { Path = path };
        attention.LoadWeights(prefixed);
        float[] input = ReferenceEncoder.RandomInput(Batch * 9 * 24, seed: 31);
        float[] output = new float[input.Length];
        attention.Forward(input, output, Batch, 9);

        double[] expected = ReferenceEncoder.Attention(options, weights, "layers.0.", Array.ConvertAll(input, v => (double)v), Batch, 9);
        BlockFixtures.AssertClose(Array.ConvertAll(expected, v => (float)v), output, 2e-5, 1e-4);
        Assert.Equal(2, GroupedWindowAttention.KvHeads);
    }

    internal static float[] Decode(float[] input, int prompt, int length, int e, KvCache cache, Action<float[], float[], int, KvCache> prefill, Action<float[], float[], KvCache> decode)
    {
        float[] result = new float[input.Length];
        float[] head = new float[Batch * prompt * e], headOut = new float[head.Length];
        for (int b = 0; b < Batch; b++) Array.Copy(input, b * length * e, head, b * prompt * e, prompt * e);
        prefill(head, headOut, prompt, cache);
        for (int b = 0; b < Batch; b++) Array.Copy(headOut, b * prompt * e, result, b * length * e, prompt * e);
        float[] token = new float[Batch * e], tokenOut = new float[Batch * e];
        for (int t = prompt; t < length; t++)
        {
            for (int b = 0; b < Batch; b++) Array.Copy(input, (b * length + t) * e, token, b * e, e);
            decode(token, tokenOut, cache);
            for (int b = 0; b < Batch; b++) Array.Copy(tokenOut, b * e, result, (b * length + t) * e, e);
        }

        return result;
    }
}
