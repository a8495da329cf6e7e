using System;
using System.Collections.Generic;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary>
/// <c>[MemoryHeads]</c>: content addressing, read and write against the shared <c>ntm_*</c> PyTorch fixtures, and the
/// rest of NTM addressing (interpolation, circular shift, sharpening) and multi-head reads and writes against a
/// float64 restatement of Graves et al. (2014) §3, on every kernel path.
/// </summary>
public sealed class MemoryHeadsTests
{
    public static IEnumerable<object[]> FixtureCases()
    {
        foreach (string name in new[] { "ntm_content_rw_small", "ntm_content_rw_medium" })
        {
            foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { name, path };
        }
    }

    public static IEnumerable<object[]> Paths()
    {
        foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { path };
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Content_addressing_read_and_write_match_pytorch(string name, KernelPath path)
    {
        using FamilyFixture fixture = FamilyFixture.Shared(name);
        int batch = fixture.Dim("input.memory", 0);
        int rows = fixture.Dim("input.memory", 1);
        float[] memory = fixture.Floats("input.memory");
        var weights = new float[batch * rows];
        var similarity = new float[batch * rows];
        var reads = new float[batch * fixture.Dim("input.memory", 2)];
        float[] written = (float[])memory.Clone();

        if (rows == NtmSmall.MemoryRows)
        {
            var heads = new NtmSmall { Path = path };
            heads.ContentWeights(memory, fixture.Floats("input.key"), fixture.Floats("input.beta"), weights, batch, similarity: similarity);
            heads.Read(memory, weights, reads, batch);
            heads.Write(written, weights, fixture.Floats("input.erase"), fixture.Floats("input.add"), batch);
        }
        else
        {
            var heads = new NtmMedium { Path = path };
            heads.ContentWeights(memory, fixture.Floats("input.key"), fixture.Floats("input.beta"), weights, batch, similarity: similarity);
            heads.Read(memory, weights, reads, batch);
            heads.Write(written, weights, fixture.Floats("input.erase"), fixture.Floats("input.add"), batch);
        }

        fixture.AssertClose("similarity", fixture.Floats("output.similarity"), similarity);
        fixture.AssertClose("w", fixture.Floats("output.w"), weights);
        fixture.AssertClose("read", fixture.Floats("output.read"), reads);
        fixture.AssertClose("memory_new", fixture.Floats("output.memory_new"), written);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Full_addressing_matches_the_float64_formulas(KernelPath path)
    {
        const int Batch = 3, Heads = 2, N = NtmOddShape.MemoryRows, W = NtmOddShape.MemoryWidth, S = NtmOddShape.Shifts;
        var random = new Random(11);
        float[] memory = Uniform(random, Batch * N * W, -1, 1);
        float[] key = Uniform(random, Batch * Heads * W, -1, 1);
        float[] strength = Uniform(random, Batch * Heads, 0.5, 8);
        float[] gate = Uniform(random, Batch * Heads, 0, 1);
        float[] shift = Softmax(Uniform(random, Batch * Heads * S, -2, 2), S);
        float[] sharpening = Uniform(random, Batch * Heads, 1, 4);
        float[] previous = Softmax(Uniform(random, Batch * Heads * N, -3, 3), N);
        gate[1] = 0f; // one head keeps only its previous focus
        gate[2] = 1f; // one head keeps only its content focus

        var weights = new float[Batch * Heads * N];
        new NtmOddShape { Path = path }.Address(memory, key, strength, gate, shift, sharpening, previous, weights, Batch, Heads);

        for (int head = 0; head < Batch * Heads; head++)
        {
            double[] expected = ReferenceAddress(memory.AsSpan(head / Heads * N * W, N * W), key.AsSpan(head * W, W), strength[head], gate[head],
                shift.AsSpan(head * S, S), sharpening[head], previous.AsSpan(head * N, N), N, W, NtmOddShape.ShiftRadius);
            FamilyAssert.Close($"head {head}", expected, weights.AsSpan(head * N, N), 1e-6, 1e-4);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Multi_head_read_and_write_match_the_float64_formulas(KernelPath path)
    {
        const int Batch = 2, Heads = 3, N = NtmOddShape.MemoryRows, W = NtmOddShape.MemoryWidth;
        var random = new Random(12);
        float[] memory = Uniform(random, Batch * N * W, -1, 1);
        float[] weights = Softmax(Uniform(random, Batch * Heads * N, -2, 2), N);
        float[] erase = Uniform(random, Batch * Heads * W, 0, 1);
        float[] add = Uniform(random, Batch * Heads * W, -1, 1);
        var layer = new NtmOddShape { Path = path };

        var reads = new float[Batch * Heads * W];
        layer.Read(memory, weights, reads, Batch, Heads);
        float[] written = (float[])memory.Clone();
        layer.Write(written, weights, erase, add, Batch, Heads);

        var expectedReads = new double[reads.Length];
        var expectedMemory = new double[memory.Length];
        for (int b = 0; b < Batch; b++)
        {
            for (int i = 0; i < N; i++)
            {
                for (int c = 0; c < W; c++)
                {
                    double value = memory[(b * N + i) * W + c];
                    double kept = value;
                    double added = 0;
                    for (int h = 0; h < Heads; h++)
                    {
                        double w = weights[(b * Heads + h) * N + i];
                        expectedReads[(b * Heads + h) * W + c] += w * value;
                        kept *= 1 - w * erase[(b * Heads + h) * W + c];
                        added += w * add[(b * Heads + h) * W + c];
                    }

                    expectedMemory[(b * N + i) * W + c] = kept + added;
                }
            }
        }

        FamilyAssert.Close("reads", expectedReads, reads, 1e-6, 1e-5);
        FamilyAssert.Close("memory", expectedMemory, written, 1e-6, 1e-5);
    }

    [Fact]
    public void A_shift_of_plus_one_moves_focus_forward_and_wraps_around()
    {
        const int N = NtmOddShape.MemoryRows, W = NtmOddShape.MemoryWidth, R = NtmOddShape.ShiftRadius;
        var previous = new float[N];
        previous[N - 1] = 1f;                  // focus on the last location
        var shift = new float[NtmOddShape.Shifts];
        shift[R + 1] = 1f;                     // offset +1
        var weights = new float[N];
        new NtmOddShape().Address(new float[N * W], new float[W], new[] { 1f }, new[] { 0f }, shift, new[] { 1f }, previous, weights, 1);

        var expected = new float[N];
        expected[0] = 1f;                      // N − 1 + 1 wraps to 0
        Assert.Equal(expected, weights);
    }

    [Fact]
    public void Sharpening_with_a_large_gamma_stays_finite()
    {
        const int N = NtmOddShape.MemoryRows, W = NtmOddShape.MemoryWidth;
        var previous = new float[N];
        for (int i = 0; i < N; i++) previous[i] = 0.01f * (i + 1); // the largest, at N − 1, beats the next by 11/10: ^500 ≈ e^47
        var shift = new float[NtmOddShape.Shifts];
        shift[NtmOddShape.ShiftRadius] = 1f;
        var weights = new float[N];
        new NtmOddShape().Address(new float[N * W], new float[W], new[] { 1f }, new[] { 0f }, shift, new[] { 500f }, previous, weights, 1);

        int top = Array.IndexOf(previous, MaxOf(previous));
        Assert.Equal(1f, weights[top], 5);
        Assert.All(weights, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void A_zero_memory_row_and_a_zero_key_give_zero_similarity_not_nan()
    {
        var weights = new float[NtmSmall.MemoryRows];
        var similarity = new float[NtmSmall.MemoryRows];
        new NtmSmall().ContentWeights(new float[NtmSmall.MemoryRows * NtmSmall.MemoryWidth], new float[NtmSmall.MemoryWidth], new[] { 3f }, weights, 1, similarity: similarity);

        Assert.All(similarity, value => Assert.Equal(0f, value));
        Assert.All(weights, value => Assert.Equal(1f / NtmSmall.MemoryRows, value, 6));
    }

    [Fact]
    public void Bad_lengths_throw_before_writing_and_name_the_argument()
    {
        var layer = new NtmSmall();
        var memory = new float[2 * NtmSmall.MemoryRows * NtmSmall.MemoryWidth];
        var weights = new float[2 * NtmSmall.MemoryRows];
        weights.AsSpan().Fill(7f);

        ArgumentException keyError = Assert.Throws<ArgumentException>(() => layer.ContentWeights(memory, new float[5], new float[2], weights, 2));
        Assert.Equal("key", keyError.ParamName);
        Assert.Contains("batch × heads × MemoryWidth = 2 × 1 × 5", keyError.Message);
        ArgumentException shiftError = Assert.Throws<ArgumentException>(() =>
            layer.Address(memory, new float[10], new float[2], new float[2], new float[2], new float[2], new float[14], weights, 2));
        Assert.Equal("shift", shiftError.ParamName);
        Assert.All(weights, value => Assert.Equal(7f, value));
    }

    /// <summary>Graves et al. (2014) eqs. 5–9 in float64, written from the paper: w̃(i) = Σ_j w_g(j) s(i − j), offsets taken mod N.</summary>
    private static double[] ReferenceAddress(ReadOnlySpan<float> memory, ReadOnlySpan<float> key, double beta, double g,
        ReadOnlySpan<float> shift, double gamma, ReadOnlySpan<float> previous, int n, int width, int radius)
    {
        var content = new double[n];
        double keyNorm = 0;
        for (int c = 0; c < width; c++) keyNorm += (double)key[c] * key[c];
        keyNorm = Math.Sqrt(keyNorm);
        for (int i = 0; i < n; i++)
        {
            double dot = 0, norm = 0;
            for (int c = 0; c < width; c++)
            {
                dot += (double)key[c] * memory[i * width + c];
                norm += (double)memory[i * width + c] * memory[i * width + c];
            }

            content[i] = beta * dot / (Math.Sqrt(norm) * keyNorm + 1e-8);
        }

        double max = double.NegativeInfinity, sum = 0;
        foreach (double v in content) max = Math.Max(max, v);
        for (int i = 0; i < n; i++) sum += content[i] = Math.Exp(content[i] - max);
        var gated = new double[n];
        for (int i = 0; i < n; i++) gated[i] = g * content[i] / sum + (1 - g) * previous[i];

        var shifted = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // s(i − j): the weight of moving focus from j to i, defined for offsets −R..R modulo N.
                int offset = ((i - j) % n + n) % n;
                if (offset > n / 2) offset -= n;
                if (Math.Abs(offset) <= radius) shifted[i] += gated[j] * shift[offset + radius];
            }
        }

        double total = 0;
        var sharpened = new double[n];
        for (int i = 0; i < n; i++) total += sharpened[i] = Math.Pow(shifted[i], gamma);
        for (int i = 0; i < n; i++) sharpened[i] /= total;
        return sharpened;
    }

    private static float[] Uniform(Random random, int count, double low, double high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        return values;
    }

    private static float[] Softmax(float[] values, int row)
    {
        var result = new float[values.Length];
        for (int start = 0; start < values.Length; start += row)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int i = 0; i < row; i++) max = Math.Max(max, values[start + i]);
            for (int i = 0; i < row; i++) sum += Math.Exp(values[start + i] - max);
            for (int i = 0; i < row; i++) result[start + i] = (float)(Math.Exp(values[start + i] - max) / sum);
        }

        return result;
    }

    private static float MaxOf(float[] values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values) max = Math.Max(max, v);
        return max;
    }
}
