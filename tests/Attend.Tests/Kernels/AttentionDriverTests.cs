using System;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary><see cref="AttentionDriver"/> over <see cref="ReferenceHeadKernels"/> against a naive float64 reference.</summary>
[Collection(ReferenceHeadKernelsCollection.Name)]
public sealed class AttentionDriverTests
{
    [Fact]
    public void Dense_MatchesReference()
    {
        DriverCase c = DriverCase.Dense(1, batch: 2, heads: 3, kvHeads: 3, queryLength: 4, keyLength: 6, dimHead: 8, valueDimHead: 8);
        AssertMatchesReference(c);
    }

    [Fact]
    public void ValueWidthDiffersFromKeyWidth_MatchesReference()
    {
        DriverCase c = DriverCase.Dense(2, batch: 2, heads: 2, kvHeads: 2, queryLength: 5, keyLength: 7, dimHead: 16, valueDimHead: 12);
        AssertMatchesReference(c);
    }

    [Theory]
    [InlineData(3, 7, 0)]   // top-left aligned: Sq < T, later keys never visible
    [InlineData(3, 7, 4)]   // bottom-right aligned (KV cache): offset = T - Sq
    [InlineData(6, 4, 0)]   // Sq > T
    [InlineData(4, 4, -2)]  // negative offset: the first two rows see no key at all
    public void Causal_MatchesReference(int queryLength, int keyLength, int offset)
    {
        DriverCase c = DriverCase.Dense(3, batch: 2, heads: 2, kvHeads: 2, queryLength, keyLength, dimHead: 8, valueDimHead: 8);
        c = c with { Causal = true, CausalOffset = offset, WantProbabilities = true };
        AssertMatchesReference(c);
    }

    [Fact]
    public void Causal_RowPath_SkipsKeysBeyondTheDiagonal()
    {
        // Asking for probabilities takes the row path, which scores exactly the keys on or below the diagonal.
        DriverCase c = DriverCase.Dense(4, batch: 1, heads: 2, kvHeads: 2, queryLength: 8, keyLength: 8, dimHead: 4, valueDimHead: 4) with { Causal = true, WantProbabilities = true };
        c.Run();
        Assert.Equal(2 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8), ReferenceHeadKernels.ScoredKeys);
    }

    [Fact]
    public void Causal_TiledPath_SkipsTilesAboveTheDiagonal()
    {
        // Reference tiles are 3 rows × 4 keys. Rows 0-2 see at most 3 keys (one key block), rows 3-5 at most 6 (two),
        // rows 6-7 (+1 padding row) at most 8 (two): 3·4 + 3·8 + 3·8 = 60 scores per head instead of 9·8 = 72.
        DriverCase c = DriverCase.Dense(4, batch: 1, heads: 2, kvHeads: 2, queryLength: 8, keyLength: 8, dimHead: 4, valueDimHead: 4) with { Causal = true };
        c.Run();
        Assert.Equal(2 * 60, ReferenceHeadKernels.ScoredKeys);
        AssertMatchesReference(c);
    }

    [Fact]
    public void CausalPerBatchOffsets_MatchReference()
    {
        DriverCase c = DriverCase.Dense(5, batch: 3, heads: 2, kvHeads: 1, queryLength: 2, keyLength: 6, dimHead: 8, valueDimHead: 8);
        c = c with { Causal = true, CausalOffsets = [4, 1, -2], WantProbabilities = true };
        AssertMatchesReference(c);
    }

    [Fact]
    public void GroupedQueryHeads_ReadTheirKvHead()
    {
        DriverCase c = DriverCase.Dense(6, batch: 2, heads: 6, kvHeads: 2, queryLength: 3, keyLength: 5, dimHead: 8, valueDimHead: 8);
        AssertMatchesReference(c);
    }

    [Fact]
    public void SequenceMajorLayout_MatchesReference()
    {
        // [B, S, H·D] for Q, K, V and the output: head stride D, row stride H·D.
        var random = new Random(7);
        const int batch = 2, heads = 4, kvHeads = 2, queryLength = 3, keyLength = 5, dim = 8;
        var c = new DriverCase
        {
            Batch = batch, Heads = heads, KvHeads = kvHeads, QueryLength = queryLength, KeyLength = keyLength, DimHead = dim, ValueDimHead = dim,
            Query = DriverCase.RandomArray(random, batch * queryLength * heads * dim),
            Key = DriverCase.RandomArray(random, batch * keyLength * kvHeads * dim),
            Value = DriverCase.RandomArray(random, batch * keyLength * kvHeads * dim),
            QueryStrides = Strides.RowMajor(heads, queryLength, dim),
            KeyStrides = Strides.RowMajor(kvHeads, keyLength, dim),
            ValueStrides = Strides.RowMajor(kvHeads, keyLength, dim),
            OutputStrides = Strides.RowMajor(heads, queryLength, dim),
        };
        AssertMatchesReference(c);
    }

    [Fact]
    public void PackedProjectionBuffer_AndGappedOutput_MatchReference()
    {
        // Multi-head attention's packed in-projection: row s holds [q(H·D) | k(H·D) | v(H·D)]. The output rows leave a
        // gap of 3 floats that must stay untouched.
        var random = new Random(8);
        const int batch = 2, heads = 3, length = 5, dim = 4, hidden = heads * dim;
        float[] packed = DriverCase.RandomArray(random, batch * length * 3 * hidden);
        var strides = new Strides(length * 3 * hidden, dim, 3 * hidden);
        var c = new DriverCase
        {
            Batch = batch, Heads = heads, KvHeads = heads, QueryLength = length, KeyLength = length, DimHead = dim, ValueDimHead = dim,
            Query = packed,
            Key = packed.AsSpan(hidden).ToArray(),
            Value = packed.AsSpan(2 * hidden).ToArray(),
            QueryStrides = strides,
            KeyStrides = strides,
            ValueStrides = strides,
            OutputStrides = new Strides(length * (hidden + 3), dim, hidden + 3),
            Causal = true,
        };
        AssertMatchesReference(c);
    }

    [Fact]
    public void AdditiveMask_BroadcastShortAndNegativeInfinity_MatchesReference()
    {
        // One [Sq, 5] mask for every batch and head; keys 5 and 6 lie past the mask and are masked; -inf entries too.
        DriverCase c = DriverCase.Dense(9, batch: 2, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 7, dimHead: 8, valueDimHead: 8);
        float[] mask =
        [
            0.5f, float.NegativeInfinity, -1f, 0f, 2f,
            float.NegativeInfinity, 0f, 0f, float.NegativeInfinity, -0.25f,
            1f, 1f, 1f, 1f, float.NegativeInfinity,
        ];
        c = c with { AdditiveMask = mask, MaskStrides = new Strides(0, 0, 5), MaskLength = 5, WantProbabilities = true };
        AssertMatchesReference(c);
    }

    [Fact]
    public void BooleanMask_PerHead_WithKeyPaddingAndValidLengths_MatchesReference()
    {
        var random = new Random(10);
        DriverCase c = DriverCase.Dense(10, batch: 2, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 6, dimHead: 8, valueDimHead: 8);
        var allowed = new bool[2 * 3 * 6]; // [H, Sq, T], broadcast over the batch
        for (int n = 0; n < allowed.Length; n++)
        {
            allowed[n] = random.Next(4) != 0;
        }

        bool[] padded = [false, false, false, false, true, false, false, true, false, false, false, false];
        c = c with { BooleanMask = allowed, MaskStrides = new Strides(0, 18, 6), MaskLength = 6, KeyPadding = padded, ValidLengths = [5, 6], WantProbabilities = true };
        AssertMatchesReference(c);
    }

    [Fact]
    public void TailKeyPadding_RunsAsValidLengths_SameBitsAndPaddedKeysNeverScored()
    {
        // What a tokenizer writes: real tokens, then padding. The tiled path reads it as per-batch valid lengths, so the
        // padded keys are neither scored nor packed, and the result is the valid-length problem's bit for bit.
        DriverCase c = DriverCase.Dense(13, batch: 3, heads: 2, kvHeads: 2, queryLength: 8, keyLength: 8, dimHead: 4, valueDimHead: 4);
        bool[] padded = new bool[3 * 8];
        long[] lengths = [5, 8, 0]; // a padded tail, none, and a sequence with no real token (zeros out)
        for (int b = 0; b < 3; b++)
        {
            for (int j = (int)lengths[b]; j < 8; j++) padded[b * 8 + j] = true;
        }

        DriverResult byLengths = (c with { ValidLengths = lengths }).Run();
        long scoredByLengths = ReferenceHeadKernels.ScoredKeys;
        DriverResult byMask = (c with { KeyPadding = padded }).Run();
        Assert.Equal(scoredByLengths, ReferenceHeadKernels.ScoredKeys);
        Assert.Equal(byLengths.Output, byMask.Output);
        AssertMatchesReference(c with { KeyPadding = padded });
        AssertMatchesReference(c with { KeyPadding = padded }, threads: 2);
    }

    [Fact]
    public void KeyPaddingWithAHole_StaysAMask_MatchesReference()
    {
        // A real key after a padded one is not a tail: every key is scored and the padded one masked score by score.
        DriverCase c = DriverCase.Dense(14, batch: 2, heads: 2, kvHeads: 2, queryLength: 8, keyLength: 8, dimHead: 4, valueDimHead: 4);
        bool[] padded = new bool[2 * 8];
        padded[3] = true;
        padded[8 + 6] = padded[8 + 7] = true;
        DriverResult result = (c with { KeyPadding = padded }).Run();
        Assert.True(ReferenceHeadKernels.ScoredKeys > 0);
        Assert.DoesNotContain(result.Output, float.IsNaN);
        AssertMatchesReference(c with { KeyPadding = padded });
    }

    [Fact]
    public void FullyMaskedRows_GiveZeros_NotNaN()
    {
        DriverCase c = DriverCase.Dense(11, batch: 1, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 4, dimHead: 8, valueDimHead: 8);
        // Row 0: boolean all false. Row 1: normal. Row 2: only key 3, which valid lengths then remove.
        bool[] allowed = [false, false, false, false, true, true, false, true, false, false, false, true];
        c = c with { BooleanMask = allowed, MaskStrides = new Strides(0, 0, 4), MaskLength = 4, ValidLengths = [3], WantProbabilities = true, WantScores = true, ScoresMode = QkMatMulOutputMode.AfterSoftmax };
        DriverResult result = c.Run();
        AssertMatchesReference(c);
        for (int h = 0; h < 2; h++)
        {
            Assert.All(result.Output.AsSpan(h * 24, 8).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(result.Output.AsSpan(h * 24 + 16, 8).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(result.Probabilities!.AsSpan(h * 12, 4).ToArray(), v => Assert.Equal(0f, v));
        }

        Assert.DoesNotContain(result.Output, float.IsNaN);
    }

    [Fact]
    public void AdditiveNegativeInfinityEverywhere_GivesZeros()
    {
        DriverCase c = DriverCase.Dense(12, batch: 1, heads: 1, kvHeads: 1, queryLength: 2, keyLength: 3, dimHead: 4, valueDimHead: 4);
        float[] mask = [float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 0f, float.NegativeInfinity, 0f];
        c = c with { AdditiveMask = mask, MaskStrides = new Strides(0, 0, 3), MaskLength = 3, Softcap = 0.5f, WantProbabilities = true };
        DriverResult result = c.Run();
        Assert.All(result.Output.AsSpan(0, 4).ToArray(), v => Assert.Equal(0f, v));
        Assert.DoesNotContain(result.Output, float.IsNaN);
        AssertMatchesReference(c);
    }

    [Fact]
    public void NoKeys_GivesZeros()
    {
        DriverCase c = DriverCase.Dense(13, batch: 2, heads: 1, kvHeads: 1, queryLength: 2, keyLength: 0, dimHead: 4, valueDimHead: 4);
        DriverResult result = c.Run();
        Assert.All(result.Output, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(2f)]
    [InlineData(0.25f)]
    public void Softcap_MatchesReference(float softcap)
    {
        DriverCase c = DriverCase.Dense(14, batch: 2, heads: 2, kvHeads: 1, queryLength: 3, keyLength: 5, dimHead: 8, valueDimHead: 8);
        c = c with { Softcap = softcap, Causal = true, CausalOffset = 2, WantProbabilities = true };
        AssertMatchesReference(c);
    }

    [Theory]
    [InlineData(QkMatMulOutputMode.RawScores)]
    [InlineData(QkMatMulOutputMode.AfterSoftcap)]
    [InlineData(QkMatMulOutputMode.AfterMask)]
    [InlineData(QkMatMulOutputMode.AfterSoftmax)]
    public void ScoresOutput_EveryMode_MatchesReference(QkMatMulOutputMode mode)
    {
        DriverCase c = DriverCase.Dense(15, batch: 2, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 6, dimHead: 8, valueDimHead: 8);
        float[] mask = DriverCase.RandomArray(new Random(15), 3 * 5);
        mask[4] = float.NegativeInfinity;
        c = c with { Softcap = 1.5f, Causal = true, CausalOffset = 2, AdditiveMask = mask, MaskStrides = new Strides(0, 0, 5), MaskLength = 5, WantProbabilities = true, WantScores = true, ScoresMode = mode };
        AssertMatchesReference(c);
    }

    [Theory]
    [InlineData(KernelPath.Auto)]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void EveryPath_ReachesTheKernelsResolved(KernelPath path)
    {
        DriverCase c = DriverCase.Dense(16, batch: 1, heads: 2, kvHeads: 2, queryLength: 2, keyLength: 3, dimHead: 4, valueDimHead: 4);
        c = c with { Path = path };
        AssertMatchesReference(c);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void ThreadCounts_GiveBitIdenticalResults(int threads)
    {
        // Few (batch, head) pairs and many rows, so the parallel split also cuts query blocks.
        DriverCase c = DriverCase.Dense(17, batch: 1, heads: 2, kvHeads: 1, queryLength: 64, keyLength: 96, dimHead: 16, valueDimHead: 8);
        var mask = new bool[64 * 96];
        var random = new Random(17);
        for (int n = 0; n < mask.Length; n++)
        {
            mask[n] = random.Next(8) != 0;
        }

        c = c with { Causal = true, CausalOffset = 32, BooleanMask = mask, MaskStrides = new Strides(0, 0, 96), MaskLength = 96, Softcap = 3f, WantProbabilities = true, WantScores = true, ScoresMode = QkMatMulOutputMode.AfterMask };
        Assert.True(2L * 64 * 96 * 24 >= AttentionDriver.ParallelWorkThreshold, "the case must be big enough to run in parallel");

        DriverResult sequential = c.Run(1);
        DriverResult parallel = c.Run(threads);
        Assert.Equal(sequential.Output, parallel.Output);
        Assert.Equal(sequential.Probabilities, parallel.Probabilities);
        Assert.Equal(sequential.Scores, parallel.Scores);
        AssertMatchesReference(c, threads);
    }

    [Fact]
    public void Validation_QueryTooShort_NamesQueryAndSizes()
    {
        DriverCase c = DriverCase.Dense(18, batch: 2, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 4, dimHead: 8, valueDimHead: 8);
        c = c with { Query = new float[2 * 2 * 3 * 8 - 1] };
        ArgumentException e = AssertThrowsBeforeWriting(c);
        Assert.Equal("Query", e.ParamName);
        Assert.Contains("96", e.Message, StringComparison.Ordinal);
        Assert.Contains("95", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_ValueTooShortForValueWidth_NamesValue()
    {
        DriverCase c = DriverCase.Dense(19, batch: 1, heads: 1, kvHeads: 1, queryLength: 2, keyLength: 4, dimHead: 8, valueDimHead: 8);
        c = c with { ValueDimHead = 9, ValueStrides = Strides.HeadMajor(c.KvHeads, c.KeyLength, 9), OutputStrides = Strides.HeadMajor(c.Heads, c.QueryLength, 9) };
        Assert.Equal("Value", AssertThrowsBeforeWriting(c).ParamName);
    }

    [Fact]
    public void Validation_KvHeadsMustDivideHeads()
    {
        DriverCase c = DriverCase.Dense(20, batch: 1, heads: 3, kvHeads: 2, queryLength: 2, keyLength: 4, dimHead: 4, valueDimHead: 4);
        Assert.Equal("KvHeads", AssertThrowsBeforeWriting(c).ParamName);
    }

    [Fact]
    public void Validation_MaskErrors_NameTheField()
    {
        DriverCase c = DriverCase.Dense(21, batch: 1, heads: 1, kvHeads: 1, queryLength: 2, keyLength: 4, dimHead: 4, valueDimHead: 4);
        Assert.Equal("BooleanMask", AssertThrowsBeforeWriting(c with { AdditiveMask = new float[8], BooleanMask = new bool[8], MaskStrides = new Strides(0, 0, 4), MaskLength = 4 }).ParamName);
        Assert.Equal("MaskLength", AssertThrowsBeforeWriting(c with { AdditiveMask = new float[10], MaskStrides = new Strides(0, 0, 5), MaskLength = 5 }).ParamName);
        Assert.Equal("MaskLength", AssertThrowsBeforeWriting(c with { AdditiveMask = new float[8], MaskStrides = new Strides(0, 0, 4), MaskLength = 0 }).ParamName);
        Assert.Equal("AdditiveMask", AssertThrowsBeforeWriting(c with { AdditiveMask = new float[7], MaskStrides = new Strides(0, 0, 4), MaskLength = 4 }).ParamName);
        Assert.Equal("KeyPaddingMask", AssertThrowsBeforeWriting(c with { KeyPadding = new bool[3] }).ParamName);
        Assert.Equal("KeyValidLengths", AssertThrowsBeforeWriting(c with { ValidLengths = [5] }).ParamName);
        Assert.Equal("CausalOffsets", AssertThrowsBeforeWriting(c with { Causal = true, CausalOffsets = [1, 2] }).ParamName);
    }

    [Fact]
    public void Validation_OptionalOutputs_MustMatchTheScoreShape()
    {
        DriverCase c = DriverCase.Dense(22, batch: 1, heads: 2, kvHeads: 2, queryLength: 2, keyLength: 4, dimHead: 4, valueDimHead: 4);
        var output = new float[16];
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() =>
        {
            ReferenceHeadKernels.Use(4, 4);
            AttentionProblem problem = c.Problem(output, new float[15], null, 1);
            AttentionDriver.Run<ReferenceHeadKernels>(in problem);
        });
        Assert.Equal("Probabilities", e.ParamName);
        Assert.Contains("16", e.Message, StringComparison.Ordinal);
        e = Assert.ThrowsAny<ArgumentException>(() =>
        {
            ReferenceHeadKernels.Use(4, 4);
            AttentionProblem problem = c.Problem(output, null, new float[17], 1);
            AttentionDriver.Run<ReferenceHeadKernels>(in problem);
        });
        Assert.Equal("Scores", e.ParamName);
    }

    [Fact]
    public void Validation_NegativeStride_IsRejected()
    {
        DriverCase c = DriverCase.Dense(23, batch: 1, heads: 1, kvHeads: 1, queryLength: 2, keyLength: 4, dimHead: 4, valueDimHead: 4);
        Assert.Equal("Key", AssertThrowsBeforeWriting(c with { KeyStrides = new Strides(0, 0, -4) }).ParamName);
    }

    /// <summary>Asserts the run throws, and that it did so before scoring a key or writing an output element.</summary>
    private static ArgumentException AssertThrowsBeforeWriting(DriverCase c)
    {
        var output = new float[c.OutputStrides.Extent(c.Batch, c.Heads, c.QueryLength, c.ValueDimHead)];
        Array.Fill(output, DriverCase.Untouched);
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() =>
        {
            ReferenceHeadKernels.Use(c.DimHead, c.ValueDimHead);
            AttentionProblem problem = c.Problem(output, null, null, 1);
            AttentionDriver.Run<ReferenceHeadKernels>(in problem);
        });
        Assert.Equal(0, ReferenceHeadKernels.ScoredKeys);
        Assert.All(output, v => Assert.Equal(DriverCase.Untouched, v));
        return e;
    }

    /// <summary>Runs <paramref name="c"/> and compares every output with the float64 reference.</summary>
    private static void AssertMatchesReference(DriverCase c, int threads = 1)
    {
        DriverResult actual = c.Run(threads);
        (double[] output, double[] probabilities, double[] scores) = c.Reference();
        AssertClose(output, actual.Output, "output");
        if (actual.Probabilities != null)
        {
            AssertClose(probabilities, actual.Probabilities, "probabilities");
        }

        if (actual.Scores != null)
        {
            AssertClose(scores, actual.Scores, "scores");
        }
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int n = 0; n < expected.Length; n++)
        {
            double e = expected[n];
            float a = actual[n];
            if (double.IsInfinity(e) || float.IsNaN(a) || float.IsInfinity(a))
            {
                Assert.True(e == a, $"{what}[{n}]: expected {e}, got {a}");
                continue;
            }

            Assert.True(Math.Abs(a - e) <= 1e-5 + 1e-4 * Math.Abs(e), $"{what}[{n}]: expected {e}, got {a}");
        }
    }
}
