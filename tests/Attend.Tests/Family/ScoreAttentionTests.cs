using System;
using System.Linq;
using Attend;
using Attend.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>
/// Score functions, hard and top-k selection, local-m and local-p attention, and masks, against the float64
/// reference (no PyTorch fixture exists for these), on every path; plus ties, empty rows, threads and argument errors.
/// </summary>
public sealed class ScoreAttentionTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    public enum Mask { None, ValidLengths, ValidLengthsPerQuery, KeyPadding }

    private static readonly string[] s_layers =
    {
        nameof(ScaledDotSoft), nameof(MlpSoft), nameof(DotHard), nameof(AdditiveHard), nameof(GeneralTopK), nameof(DotTopK),
        nameof(DotLocalMonotonic), nameof(AdditiveLocalPredictive), nameof(MlpTopKLocalPredictive), nameof(ScaledDotHardLocalMonotonic),
        nameof(AdditiveSmall), nameof(GeneralSmall), nameof(CosineSmall),
    };

    public static TheoryData<string, Mask, KernelPath> ReferenceCases()
    {
        var data = new TheoryData<string, Mask, KernelPath>();
        foreach (string layer in s_layers)
        {
            foreach (Mask mask in Enum.GetValues<Mask>())
            {
                foreach (KernelPath path in KernelPaths.All) data.Add(layer, mask, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Matches_float64_reference(string layer, Mask mask, KernelPath path)
    {
        const int batch = 3, queryLength = 5, keyLength = 11;
        var random = new Random(HashCode.Combine(layer.Length, (int)mask));
        ScoreSetup setup = ScoreLayers.Setup(layer);
        WeightDictionary weights = setup.RandomWeights(random);
        float[] queries = FamilyTestData.Random(random, batch * queryLength * setup.QuerySize, 1.5);
        float[] keys = FamilyTestData.Random(random, batch * keyLength * setup.KeySize, 1.5);
        float[] values = FamilyTestData.Random(random, batch * keyLength * setup.ValueSize);
        int[]? validLengths = mask switch
        {
            // Batch 1 has no valid key at all: its rows must come out as zeros.
            Mask.ValidLengths => new[] { 11, 0, 6 },
            Mask.ValidLengthsPerQuery => Range(batch * queryLength).Select(r => (r * 7 + 3) % (keyLength + 1)).ToArray(),
            _ => null,
        };
        bool[]? padding = mask == Mask.KeyPadding ? Range(batch * keyLength).Select(j => (j * 5 + 1) % 4 == 0).ToArray() : null;
        int[]? positions = layer == nameof(DotLocalMonotonic) ? Range(batch * queryLength).Select(r => (r * 5) % (keyLength + 6) - 3).ToArray() : null;

        (double[] expectedY, double[] expectedWeights, double[] expectedScores) =
            ScoreAttentionReference.Run(setup, queries, keys, values, batch, queryLength, keyLength, validLengths, padding, positions);

        var y = new float[expectedY.Length];
        var attention = new float[expectedWeights.Length];
        var scores = new float[expectedScores.Length];
        ScoreLayers.Create(layer, weights, path)(queries, keys, values, y, batch, queryLength, keyLength, validLengths, padding, positions, attention, scores);

        AssertClose(expectedScores, scores, Atol, Rtol, $"{layer} {mask} {path} scores");
        AssertClose(expectedWeights, attention, Atol, Rtol, $"{layer} {mask} {path} weights");
        AssertClose(expectedY, y, Atol, Rtol, $"{layer} {mask} {path} y");
        Assert.DoesNotContain(y, float.IsNaN);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Hard_selection_breaks_ties_toward_the_lowest_key_index(KernelPath path)
    {
        // Keys 2 and 5 are the same row, aligned with the query: an exact tie for the highest score.
        const int keyLength = 7, size = 12;
        var random = new Random(5);
        float[] query = FamilyTestData.Random(random, size);
        float[] keys = FamilyTestData.Random(random, keyLength * size, 0.1);
        query.CopyTo(keys, 2 * size);
        query.CopyTo(keys, 5 * size);
        float[] values = FamilyTestData.Random(random, keyLength * 10);
        var y = new float[10];
        var weights = new float[keyLength];

        ScoreLayers.Create(nameof(DotHard), null, path)(query, keys, values, y, 1, 1, keyLength, default, default, default, weights, default);

        Assert.Equal(new float[] { 0, 0, 1, 0, 0, 0, 0 }, weights);
        Assert.Equal(values.AsSpan(2 * 10, 10).ToArray(), y);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Top_k_keeps_the_lowest_indices_among_tied_scores(KernelPath path)
    {
        // Three equal best keys (1, 4, 6) and k = 2: keys 1 and 4 share the weight.
        const int keyLength = 8, size = 8;
        var random = new Random(9);
        float[] query = FamilyTestData.Random(random, size);
        float[] keys = FamilyTestData.Random(random, keyLength * size, 0.1);
        foreach (int j in new[] { 1, 4, 6 }) query.CopyTo(keys, j * size);
        float[] values = FamilyTestData.Random(random, keyLength * 6);
        var y = new float[6];
        var weights = new float[keyLength];

        ScoreLayers.Create(nameof(DotTopK), null, path)(query, keys, values, y, 1, 1, keyLength, default, default, default, weights, default);

        Assert.Equal(new float[] { 0, 0.5f, 0, 0, 0.5f, 0, 0, 0 }, weights);
        for (int d = 0; d < 6; d++) Assert.Equal(0.5 * (values[6 + d] + values[4 * 6 + d]), y[d], 6);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Local_m_without_positions_centres_row_i_on_key_i(KernelPath path)
    {
        const int batch = 2, length = 9;
        var random = new Random(13);
        float[] queries = FamilyTestData.Random(random, batch * length * 8), keys = FamilyTestData.Random(random, batch * length * 8), values = FamilyTestData.Random(random, batch * length * 6);
        ScoreForward forward = ScoreLayers.Create(nameof(DotLocalMonotonic), null, path);
        var implicitWeights = new float[batch * length * length];
        var explicitWeights = new float[implicitWeights.Length];
        var implicitY = new float[batch * length * 6];
        var explicitY = new float[implicitY.Length];

        forward(queries, keys, values, implicitY, batch, length, length, default, default, default, implicitWeights, default);
        int[] diagonal = Range(batch * length).Select(r => r % length).ToArray();
        forward(queries, keys, values, explicitY, batch, length, length, default, default, diagonal, explicitWeights, default);

        Assert.Equal(explicitY, implicitY);
        Assert.Equal(explicitWeights, implicitWeights);
        for (int r = 0; r < batch * length; r++)
        {
            int i = r % length;
            for (int j = 0; j < length; j++)
            {
                // Window = 2: only |j - i| ≤ 2 can carry weight.
                if (Math.Abs(j - i) > 2) Assert.Equal(0f, implicitWeights[r * length + j]);
            }
        }
    }

    [Fact]
    public void Local_p_weights_are_gaussian_damped_and_not_renormalized()
    {
        const int batch = 2, queryLength = 4, keyLength = 13;
        var random = new Random(17);
        ScoreSetup setup = ScoreLayers.Setup(nameof(AdditiveLocalPredictive));
        WeightDictionary weights = setup.RandomWeights(random);
        float[] queries = FamilyTestData.Random(random, batch * queryLength * 5), keys = FamilyTestData.Random(random, batch * keyLength * 7), values = FamilyTestData.Random(random, batch * keyLength * 3);
        var attention = new float[batch * queryLength * keyLength];
        ScoreLayers.Create(nameof(AdditiveLocalPredictive), weights, KernelPath.Auto)(queries, keys, values, new float[batch * queryLength * 3], batch, queryLength, keyLength, default, default, default, attention, default);

        for (int r = 0; r < batch * queryLength; r++)
        {
            float[] row = attention.AsSpan(r * keyLength, keyLength).ToArray();
            Assert.InRange(row.Sum(), 0.05f, 0.9999f);
            Assert.True(row.Count(w => w > 0) <= 2 * 3 + 1, "at most 2D + 1 keys in the window");
        }
    }

    [Fact]
    public void Threads_do_not_change_a_single_bit()
    {
        using SafeTensorsFile file = OpenFixture("attn_additive_medium");
        float[] queries = file.ReadFloat32("input.queries"), keys = file.ReadFloat32("input.keys"), values = file.ReadFloat32("input.values");
        var serial = new float[2 * 33 * 64];
        var parallel = new float[serial.Length];
        var serialWeights = new float[2 * 33 * 129];
        var parallelWeights = new float[serialWeights.Length];
        Assert.True(2L * 33 * 129 * (32 + 64) >= ScoreAttention.ParallelWorkThreshold, "the case must be large enough to be split");

        ScoreLayers.Create(nameof(AdditiveMedium), file, KernelPath.Auto, threads: 1)(queries, keys, values, serial, 2, 33, 129, default, default, default, serialWeights, default);
        ScoreLayers.Create(nameof(AdditiveMedium), file, KernelPath.Auto, threads: 4)(queries, keys, values, parallel, 2, 33, 129, default, default, default, parallelWeights, default);

        Assert.Equal(serial, parallel);
        Assert.Equal(serialWeights, parallelWeights);
    }

    [Fact]
    public void Bad_arguments_throw_before_writing_and_name_the_argument()
    {
        var layer = new DotLocalMonotonic();
        var q = new float[2 * 3 * 8];
        var k = new float[2 * 4 * 8];
        var v = new float[2 * 4 * 6];
        var y = new float[2 * 3 * 6];
        y.AsSpan().Fill(42f);

        ArgumentException queries = Assert.Throws<ArgumentException>(() => layer.Forward(q.AsSpan(1), k, v, y, 2, 3, 4));
        Assert.Equal("queries", queries.ParamName);
        Assert.Contains("batch × queryLength × QuerySize = 2 × 3 × 8", queries.Message);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v.AsSpan(6), y, 2, 3, 4)).ParamName);
        Assert.Equal("validLengths", Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v, y, 2, 3, 4, validLengths: new int[5])).ParamName);
        ArgumentException tooLong = Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v, y, 2, 3, 4, validLengths: new[] { 4, 5 }));
        Assert.Equal("validLengths", tooLong.ParamName);
        Assert.Contains("[0, keyLength = 4]", tooLong.Message);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v, y, 2, 3, 4, positions: new int[5])).ParamName);
        Assert.Equal("keyPaddingMask", Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v, y, 2, 3, 4, keyPaddingMask: new bool[7])).ParamName);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => layer.Forward(q, k, v, y, 2, 3, 4, scores: new float[23])).ParamName);
        Assert.Equal("keyLength", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(q, k, v, y, 2, 3, 0)).ParamName);
        Assert.All(y, value => Assert.Equal(42f, value));
    }

    [Fact]
    public void Mlp_loads_the_concatenated_first_layer_split_by_columns()
    {
        // A wrong split (query and key columns swapped or interleaved) would still run; only the values catch it.
        var random = new Random(21);
        ScoreSetup setup = ScoreLayers.Setup(nameof(MlpSoft));
        WeightDictionary weights = setup.RandomWeights(random);
        float[] q = FamilyTestData.Random(random, 6), k = FamilyTestData.Random(random, 3 * 5), v = FamilyTestData.Random(random, 3 * 3);
        var scores = new float[3];
        ScoreLayers.Create(nameof(MlpSoft), weights, KernelPath.Scalar)(q, k, v, new float[3], 1, 1, 3, default, default, default, default, scores);
        for (int j = 0; j < 3; j++) Assert.Equal(ScoreAttentionReference.Score(setup, q, k.AsSpan(j * 5, 5)), scores[j], 5);
    }

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All) data.Add(path);
        return data;
    }
}
