using System;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// bfloat16 rounding (nearest, ties to even, NaN kept) and the decode kernels over bfloat16 keys and values on every
/// path, against float64 sums of the exactly widened values.
/// </summary>
public sealed class BFloat16KernelTests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2.5f, 0xC020)]
    [InlineData(1.00390625f, 0x3F80)] // 1 + 2⁻⁸: a tie, to the even neighbour below
    [InlineData(1.01171875f, 0x3F82)] // 1 + 3·2⁻⁸: a tie, to the even neighbour above
    [InlineData(1.0039072f, 0x3F81)] // just past the tie: up
    [InlineData(float.MaxValue, 0x7F80)] // past the largest bfloat16: infinity, as PyTorch's .bfloat16()
    [InlineData(float.NegativeInfinity, 0xFF80)]
    [InlineData(0f, 0x0000)]
    public void Round_NearestTiesToEven(float value, int expected)
    {
        Assert.Equal((ushort)expected, BFloat16.Round(value));
        ushort[] fromSpan = new ushort[20];
        float[] values = new float[20];
        Array.Fill(values, value);
        BFloat16.Round(values, fromSpan); // the vector body, then the scalar tail
        Assert.All(fromSpan, bits => Assert.Equal((ushort)expected, bits));
    }

    [Fact]
    public void Round_KeepsNaN_AndErrsAtMostTwoToTheMinus8_WhichTwoToTheMinus9DoesNotBound()
    {
        Assert.True(float.IsNaN(BFloat16.Widen(BFloat16.Round(float.NaN))));
        Assert.True(float.IsNaN(BFloat16.Widen(BFloat16.Round(BitConverter.UInt32BitsToSingle(0x7F800001)))));  // payload only in the low bits
        var random = new Random(7);
        float[] values = new float[4099];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-60, 60)));
        values[5] = float.NaN;
        ushort[] rounded = new ushort[values.Length];
        BFloat16.Round(values, rounded);
        double worst = 0;
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(BFloat16.Round(values[i]), rounded[i]);
            if (float.IsNaN(values[i])) continue;
            worst = Math.Max(worst, Math.Abs(BFloat16.Widen(rounded[i]) - (double)values[i]) / Math.Abs(values[i]));
        }

        Assert.True(worst <= BFloat16.RelativeRounding, $"worst relative error {worst}");
        Assert.True(worst > BFloat16.RelativeRounding / 2 * 0.99, $"worst relative error {worst}: 2⁻⁹ would not have bounded it");
    }

    public static TheoryData<KernelPath, int, int> Shapes()
    {
        var data = new TheoryData<KernelPath, int, int>();
        foreach (KernelPath path in KernelPaths.All)
        {
            foreach (int dimHead in new[] { 1, 5, 16, 17, 64, 100 })
            {
                foreach (int count in new[] { 1, 2, 7, 33 }) data.Add(path, dimHead, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Scores_AreTheFloat64DotsOfTheWidenedKeys(KernelPath path, int dimHead, int count)
    {
        var random = new Random(dimHead * 31 + count);
        float[] query = RandomFloats(random, dimHead);
        ushort[] keys = RandomBits(random, count * dimHead);
        float[] scores = new float[count + 1];
        scores[count] = 42f;

        BFloat16AttentionKernels.Scores(path, query, keys, dimHead, count, 0.375f, scores);

        for (int j = 0; j < count; j++)
        {
            double dot = 0, magnitude = 0;
            for (int d = 0; d < dimHead; d++)
            {
                double term = query[d] * (double)BFloat16.Widen(keys[j * dimHead + d]);
                dot += term;
                magnitude += Math.Abs(term);
            }

            // Any order of dimHead float additions errs by at most (dimHead + 1)·2⁻²⁴ of the sum of |terms|, the scaling once more.
            Assert.True(Math.Abs(scores[j] - 0.375 * dot) <= 0.375 * (dimHead + 2) * Math.Pow(2, -24) * magnitude + 1e-30, $"score {j}: {scores[j]} vs {0.375 * dot}");
        }

        Assert.Equal(42f, scores[count]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WeightedSum_IsTheFloat64SumOfTheWidenedValues(KernelPath path, int dimHead, int count)
    {
        var random = new Random(dimHead * 37 + count);
        float[] weights = RandomFloats(random, count);
        ushort[] values = RandomBits(random, count * dimHead);
        float[] output = new float[dimHead + 1];
        output.AsSpan().Fill(float.NaN); // overwritten, never read
        output[dimHead] = 42f;

        BFloat16AttentionKernels.WeightedSum(path, weights, values, dimHead, count, output.AsSpan(0, dimHead));

        for (int d = 0; d < dimHead; d++)
        {
            double sum = 0, magnitude = 0;
            for (int j = 0; j < count; j++)
            {
                double term = weights[j] * (double)BFloat16.Widen(values[j * dimHead + d]);
                sum += term;
                magnitude += Math.Abs(term);
            }

            Assert.True(Math.Abs(output[d] - sum) <= (count + 1) * Math.Pow(2, -24) * magnitude + 1e-30, $"column {d}: {output[d]} vs {sum}");
        }

        Assert.Equal(42f, output[dimHead]);
    }

    private static float[] RandomFloats(Random random, int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static ushort[] RandomBits(Random random, int count)
    {
        ushort[] bits = new ushort[count];
        for (int i = 0; i < count; i++) bits[i] = BFloat16.Round((float)(random.NextDouble() * 4 - 2));
        return bits;
    }
}

/// <summary>The driver's own check of a cache against the attention it serves (layers check their caches first).</summary>
[Collection(ReferenceHeadKernelsCollection.Name)]
public sealed class CachedAttentionArgumentTests
{
    [Fact]
    public void RunCached_RejectsACacheOfAnotherBatch()
    {
        ReferenceHeadKernels.Use(4, 4);
        var cache = new KvCache(1, 2, 1, 4, 8, KvCachePrecision.BFloat16);
        float[] rows = new float[3 * 4], result = new float[3 * 4];

        var error = Assert.Throws<ArgumentException>(() => AttentionDriver.RunCached<ReferenceHeadKernels>(OneTokenPerSequence(3, rows, result), cache, 0));

        Assert.Equal("cache", error.ParamName);
        Assert.Contains("3 of 1 × 4", error.Message);
    }

    [Fact]
    public void RunCached_RejectsSequencesOutsideTheCache()
    {
        ReferenceHeadKernels.Use(4, 4);
        var cache = new KvCache(1, 3, 1, 4, 8);
        float[] rows = new float[2 * 4], result = new float[2 * 4];

        var error = Assert.Throws<ArgumentException>(() => AttentionDriver.RunCached<ReferenceHeadKernels>(OneTokenPerSequence(2, rows, result), cache, 0, firstSequence: 2));

        Assert.Equal("cache", error.ParamName);
        Assert.Contains("[2, 4)", error.Message);
    }

    /// <summary>One new token per sequence, one head of 4, keys and values the query rows themselves.</summary>
    private static AttentionProblem OneTokenPerSequence(int batch, float[] rows, float[] result) => new()
    {
        Batch = batch, Heads = 1, QueryLength = 1, KeyLength = 1,
        Query = rows, QueryBatchStride = 4, QueryHeadStride = 4, QueryRowStride = 4,
        Key = rows, KeyBatchStride = 4, KeyHeadStride = 4, KeyRowStride = 4,
        Value = rows, ValueBatchStride = 4, ValueHeadStride = 4, ValueRowStride = 4,
        Output = result, OutputBatchStride = 4, OutputHeadStride = 4, OutputRowStride = 4,
        Scale = 1f,
    };
}
