using System;
using System.Collections.Generic;
using Attend;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Robustness;

/// <summary>
/// NaN and infinity in inputs and masks: no exception, no hang, and the damage stays where the mathematics puts it.
/// A non-finite value reaches exactly the output rows that attend to it (those rows become non-finite, never
/// plausible-looking numbers); every other row is bit-identical to the clean run. Keys a mask hides are never read,
/// so a NaN there reaches nothing. A mask row of −∞ gives zeros; +∞ or NaN in a mask makes that row NaN (as PyTorch).
/// Non-finite Scale or Softcap arguments are refused before anything is written. Every kernel path.
/// </summary>
public sealed class NonFiniteInputTests
{
    private const int Batch = 2;
    private const int Length = 6;

    public static TheoryData<KernelPath, float> PathsAndValues()
    {
        var data = new TheoryData<KernelPath, float>();
        foreach (KernelPath path in KernelPaths.All)
        {
            foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity }) data.Add(path, value);
        }

        return data;
    }

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All) data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndValues))]
    public void Causal_self_attention_confines_a_bad_token_to_the_rows_after_it(KernelPath path, float bad)
    {
        const int E = CausalAttention.ModelDim, token = 2;
        var layer = new CausalAttention { Path = path };
        layer.LoadWeights(RobustnessData.MultiHeadWeights(E, seed: 11));
        float[] input = RobustnessData.Random(Batch * Length * E, seed: 12);
        float[] clean = new float[input.Length];
        layer.Forward(input, clean, Batch, Length);

        float[] poisoned = (float[])input.Clone();
        poisoned[(1 * Length + token) * E + 5] = bad; // batch 1, token 2, one feature
        float[] output = new float[input.Length];
        layer.Forward(poisoned, output, Batch, Length);

        AssertRows(clean, output, E, row =>
        {
            int b = row / Length, i = row % Length;
            return b == 1 && i >= token; // causal: rows from the token on see its key and value
        });
    }

    [Theory]
    [MemberData(nameof(PathsAndValues))]
    public void Cross_attention_bad_value_row_reaches_its_sequence_only(KernelPath path, float bad)
    {
        const int E = PlainAttention.ModelDim, keys = 5;
        var layer = new PlainAttention { Path = path };
        layer.LoadWeights(RobustnessData.MultiHeadWeights(E, seed: 21));
        float[] query = RobustnessData.Random(Batch * Length * E, seed: 22);
        float[] key = RobustnessData.Random(Batch * keys * E, seed: 23);
        float[] value = RobustnessData.Random(Batch * keys * E, seed: 24);
        float[] clean = new float[query.Length];
        layer.Forward(query, clean, Batch, Length, key, value, keys);

        value[(0 * keys + 3) * E] = bad; // batch 0, key 3
        float[] output = new float[query.Length];
        layer.Forward(query, output, Batch, Length, key, value, keys);

        AssertRows(clean, output, E, row => row / Length == 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_nan_query_row_damages_that_row_only(KernelPath path)
    {
        var problem = new SdpaProblem(path);
        float[] clean = problem.Clean();
        problem.Query[problem.QueryRow(b: 1, h: 3, i: 2)] = float.NaN;
        AssertRows(clean, problem.Run(), GroupedAttention.ValueDimHead, row => row == problem.OutputRow(1, 3, 2));
    }

    [Theory]
    [MemberData(nameof(PathsAndValues))]
    public void Sdpa_bad_key_reaches_the_heads_sharing_it(KernelPath path, float bad)
    {
        var problem = new SdpaProblem(path);
        float[] clean = problem.Clean();
        problem.Key[problem.KeyRow(b: 0, kvHead: 1, j: 4) + 1] = bad; // serves query heads 2 and 3
        // A NaN key poisons every score it enters; an infinite one gives +∞ (NaN row) or −∞ (key ignored) per query.
        AssertRows(clean, problem.Run(), GroupedAttention.ValueDimHead, row => problem.BatchOf(row) == 0 && problem.HeadOf(row) >= 2,
            requireNonFinite: float.IsNaN(bad));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_causal_never_reads_a_future_nan_key_or_value(KernelPath path)
    {
        var problem = new SdpaProblem(path) { IsCausal = true };
        float[] clean = problem.Clean();
        problem.Key[problem.KeyRow(b: 0, kvHead: 1, j: 4)] = float.NaN;
        problem.Value[problem.ValueRow(b: 0, kvHead: 1, j: 4)] = float.NaN;
        AssertRows(clean, problem.Run(), GroupedAttention.ValueDimHead,
            row => problem.BatchOf(row) == 0 && problem.HeadOf(row) >= 2 && problem.QueryIndex(row) >= 4);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_nan_or_positive_infinity_in_a_mask_makes_that_row_nan(KernelPath path)
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            var problem = new SdpaProblem(path) { Mask = new float[SdpaProblem.QueryLength * SdpaProblem.KeyLength] };
            float[] clean = problem.Clean();
            problem.Mask[1 * SdpaProblem.KeyLength + 0] = bad; // query row 1, key 0, broadcast over batch and heads
            float[] output = problem.Run();
            AssertRows(clean, output, GroupedAttention.ValueDimHead, row => problem.QueryIndex(row) == 1);
            for (int row = 0; row < output.Length / GroupedAttention.ValueDimHead; row++)
            {
                if (problem.QueryIndex(row) == 1) Assert.All(output.AsSpan(row * GroupedAttention.ValueDimHead, GroupedAttention.ValueDimHead).ToArray(), v => Assert.True(float.IsNaN(v)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_mask_row_of_negative_infinity_gives_zeros_not_nan(KernelPath path)
    {
        var problem = new SdpaProblem(path) { Mask = new float[SdpaProblem.QueryLength * SdpaProblem.KeyLength] };
        float[] clean = problem.Clean();
        problem.Mask.AsSpan(3 * SdpaProblem.KeyLength, SdpaProblem.KeyLength).Fill(float.NegativeInfinity);
        float[] output = problem.Run();
        for (int row = 0; row < output.Length / GroupedAttention.ValueDimHead; row++)
        {
            ReadOnlySpan<float> got = output.AsSpan(row * GroupedAttention.ValueDimHead, GroupedAttention.ValueDimHead);
            if (problem.QueryIndex(row) == 3) Assert.All(got.ToArray(), v => Assert.Equal(0f, v));
            else Assert.True(RobustnessData.BitIdentical(clean.AsSpan(row * GroupedAttention.ValueDimHead, GroupedAttention.ValueDimHead), got), $"row {row} changed");
        }
    }

    [Theory]
    [InlineData(float.NaN, 0f, "Scale")]
    [InlineData(float.PositiveInfinity, 0f, "Scale")]
    [InlineData(float.NegativeInfinity, 0f, "Scale")]
    [InlineData(0f, float.NaN, "Softcap")]
    [InlineData(0f, float.PositiveInfinity, "Softcap")]
    [InlineData(0f, -1f, "Softcap")]
    public void Sdpa_non_finite_scale_or_softcap_is_refused_before_writing(float scale, float softcap, string argument)
    {
        var problem = new SdpaProblem(KernelPath.Auto) { Scale = scale, Softcap = softcap };
        float[] output = new float[problem.OutputLength];
        output.AsSpan().Fill(-7f);
        var exception = Assert.ThrowsAny<ArgumentException>(() => problem.RunInto(output));
        Assert.Equal(argument, exception.ParamName);
        Assert.All(output, v => Assert.Equal(-7f, v));
    }

    /// <summary>Rows <paramref name="damaged"/> says are reached must be entirely non-finite (when required); every other row bit-identical to the clean run.</summary>
    private static void AssertRows(float[] clean, float[] output, int width, Func<int, bool> damaged, bool requireNonFinite = true)
    {
        var problems = new List<string>();
        int reached = 0;
        for (int row = 0; row < clean.Length / width; row++)
        {
            ReadOnlySpan<float> expected = clean.AsSpan(row * width, width);
            ReadOnlySpan<float> got = output.AsSpan(row * width, width);
            if (damaged(row))
            {
                reached++;
                for (int f = 0; f < width && requireNonFinite; f++)
                {
                    if (float.IsFinite(got[f])) problems.Add($"row {row} feature {f} is finite ({got[f]}) though it attends to the bad value");
                }
            }
            else if (!RobustnessData.BitIdentical(expected, got))
            {
                problems.Add($"row {row} changed although it cannot see the bad value");
            }
        }

        Assert.True(reached > 0, "the test marks no row as reached");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>A grouped-query problem in the [B, H, S, D] layout with its index arithmetic.</summary>
    private sealed class SdpaProblem(KernelPath path)
    {
        public const int QueryLength = 5;
        public const int KeyLength = 7;
        private const int H = GroupedAttention.Heads, Hkv = GroupedAttention.KvHeads, D = GroupedAttention.DimHead, Dv = GroupedAttention.ValueDimHead;

        public float[] Query { get; } = RobustnessData.Random(Batch * H * QueryLength * D, 31);
        public float[] Key { get; } = RobustnessData.Random(Batch * Hkv * KeyLength * D, 32);
        public float[] Value { get; } = RobustnessData.Random(Batch * Hkv * KeyLength * Dv, 33);
        public float[]? Mask { get; init; }
        public bool IsCausal { get; init; }
        public float Scale { get; init; }
        public float Softcap { get; init; }

        public int OutputLength => Batch * H * QueryLength * Dv;

        private float[]? _clean;

        public int QueryRow(int b, int h, int i) => ((b * H + h) * QueryLength + i) * D;
        public int KeyRow(int b, int kvHead, int j) => ((b * Hkv + kvHead) * KeyLength + j) * D;
        public int ValueRow(int b, int kvHead, int j) => ((b * Hkv + kvHead) * KeyLength + j) * Dv;
        public int OutputRow(int b, int h, int i) => (b * H + h) * QueryLength + i;
        public int BatchOf(int row) => row / (H * QueryLength);
        public int HeadOf(int row) => row / QueryLength % H;
        public int QueryIndex(int row) => row % QueryLength;

        /// <summary>The output of the inputs as they are now; call it before poisoning them.</summary>
        public float[] Clean() => _clean ??= Run();

        public float[] Run()
        {
            float[] output = new float[OutputLength];
            RunInto(output);
            return output;
        }

        public void RunInto(float[] output)
        {
            var layer = new GroupedAttention { Path = path };
            layer.Forward(new ScaledDotProductAttentionArguments
            {
                Batch = NonFiniteInputTests.Batch, QueryLength = QueryLength, KeyLength = KeyLength,
                Query = Query, Key = Key, Value = Value, Output = output,
                IsCausal = IsCausal, Scale = Scale, Softcap = Softcap,
                AttentionMask = Mask, MaskShape = Mask is null ? default : new[] { QueryLength, KeyLength },
            });
        }
    }
}
