using System;
using System.Linq;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// The int8 projection (<see cref="Int8Gemm"/> through <see cref="ProjectionDriver"/>) on every path: exactly the bits of a
/// plain reference that quantises the same way (weights to int8 per 64 inputs, each activation row to 16 bits) and sums
/// the products in integers, within the two roundings' bound of the float64 product, and degenerate rows.
/// </summary>
public sealed class Int8GemmTests
{
    /// <summary>Odd and even inputs, partial scale groups, columns past a panel or a 32-column tile, rows past a tile and a block.</summary>
    private static readonly (int Rows, int In, int Out)[] Shapes =
        [(1, 17, 45), (1, 384, 1536), (7, 45, 17), (13, 129, 80), (100, 1100, 50), (6, 3, 1), (53, 64, 48), (2, 1, 33)];

    public static TheoryData<KernelPath> Paths() => [.. KernelPaths.All.ToArray()];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_IsTheIntegerReference(KernelPath path) =>
        IntegerProjectionChecks.ForEachShape(path, WeightPrecision.Int8, Shapes, seedFactor: 7, Reference, HalfStep);

    [Theory]
    [MemberData(nameof(Paths))]
    public void DegenerateRows_GiveTheBiasOrNaN(KernelPath path)
    {
        var c = LinearCase.Create(seed: 9, rows: 4, inFeatures: 70, outFeatures: 20);
        c.Input.AsSpan(0, 70).Clear(); // row 0: zeros → the bias
        c.Input[70 + 5] = float.NaN; // row 1: a NaN → NaN
        c.Input[140 + 69] = float.PositiveInfinity; // row 2: an infinity → NaN
        for (int k = 0; k < 70; k++) c.Input[210 + k] = k % 3 == 0 ? 1e-41f : 0f; // row 3: subnormal → the bias (32767 / max overflows)
        var projection = new PackedProjection(70, 20);
        projection.Pack(c.Weight, WeightPrecision.Int8);
        float[] output = new float[4 * 20];
        ProjectionDriver.Forward(path, c.Input, 4, 70, projection, c.Bias, 70, 20, output, 20, 1);
        Assert.Equal(c.Bias, output.AsSpan(0, 20).ToArray());
        Assert.All(output.AsSpan(20, 40).ToArray(), value => Assert.True(float.IsNaN(value)));
        Assert.Equal(c.Bias, output.AsSpan(60, 20).ToArray());
    }

    [Fact]
    public void PairPanels_HoldEachColumnsTwoInputsSideBySide()
    {
        // 3 inputs → 2 pairs (the last padded with zero), 17 outputs → 2 panels; weight (n, k) = n + 1 for k = 0,
        // −(n + 1) for k = 1, 127 for k = 2, so with one group per row q = round(w / (max |w| / 127)).
        var weight = new float[17 * 3];
        for (int n = 0; n < 17; n++)
        {
            weight[n * 3] = n + 1;
            weight[n * 3 + 1] = -(n + 1);
            weight[n * 3 + 2] = 127;
        }

        var projection = new PackedProjection(3, 17);
        projection.Pack(weight, WeightPrecision.Int8);
        ReadOnlySpan<sbyte> bytes = projection.Int8Panels!.Span;
        Assert.Equal(2 * 2 * 32, bytes.Length);
        for (int n = 0; n < 17; n++)
        {
            int panel = n / 16 * 64, column = n % 16 * 2;
            Assert.Equal(n + 1, bytes[panel + column]); // pair 0, input 0
            Assert.Equal(-bytes[panel + column], bytes[panel + column + 1]); // pair 0, input 1
            Assert.Equal(127, bytes[panel + 32 + column]); // pair 1, input 2
            Assert.Equal(0, bytes[panel + 32 + column + 1]); // pair 1: the padding input
        }

        Assert.All(bytes.Slice(64 + 2).ToArray(), b => Assert.True(b == 0 || b == 127)); // columns 17–31 are zero
    }

    /// <summary>
    /// The int8 projection written plainly: weights <c>q = round(w / (max |w| / 127))</c> per output and 64 inputs,
    /// activations <c>round(x · (32767 / max |x|))</c> per row, integer sums per group, each converted and added times the
    /// group's scale (multiply-add), then times the row's scale plus the bias (multiply-add).
    /// </summary>
    private static float[] Reference(LinearCase c)
    {
        const int Group = 64;
        float[] output = new float[(c.Rows - 1) * c.OutputStride + c.OutFeatures + 1];
        Array.Fill(output, -12345.5f);
        var weights = new int[c.Weight.Length];
        var weightScales = new float[c.OutFeatures, (c.InFeatures + Group - 1) / Group];
        for (int n = 0; n < c.OutFeatures; n++)
        {
            for (int g = 0; g * Group < c.InFeatures; g++)
            {
                float largest = 0f;
                for (int k = g * Group; k < Math.Min(c.InFeatures, (g + 1) * Group); k++) largest = MathF.Max(largest, MathF.Abs(c.Weight[n * c.InFeatures + k]));
                float scale = weightScales[n, g] = largest / 127;
                for (int k = g * Group; k < Math.Min(c.InFeatures, (g + 1) * Group) && scale != 0; k++)
                {
                    weights[n * c.InFeatures + k] = (int)MathF.Round(c.Weight[n * c.InFeatures + k] / scale);
                }
            }
        }

        var activations = new int[c.InFeatures];
        for (int r = 0; r < c.Rows; r++)
        {
            ReadOnlySpan<float> row = c.Input.AsSpan(r * c.InputStride, c.InFeatures);
            float largest = 0f;
            foreach (float x in row) largest = MathF.Max(largest, MathF.Abs(x));
            for (int k = 0; k < c.InFeatures; k++) activations[k] = (int)MathF.Round(row[k] * (32767f / largest));
            float rowScale = largest / 32767;
            for (int n = 0; n < c.OutFeatures; n++)
            {
                float sum = 0f;
                for (int g = 0; g * Group < c.InFeatures; g++)
                {
                    int integers = 0;
                    for (int k = g * Group; k < Math.Min(c.InFeatures, (g + 1) * Group); k++) integers += activations[k] * weights[n * c.InFeatures + k];
                    sum = float.MultiplyAddEstimate(integers, weightScales[n, g], sum);
                }

                output[r * c.OutputStride + n] = float.MultiplyAddEstimate(sum, rowScale, c.Bias.Length == 0 ? 0f : c.Bias[n]);
            }
        }

        return output;
    }

    /// <summary>Half a 16-bit step of the row, for every input: <c>max |x| / 65534</c>.</summary>
    private static double[] HalfStep(LinearCase c, int row)
    {
        double largest = 0;
        for (int k = 0; k < c.InFeatures; k++) largest = Math.Max(largest, Math.Abs(c.Input[row * c.InputStride + k]));
        return Enumerable.Repeat(largest / 65534, c.InFeatures).ToArray();
    }
}
