using System;
using System.Collections.Generic;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>Grouped heads, odd widths: D = 20 is no multiple of any register; Dv = 12 splits into 8 + 4.</summary>
[ScaledDotProductAttention(Heads = 4, KvHeads = 2, DimHead = 20, ValueDimHead = 12)]
internal sealed partial class TiledGqaLayer;

/// <summary>The benchmark head shape: D = Dv = 64.</summary>
[ScaledDotProductAttention(Heads = 2, DimHead = 64)]
internal sealed partial class TiledWideLayer;

/// <summary>
/// The generated tile kernels and the driver's tiled (flash) and split-key (decode) strategies, on every kernel path,
/// against the float64 <see cref="ScalarReference"/>: query lengths that are no multiple of the tile, key lengths of 1
/// and past one key tile, causal with <c>Sq ≠ T</c>, fully masked rows, a KV cache read in place, and bit-identical
/// results on 1 and 2 threads.
/// </summary>
public sealed class TiledAttentionTests
{
    public static IEnumerable<object[]> Paths()
    {
        foreach (KernelPath path in KernelPaths.All.ToArray())
        {
            yield return [path];
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_RowsNotAMultipleOfTheTile_KeysPastOneTile(KernelPath path)
    {
        // 29 rows: one whole block of 4 × 6 rows and a 5-row tail; 300 keys: two full key tiles of 128 and a ragged one.
        var c = new SdpaCase(1, batch: 2, queryLength: 29, newKeys: 300);
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_LastKeyTileOf64Keys(KernelPath path)
    {
        // 192 keys: a full key tile, then 64 keys that every row sees: the one-call softmax on a part tile.
        var c = new SdpaCase(13, batch: 1, queryLength: 30, newKeys: 192);
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [InlineData(KernelPath.Vector512, 64)]
    [InlineData(KernelPath.Vector256, 32)]
    public void KeyTile_HoldsWholeSoftmaxBlocks(KernelPath path, int block)
    {
        // A partly-seen row is padded with −∞ up to the tile softmax's block inside its score row of KeyTile floats.
        Assert.Equal(block, OnlineSoftmax.TileCount(path, 1));
        Assert.Equal(AttentionDriver.KeyTile, OnlineSoftmax.TileCount(path, AttentionDriver.KeyTile));
        Assert.Equal(AttentionDriver.KeyTile, OnlineSoftmax.TileCount(path, AttentionDriver.KeyTile - 1));
        Assert.Equal(0, OnlineSoftmax.TileCount(KernelPath.Vector128, 7)); // no tile kernel: rows one by one
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_KeyLengthOne(KernelPath path)
    {
        var c = new SdpaCase(2, batch: 1, queryLength: 7, newKeys: 1);
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_CausalWithPast_DiagonalBottomRight(KernelPath path)
    {
        // 13 new queries and keys after 160 cached ones: row i sees keys 0..160 + i (ONNX: offset = past length).
        var c = new SdpaCase(3, batch: 2, queryLength: 13, newKeys: 13, past: 160) { Causal = true };
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_CausalMoreQueriesThanKeys(KernelPath path)
    {
        // Top-left aligned: rows 17..39 see every one of the 17 keys; rows below see fewer.
        var c = new SdpaCase(4, batch: 1, queryLength: 40, newKeys: 17) { Causal = true };
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_FullyMaskedRows_GiveZeros(KernelPath path)
    {
        // A boolean mask [Sq, T] broadcast over batch and heads: rows 3 and 20 allow nothing, the others a random 3/4.
        var random = new Random(5);
        const int QueryLength = 26, Keys = 150;
        var mask = new bool[QueryLength * Keys];
        for (int i = 0; i < QueryLength; i++)
        {
            for (int j = 0; j < Keys; j++)
            {
                mask[i * Keys + j] = i != 3 && i != 20 && random.Next(4) != 0;
            }
        }

        var c = new SdpaCase(5, batch: 1, queryLength: QueryLength, newKeys: Keys) { BooleanMask = mask };
        float[] output = c.AssertMatches<TiledGqaLayer>(path);
        LayerAssert.Zero(output, "fully masked rows", n => (n / TiledGqaLayer.ValueDimHead % QueryLength) is 3 or 20);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_AdditiveMaskAndSoftcap(KernelPath path)
    {
        var random = new Random(6);
        var c = new SdpaCase(6, batch: 1, queryLength: 9, newKeys: 140)
        {
            AdditiveMask = TestTensors.Uniform(random, 9 * 140, 2.0),
            Softcap = 2.5f,
        };
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SplitKeys_DecodeOverACache(KernelPath path)
    {
        // One new token after 650 cached (read in place, no present output): 3 chunks of 256 keys, one across the
        // past/new boundary.
        var c = new SdpaCase(7, batch: 2, queryLength: 1, newKeys: 1, past: 650);
        c.AssertMatches<TiledGqaLayer>(path);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SplitKeys_CausalAndMasked(KernelPath path)
    {
        // Three queries (still the split-key strategy) after 600 cached keys, causal, with a mask that empties one
        // whole chunk of the last row and every key of the first row.
        const int Keys = 603;
        var mask = new bool[3 * Keys];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < Keys; j++)
            {
                mask[i * Keys + j] = i != 0 && !(i == 2 && j is >= 256 and < 512);
            }
        }

        var c = new SdpaCase(8, batch: 1, queryLength: 3, newKeys: 3, past: 600) { Causal = true, BooleanMask = mask };
        float[] output = c.AssertMatches<TiledGqaLayer>(path);
        LayerAssert.Zero(output, "the fully masked row", n => n / TiledGqaLayer.ValueDimHead % 3 == 0);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Theory]
    [InlineData(100, 0, 300, true)]   // tiled, causal
    [InlineData(1, 1999, 1, false)]   // split keys (decode)
    public void Threads_GiveBitIdenticalResults(int queryLength, int past, int newKeys, bool causal)
    {
        var c = new SdpaCase(9, batch: 1, queryLength, newKeys, past) { Causal = causal };
        float[] one = c.Run<TiledWideLayer>(KernelPath.Auto, threads: 1);
        float[] two = c.Run<TiledWideLayer>(KernelPath.Auto, threads: 2);
        LayerAssert.Identical(one, two, "1 vs 2 threads");
        LayerAssert.Identical(one, c.Run<TiledWideLayer>(KernelPath.Auto, threads: 3), "1 vs 3 threads");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tiled_ManyPairs_PackedInSeveralGroups(KernelPath path)
    {
        // 24 (batch, key/value head) pairs of 1400 keys, D + Dv = 128 floats each: more than one pass of shared packs holds,
        // so the keys and values are packed and attended in two groups.
        Assert.True(24L * 1400 * 128 > AttentionDriver.MaxSharedPackFloats);
        var c = new SdpaCase(10, batch: 12, queryLength: 5, newKeys: 1400);
        c.AssertMatches<TiledWideLayer>(path);
    }

    [Fact]
    public void Threads_GiveBitIdenticalResults_GroupedHeadsAndSeveralPackGroups()
    {
        // Grouped heads: two query heads wait on one pair's packing; many pairs: two groups of packs, one after the other.
        var grouped = new SdpaCase(11, batch: 3, queryLength: 61, newKeys: 200) { Causal = true };
        float[] one = grouped.Run<TiledGqaLayer>(KernelPath.Auto, threads: 1);
        LayerAssert.Identical(one, grouped.Run<TiledGqaLayer>(KernelPath.Auto, threads: 2), "grouped heads, 1 vs 2 threads");
        LayerAssert.Identical(one, grouped.Run<TiledGqaLayer>(KernelPath.Auto, threads: 3), "grouped heads, 1 vs 3 threads");

        var many = new SdpaCase(12, batch: 12, queryLength: 30, newKeys: 1400);
        float[] single = many.Run<TiledWideLayer>(KernelPath.Auto, threads: 1);
        LayerAssert.Identical(single, many.Run<TiledWideLayer>(KernelPath.Auto, threads: 2), "two pack groups, 1 vs 2 threads");
    }

    /// <summary>One SDPA call in the <c>[B, H, S, D]</c> layout, its inputs random and seeded.</summary>
    private sealed class SdpaCase(int seed, int batch, int queryLength, int newKeys, int past = 0)
    {
        public bool Causal { get; init; }

        public bool[]? BooleanMask { get; init; }

        public float[]? AdditiveMask { get; init; }

        public float Softcap { get; init; }

        private int Total => past + newKeys;

        /// <summary>Runs the layer on <paramref name="path"/> and asserts it agrees with the reference; returns the output.</summary>
        public float[] AssertMatches<TLayer>(KernelPath path)
            where TLayer : new()
        {
            (int heads, int kvHeads, int d, int dv) = Dims<TLayer>();
            Inputs inputs = MakeInputs(heads, kvHeads, d, dv);
            float[] actual = Run<TLayer>(path, threads: 1);
            ReferenceResult expected = Reference(inputs, heads, kvHeads, d, dv);
            LayerAssert.Close(expected.Output, actual, 1e-4, $"{typeof(TLayer).Name} on {path}");
            return actual;
        }

        public float[] Run<TLayer>(KernelPath path, int threads)
            where TLayer : new()
        {
            (int heads, int kvHeads, int d, int dv) = Dims<TLayer>();
            Inputs inputs = MakeInputs(heads, kvHeads, d, dv);
            var output = new float[batch * heads * queryLength * dv];
            var arguments = new ScaledDotProductAttentionArguments
            {
                Layout = AttentionLayout.BatchHeadSequence,
                Batch = batch,
                QueryLength = queryLength,
                KeyLength = newKeys,
                Query = inputs.Query,
                Key = inputs.NewKey,
                Value = inputs.NewValue,
                PastKey = inputs.PastKey,
                PastValue = inputs.PastValue,
                PastLength = past,
                Output = output,
                IsCausal = Causal,
                Softcap = Softcap,
                BooleanMask = BooleanMask,
                AttentionMask = AdditiveMask,
                MaskShape = BooleanMask != null || AdditiveMask != null ? [queryLength, Total] : default,
            };
            object layer = new TLayer();
            switch (layer)
            {
                case TiledGqaLayer gqa:
                    gqa.Path = path;
                    gqa.MaxDegreeOfParallelism = threads;
                    gqa.Forward(arguments);
                    break;
                case TiledWideLayer wide:
                    wide.Path = path;
                    wide.MaxDegreeOfParallelism = threads;
                    wide.Forward(arguments);
                    break;
                default:
                    throw new InvalidOperationException(typeof(TLayer).Name);
            }

            return output;
        }

        private static (int Heads, int KvHeads, int D, int Dv) Dims<TLayer>() => typeof(TLayer) == typeof(TiledGqaLayer)
            ? (TiledGqaLayer.Heads, TiledGqaLayer.KvHeads, TiledGqaLayer.DimHead, TiledGqaLayer.ValueDimHead)
            : (TiledWideLayer.Heads, TiledWideLayer.KvHeads, TiledWideLayer.DimHead, TiledWideLayer.ValueDimHead);

        private sealed record Inputs(float[] Query, float[] NewKey, float[] NewValue, float[] PastKey, float[] PastValue);

        private Inputs MakeInputs(int heads, int kvHeads, int d, int dv)
        {
            var random = new Random(seed);
            return new Inputs(
                TestTensors.Uniform(random, batch * heads * queryLength * d, 1.5),
                TestTensors.Uniform(random, batch * kvHeads * newKeys * d, 1.5),
                TestTensors.Uniform(random, batch * kvHeads * newKeys * dv, 1.0),
                TestTensors.Uniform(random, batch * kvHeads * past * d, 1.5),
                TestTensors.Uniform(random, batch * kvHeads * past * dv, 1.0));
        }

        private ReferenceResult Reference(Inputs inputs, int heads, int kvHeads, int d, int dv)
        {
            // Past ++ new per (batch, kv head), the layout the reference reads.
            float[] keys = Concatenate(inputs.PastKey, inputs.NewKey, kvHeads, d);
            float[] values = Concatenate(inputs.PastValue, inputs.NewValue, kvHeads, dv);
            int total = Total;
            float[]? additive = AdditiveMask;
            bool[]? boolean = BooleanMask;
            bool causal = Causal;
            float softcap = Softcap;
            double scale = 1.0 / Math.Sqrt(d);
            if (softcap == 0 && additive == null)
            {
                return ScalarReference.Attention(inputs.Query, keys, values, batch, heads, kvHeads, queryLength, total, d, dv, scale,
                    (b, h, i, j) => (!causal || j <= i + past) && (boolean == null || boolean[i * total + j]));
            }

            // Softcap and an additive mask change the logits: fold them into the keys' scores through a per-key bias.
            return BiasedReference(inputs.Query, keys, values, heads, kvHeads, d, dv, scale, additive, softcap);
        }

        private ReferenceResult BiasedReference(float[] query, float[] keys, float[] values, int heads, int kvHeads, int d, int dv,
            double scale, float[]? additive, float softcap)
        {
            int total = Total;
            var output = new double[batch * heads * queryLength * dv];
            var scores = new double[total];
            int group = heads / kvHeads;
            for (int b = 0; b < batch; b++)
            {
                for (int h = 0; h < heads; h++)
                {
                    int kv = h / group;
                    for (int i = 0; i < queryLength; i++)
                    {
                        int row = (b * heads + h) * queryLength + i;
                        double max = double.NegativeInfinity;
                        for (int j = 0; j < total; j++)
                        {
                            double dot = 0;
                            for (int e = 0; e < d; e++)
                            {
                                dot += (double)query[row * d + e] * keys[((b * kvHeads + kv) * total + j) * d + e];
                            }

                            double s = scale * dot;
                            s = softcap > 0 ? softcap * Math.Tanh(s / softcap) : s;
                            scores[j] = s + (additive?[i * total + j] ?? 0);
                            max = Math.Max(max, scores[j]);
                        }

                        double sum = 0;
                        for (int j = 0; j < total; j++)
                        {
                            scores[j] = Math.Exp(scores[j] - max);
                            sum += scores[j];
                        }

                        for (int j = 0; j < total; j++)
                        {
                            for (int e = 0; e < dv; e++)
                            {
                                output[row * dv + e] += scores[j] / sum * values[((b * kvHeads + kv) * total + j) * dv + e];
                            }
                        }
                    }
                }
            }

            return new ReferenceResult(output, [], []);
        }

        private float[] Concatenate(float[] pastRows, float[] newRows, int kvHeads, int width)
        {
            var all = new float[batch * kvHeads * Total * width];
            for (int head = 0; head < batch * kvHeads; head++)
            {
                Array.Copy(pastRows, head * past * width, all, head * Total * width, past * width);
                Array.Copy(newRows, head * newKeys * width, all, (head * Total + past) * width, newKeys * width);
            }

            return all;
        }
    }
}
