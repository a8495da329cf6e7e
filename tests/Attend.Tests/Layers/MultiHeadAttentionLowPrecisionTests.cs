using System;
using Attend.Kernels;
using Attend.Tests.Blocks;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>The float layer <see cref="MhaE128H2Causal"/> with its projections stored compactly (int8 unless changed before a load).</summary>
[MultiHeadAttention(ModelDim = 128, Heads = 2, Mask = AttentionMask.Causal, WeightPrecision = WeightPrecision.Int8)]
internal sealed partial class MhaE128H2CausalInt8;

/// <summary>Separate q/k/v_proj weights (key and value widths differ from the model's) and grouped key/value heads, in float…</summary>
[MultiHeadAttention(ModelDim = 64, Heads = 4, KvHeads = 2, KeyDim = 48, ValueDim = 40)]
internal sealed partial class MhaSeparateGqa;

/// <summary>…and the same stored in bf16 (or whatever is set before a load).</summary>
[MultiHeadAttention(ModelDim = 64, Heads = 4, KvHeads = 2, KeyDim = 48, ValueDim = 40, WeightPrecision = WeightPrecision.BFloat16)]
internal sealed partial class MhaSeparateGqaBFloat16;

/// <summary>
/// <c>[MultiHeadAttention]</c> with bf16 and int8 projection weights (issue 15), on every path and every way in: the
/// fused self-attention projection, the separate query/key/value projections (key and value passed explicitly), and the
/// KV-cache prefill + one-token decode.
/// </summary>
public sealed class MultiHeadAttentionLowPrecisionTests(ITestOutputHelper output)
{
    private const int Batch = 2;
    private const int E = MhaE128H2Causal.ModelDim;
    private const int Prefill = 24;
    private const int Length = 40;

    private static readonly ReferenceOptions s_options = new(E, 2, 2, 64, 1, 1, Causal: true);

    public static TheoryData<KernelPath> Paths() => BlockFixtures.Paths();

    /// <summary>
    /// A bf16 projection computes exactly the float projection of its rounded weights (see <c>PackedProjection</c>), so the
    /// bound here is zero: the bf16 layer must give the float layer's bits when that one loads the bf16-rounded weights.
    /// Float32 set on the instance before the load must give the float layer's bits on the original weights.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BFloat16_IsExactlyTheFloatLayerOfTheRoundedWeights_AndFloat32_OfTheWeights(KernelPath path)
    {
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 31);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * E, seed: 37);

        var bfloat16 = new MhaE128H2CausalInt8 { Path = path };
        Assert.Equal(WeightPrecision.Int8, bfloat16.WeightPrecision); // starts at the attribute's value
        bfloat16.WeightPrecision = WeightPrecision.BFloat16;
        bfloat16.LoadWeights(weights);
        var rounded = new MhaE128H2Causal { Path = path };
        rounded.LoadWeights(RoundedToBFloat16(weights));
        AssertSameOnEveryWayIn(Run(bfloat16, input), Run(rounded, input));

        var float32 = new MhaE128H2CausalInt8 { Path = path, WeightPrecision = WeightPrecision.Float32 };
        float32.LoadWeights(weights);
        var plain = new MhaE128H2Causal { Path = path };
        plain.LoadWeights(weights);
        AssertSameOnEveryWayIn(Run(float32, input), Run(plain, input));
    }

    public static TheoryData<KernelPath, WeightPrecision> PathsAndIntegerPrecisions()
    {
        var data = new TheoryData<KernelPath, WeightPrecision>();
        foreach (KernelPath path in KernelPaths.All)
        {
            data.Add(path, WeightPrecision.Int8);
            data.Add(path, WeightPrecision.Int8ByteActivations);
        }

        return data;
    }

    /// <summary>
    /// Int8 against the float32 layer. Each weight moves by at most half an int8 step, 1/254 of the largest weight of its
    /// input group, and each activation row by 2⁻¹⁶ (<c>Int8Gemm</c>) or, with byte activations, by half a step of its
    /// group's range, at most 1/255 of the group's largest magnitude (<c>ByteActivationGemm</c>); the errors of the K
    /// products have random signs. Two projections are chained (in, out) through a softmax that only averages, so the
    /// output may move by at most two such half-steps of its largest magnitude: 2/254 · max |output|, or 2 · (1/254 + 1/255)
    /// with byte activations. The decode path must also match the int8 layer's own full forward up to float rounding (rows
    /// are quantised one by one, so a row projects the same alone or in a batch).
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndIntegerPrecisions))]
    public void Int8_StaysWithinTwoHalfStepsOfFloat32_AndDecodesLikeItsFullForward(KernelPath path, WeightPrecision precision)
    {
        double bound = precision == WeightPrecision.Int8 ? 2.0 / 254 : 2.0 * (1.0 / 254 + 1.0 / 255);
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 41);
        float[] input = Array.ConvertAll(ReferenceEncoder.RandomInput(Batch * Length * E, seed: 43), v => 3 * v);
        var int8 = new MhaE128H2CausalInt8 { Path = path, WeightPrecision = precision };
        int8.LoadWeights(weights);
        var plain = new MhaE128H2Causal { Path = path };
        plain.LoadWeights(weights);
        Outputs compact = Run(int8, input), full = Run(plain, input);

        double largest = 0, worst = 0;
        foreach (float v in full.Self) largest = Math.Max(largest, Math.Abs(v));
        foreach ((float[] a, float[] e) in new[] { (compact.Self, full.Self), (compact.Cross, full.Cross), (compact.Decoded, full.Decoded) })
        {
            for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - e[i]));
        }

        output.WriteLine($"{path}: {precision} vs float32 max |Δ| {worst:G3}, max |output| {largest:G3}, ratio {worst / largest:G3} (bound {bound:G3})");
        Assert.True(worst <= bound * largest, $"{precision} errs by {worst}, more than {bound:G3} · {largest}");
        Assert.NotEqual(full.Self, compact.Self); // the int8 weights really were used
        Assert.Equal(compact.Self, compact.Cross); // the same projections, fused or separate, in the same bits
        // The attention output that the out projection quantises differs between decode and the full forward by float
        // rounding. 16-bit codes absorb that; a byte code sitting on a rounding boundary can move by one step, which moves
        // that token's outputs by up to 1/255 of the group's range times the weights (2/255 of the largest output bounds
        // it). So with byte activations an element may differ by up to that step; with 16-bit codes only by float rounding.
        int apart = 0;
        for (int i = 0; i < compact.Self.Length; i++)
        {
            float e = compact.Self[i], difference = Math.Abs(compact.Decoded[i] - e);
            if (difference <= 2e-5 + 1e-4 * Math.Abs(e)) continue;
            Assert.True(precision == WeightPrecision.Int8ByteActivations && difference <= 2.0 / 255 * largest, $"decode element {i}: {compact.Decoded[i]} vs full forward {e}");
            apart++;
        }

        output.WriteLine($"{path}: {precision}: {apart} of {compact.Self.Length} decoded elements differ from the full forward by more than float rounding");
    }

    /// <summary>
    /// The separate query/key/value projections (q_proj_weight, k_proj_weight, v_proj_weight) with grouped key/value
    /// heads: bf16 exactly the float layer of the rounded weights, int8 within the bound argued above.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void SeparateProjections_WithGroupedHeads_FollowTheSameRules(KernelPath path)
    {
        const int rows = 2 * 9, keyRows = 2 * 11;
        var random = new Random(73);
        float[] Values(int count) => Array.ConvertAll(new float[count], _ => (float)(random.NextDouble() * 2 - 1) * 0.3f);
        var weights = new WeightDictionary();
        weights.Add("q_proj_weight", Values(64 * 64), 64, 64);
        weights.Add("k_proj_weight", Values(32 * 48), 32, 48);
        weights.Add("v_proj_weight", Values(32 * 40), 32, 40);
        weights.Add("in_proj_bias", Values(128), 128);
        weights.Add("out_proj.weight", Values(64 * 64), 64, 64);
        weights.Add("out_proj.bias", Values(64), 64);
        float[] query = Values(rows * 64), key = Values(keyRows * 48), value = Values(keyRows * 40);

        float[] Run(Action<float[], float[], float[], float[]> forward)
        {
            float[] result = new float[query.Length];
            forward(query, key, value, result);
            return result;
        }

        var bfloat16 = new MhaSeparateGqaBFloat16 { Path = path };
        bfloat16.LoadWeights(weights);
        var rounded = new MhaSeparateGqa { Path = path };
        rounded.LoadWeights(RoundedToBFloat16(weights));
        Assert.Equal(
            Run((q, k, v, o) => rounded.Forward(q, o, 2, 9, k, v, 11)),
            Run((q, k, v, o) => bfloat16.Forward(q, o, 2, 9, k, v, 11)));

        var int8 = new MhaSeparateGqaBFloat16 { Path = path, WeightPrecision = WeightPrecision.Int8 };
        int8.LoadWeights(weights);
        var plain = new MhaSeparateGqa { Path = path };
        plain.LoadWeights(weights);
        float[] expected = Run((q, k, v, o) => plain.Forward(q, o, 2, 9, k, v, 11));
        float[] actual = Run((q, k, v, o) => int8.Forward(q, o, 2, 9, k, v, 11));
        double largest = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        }

        output.WriteLine($"{path}: separate/GQA int8 vs float32 max |Δ| {worst:G3}, max |output| {largest:G3}, ratio {worst / largest:G3} (bound {2.0 / 254:G3})");
        Assert.True(worst <= 2.0 / 254 * largest, $"int8 errs by {worst}, more than 2/254 · {largest}");
        Assert.NotEqual(expected, actual);
    }

    [Fact]
    public void Int8_IsTheSameOnAnyNumberOfThreads()
    {
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 47);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * E, seed: 53);
        Outputs one = Run(Loaded(weights, threads: 1), input);
        foreach (int threads in new[] { 2, 5 })
        {
            Outputs many = Run(Loaded(weights, threads), input);
            Assert.Equal(one.Self, many.Self);
            Assert.Equal(one.Cross, many.Cross);
            Assert.Equal(one.Decoded, many.Decoded);
        }
    }

    [Fact]
    public void WarmForwardAndDecodeStep_AllocateNothing_AtInt8()
    {
        var layer = Loaded(MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 59), threads: 2);
        float[] input = ReferenceEncoder.RandomInput(Batch * Length * E, seed: 61), result = new float[input.Length];
        KvCache cache = layer.CreateKvCache(1, 20);
        float[] token = input.AsSpan(0, E).ToArray(), tokenOut = new float[E];
        for (int i = 0; i < 3; i++)
        {
            layer.Forward(input, result, Batch, Length);
            layer.Forward(token, tokenOut, cache);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            layer.Forward(input, result, Batch, Length);
            layer.Forward(token, tokenOut, cache);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AnUndefinedPrecision_FailsTheLoad_AndKeepsTheOldWeights()
    {
        WeightDictionary weights = MultiHeadAttentionCacheTests.RandomWeights(s_options, seed: 67);
        var layer = Loaded(weights, threads: 1);
        float[] input = ReferenceEncoder.RandomInput(Length * E, seed: 71);
        float[] before = new float[input.Length], after = new float[input.Length];
        layer.Forward(input, before, 1, Length);
        layer.WeightPrecision = (WeightPrecision)7;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => layer.LoadWeights(weights));
        Assert.Equal("precision", error.ParamName);
        layer.Forward(input, after, 1, Length);
        Assert.Equal(before, after);
    }

    private static MhaE128H2CausalInt8 Loaded(WeightDictionary weights, int threads)
    {
        var layer = new MhaE128H2CausalInt8 { MaxDegreeOfParallelism = threads };
        layer.LoadWeights(weights);
        return layer;
    }

    private static void AssertSameOnEveryWayIn(Outputs actual, Outputs expected)
    {
        Assert.Equal(expected.Self, actual.Self);
        Assert.Equal(expected.Cross, actual.Cross);
        Assert.Equal(expected.Decoded, actual.Decoded);
    }

    /// <summary>The projection weights rounded to bf16 (as <c>PackedProjection</c> rounds them); biases as they are.</summary>
    private static WeightDictionary RoundedToBFloat16(WeightDictionary weights)
    {
        var rounded = new WeightDictionary();
        foreach (string name in weights.Names)
        {
            weights.TryGetInfo(name, out TensorInfo info);
            float[] data = new float[info.ElementCount];
            weights.ReadFloat32(name, data);
            if (name.EndsWith("weight", StringComparison.Ordinal))
            {
                for (int i = 0; i < data.Length; i++) data[i] = BFloat16.Widen(WeightQuantization.ToBFloat16(data[i]));
            }

            rounded.Add(name, data, [.. info.Shape]);
        }

        return rounded;
    }

    /// <summary>One sequence set through each way in: fused self-attention, explicit key = value = input, and the KV cache.</summary>
    private sealed record Outputs(float[] Self, float[] Cross, float[] Decoded);

    private static Outputs Run(MhaE128H2CausalInt8 layer, float[] input) =>
        Run(input, layer.Forward, (k, o) => layer.Forward(input, o, Batch, Length, k, k, Length), layer.CreateKvCache, layer.Prefill, layer.Forward);

    private static Outputs Run(MhaE128H2Causal layer, float[] input) =>
        Run(input, layer.Forward, (k, o) => layer.Forward(input, o, Batch, Length, k, k, Length), layer.CreateKvCache, layer.Prefill, layer.Forward);

    private delegate void SelfForward(ReadOnlySpan<float> query, Span<float> output, int batch, int queryLength, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int keyLength, ReadOnlySpan<bool> keyPaddingMask, Span<float> attentionWeights);

    private delegate void PrefillStep(ReadOnlySpan<float> input, Span<float> output, int length, KvCache cache);

    private delegate void DecodeStep(ReadOnlySpan<float> input, Span<float> output, KvCache cache);

    private static Outputs Run(float[] input, SelfForward forward, Action<float[], float[]> cross, Func<int, int, KvCachePrecision, KvCache> createCache, PrefillStep prefill, DecodeStep decode)
    {
        float[] self = new float[input.Length], crossOut = new float[input.Length], decoded = new float[input.Length];
        forward(input, self, Batch, Length, default, default, 0, default, default);
        cross(input, crossOut);

        KvCache cache = createCache(Batch, Length, KvCachePrecision.Float32);
        float[] piece = new float[Batch * Prefill * E], pieceOut = new float[piece.Length];
        for (int b = 0; b < Batch; b++) Array.Copy(input, b * Length * E, piece, b * Prefill * E, Prefill * E);
        prefill(piece, pieceOut, Prefill, cache);
        for (int b = 0; b < Batch; b++) Array.Copy(pieceOut, b * Prefill * E, decoded, b * Length * E, Prefill * E);
        float[] token = new float[Batch * E], tokenOut = new float[token.Length];
        for (int t = Prefill; t < Length; t++)
        {
            for (int b = 0; b < Batch; b++) Array.Copy(input, (b * Length + t) * E, token, b * E, E);
            decode(token, tokenOut, cache);
            for (int b = 0; b < Batch; b++) Array.Copy(tokenOut, b * E, decoded, (b * Length + t) * E, E);
        }

        return new Outputs(self, crossOut, decoded);
    }
}
