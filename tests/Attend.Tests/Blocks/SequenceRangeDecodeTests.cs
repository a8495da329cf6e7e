using System;
using System.Collections.Generic;
using System.Linq;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Blocks;

/// <summary>
/// A decoding step of a small stack over a large batch runs as ranges of sequences side by side
/// (<see cref="SequenceRanges"/>): each thread runs every layer for its sequences, storing into and reading from its
/// part of the shared cache. It must give the undivided pass's outputs and cache bit for bit.
/// </summary>
public sealed class SequenceRangeDecodeTests
{
    // Enough sequences that the step's work gives two threads their share, while each operation alone is too small to split.
    private const int Batch = 300;
    private const int Prompt = 3;
    private const int Steps = 4;

    /// <summary>The projection FLOPs per row <see cref="SequenceRanges.Count"/> weighs for <see cref="GqaRotaryHalfDecoder"/>.</summary>
    private static (long Total, long Largest) ProjectionFlopsPerRow()
    {
        const int E = GqaRotaryHalfDecoder.ModelDim, D = E / GqaRotaryHalfDecoder.Heads;
        const long Qkv = (GqaRotaryHalfDecoder.Heads + 2L * GqaRotaryHalfDecoder.KvHeads) * D, Inner = (long)GqaRotaryHalfDecoder.Heads * D;
        long total = 2L * GqaRotaryHalfDecoder.Depth * (E * Qkv + Inner * E + 2L * E * GqaRotaryHalfDecoder.MlpDim);
        long largest = 2L * Math.Max(Math.Max(E * Qkv, Inner * E), (long)E * GqaRotaryHalfDecoder.MlpDim);
        return (total, largest);
    }

    [Fact]
    public void ThisTestsStep_IsOneTheStackDividesIntoRanges()
    {
        (long total, long largest) = ProjectionFlopsPerRow();
        int expected = Environment.ProcessorCount >= 2 ? 2 : 1;

        Assert.Equal(expected, SequenceRanges.Count(Batch, 1, total, largest, maxThreads: 2));
        Assert.Equal(1, SequenceRanges.Count(Batch, 1, total, largest, maxThreads: 1));
        Assert.Equal(1, SequenceRanges.Count(8, 1, total, largest, maxThreads: 2)); // too little work for a second thread
        // A prefill of 9 tokens: operations of 6 MFLOP split themselves, but each is short enough that ranges of 1 350
        // rows, evenly divided, spare the hand-off at every operation.
        Assert.Equal(expected, SequenceRanges.Count(Batch, 9, total, largest, maxThreads: 2));
        Assert.Equal(expected, SequenceRanges.Count(Batch - 1, 9, total, largest, maxThreads: 2)); // 299 = 150 + 149: balanced enough
        Assert.Equal(1, SequenceRanges.Count(3, 1000, total, largest, maxThreads: 2)); // 3 sequences on 2 threads: one would wait
        Assert.Equal(1, SequenceRanges.Count(Batch, 64, total, largest, maxThreads: 2)); // 44 MFLOP operations: each splits itself
    }

    [Theory]
    [InlineData(KvCachePrecision.Float32)]
    [InlineData(KvCachePrecision.BFloat16)]
    public void DecodingInSequenceRanges_GivesTheUndividedPassBitForBit(KvCachePrecision precision)
    {
        const int E = GqaRotaryHalfDecoder.ModelDim;
        WeightDictionary weights = ReferenceEncoder.RandomWeights(
            new ReferenceOptions(24, 4, 2, 6, 40, 2, PreNorm: true, Activation: "gelu", Causal: true, Positions: "rotary_half", RotaryDim: 6, FinalNorm: true), seed: 17);
        var whole = new GqaRotaryHalfDecoder { MaxDegreeOfParallelism = 1 };
        var ranged = new GqaRotaryHalfDecoder { MaxDegreeOfParallelism = 2 };
        whole.LoadWeights(weights);
        ranged.LoadWeights(weights);
        KvCache wholeCache = whole.CreateKvCache(Batch, Prompt + Steps, precision);
        KvCache rangedCache = ranged.CreateKvCache(Batch, Prompt + Steps, precision);

        float[] prompt = ReferenceEncoder.RandomInput(Batch * Prompt * E, seed: 29);
        float[] wholeOut = new float[prompt.Length], rangedOut = new float[prompt.Length];
        whole.Prefill(prompt, wholeOut, Prompt, wholeCache);
        ranged.Prefill(prompt, rangedOut, Prompt, rangedCache);
        Assert.Equal(wholeOut, rangedOut);

        for (int step = 0; step < Steps; step++)
        {
            float[] token = ReferenceEncoder.RandomInput(Batch * E, seed: 31 + step);
            float[] wholeStep = new float[token.Length], rangedStep = new float[token.Length];
            whole.Forward(token, wholeStep, wholeCache);
            ranged.Forward(token, rangedStep, rangedCache);

            Assert.Equal(wholeStep, rangedStep);
            Assert.All(rangedStep, value => Assert.True(float.IsFinite(value)));
        }

        Assert.Equal(wholeCache.Length, rangedCache.Length);
        Assert.Equal(Prompt + Steps, rangedCache.Length);
        if (precision == KvCachePrecision.Float32)
        {
            for (int layer = 0; layer < GqaRotaryHalfDecoder.Depth; layer++)
            {
                Assert.True(wholeCache.Keys(layer).SequenceEqual(rangedCache.Keys(layer)), $"layer {layer} keys differ");
                Assert.True(wholeCache.Values(layer).SequenceEqual(rangedCache.Values(layer)), $"layer {layer} values differ");
            }
        }
    }

    [Fact]
    public void Run_CoversEverySequenceOnce_InNearEqualRanges()
    {
        var seen = new List<(int First, int Count, int Floats)>();
        float[] x = new float[7 * 3];
        var cache = new KvCache(1, 7, 1, 4, 2);

        SequenceRanges.Run(seen, KernelPath.Scalar, cache, 3, x, batch: 7, ranges: 3, static (list, path, c, length, span, first, count) =>
        {
            lock (list) list.Add((first, count, span.Length));
        });

        Assert.Equal([(0, 2, 6), (2, 2, 6), (4, 3, 9)], seen.OrderBy(r => r.First));
    }

    [Fact]
    public void Run_RejectsAnXThatIsNotWholeSequences()
    {
        var cache = new KvCache(1, 2, 1, 4, 2);

        var error = Assert.Throws<ArgumentException>(() => SequenceRanges.Run(new object(), KernelPath.Scalar, cache, 1, new float[5], batch: 2, ranges: 2, static (_, _, _, _, _, _, _) => { }));
        Assert.Equal("x", error.ParamName);
    }

    [Fact]
    public void StoreOfSequenceRanges_WritesWhatOneStoreOfTheBatchWrites()
    {
        const int Sequences = 5, KvHeads = 2, DimHead = 3, RowStride = 2 * KvHeads * DimHead;
        float[] rows = Enumerable.Range(0, Sequences * 2 * RowStride).Select(i => i * 0.5f).ToArray();
        var whole = new KvCache(1, Sequences, KvHeads, DimHead, 4);
        var ranged = new KvCache(1, Sequences, KvHeads, DimHead, 4);

        whole.Store(0, rows, 2, RowStride, 0, KvHeads * DimHead);
        ranged.Store(0, rows.AsSpan(0, 2 * 2 * RowStride), 2, RowStride, 0, KvHeads * DimHead, firstSequence: 0, sequences: 2);
        ranged.Store(0, rows.AsSpan(2 * 2 * RowStride), 2, RowStride, 0, KvHeads * DimHead, firstSequence: 2, sequences: 3);

        Assert.True(whole.Keys(0).SequenceEqual(ranged.Keys(0)));
        Assert.True(whole.Values(0).SequenceEqual(ranged.Values(0)));
        Assert.Equal(0, ranged.Length);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(4, 2)]
    [InlineData(0, 6)]
    public void StoreOfSequenceRanges_RejectsARangeOutsideTheBatch(int first, int sequences)
    {
        var cache = new KvCache(1, 5, 1, 2, 4);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cache.Store(0, new float[64], 1, 4, 0, 2, first, sequences));
        Assert.Equal("sequences", error.ParamName);
        Assert.Contains("[0, 5)", error.Message);
    }

    [Fact]
    public void StoreOfSequenceRanges_RejectsRowsShorterThanTheRange()
    {
        var cache = new KvCache(1, 5, 1, 2, 4);

        var error = Assert.Throws<ArgumentException>(() => cache.Store(0, new float[2 * 4], 1, 4, 0, 2, firstSequence: 1, sequences: 3));
        Assert.Equal("rows", error.ParamName);
        Assert.Contains("sequences × count × rowStride = 3 × 1 × 4", error.Message);
    }
}
