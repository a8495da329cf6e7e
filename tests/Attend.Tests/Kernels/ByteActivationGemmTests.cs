using System;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// The int8 projection with byte activations (<see cref="ByteActivationGemm"/> through <see cref="ProjectionDriver"/>) on
/// every path: exactly the bits of a plain reference that quantises the same way (weights to int8 per output and 64 inputs,
/// activations to unsigned bytes per row and 64 inputs over the group's range) and sums the products in integers, within
/// the two roundings' bound of the float64 product, and degenerate groups.
/// </summary>
public sealed class ByteActivationGemmTests
{
    private const int Group = ByteActivationGemm.GroupSize;

    /// <summary>
    /// Inputs not a multiple of 4 or of a group, columns past a panel, past an 8- or 32-column tile, and an odd panel
    /// count (the 32-column tile's second panel missing), rows past a 4-row tile and a 48-row block.
    /// </summary>
    private static readonly (int Rows, int In, int Out)[] Shapes =
        [(1, 17, 45), (1, 384, 1536), (7, 45, 17), (13, 129, 80), (100, 1100, 50), (6, 3, 1), (53, 64, 48), (2, 1, 33), (5, 130, 16)];

    public static TheoryData<KernelPath> Paths() => [.. KernelPaths.All.ToArray()];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_IsTheIntegerReference(KernelPath path) =>
        IntegerProjectionChecks.ForEachShape(path, WeightPrecision.Int8ByteActivations, Shapes, seedFactor: 5, Reference, HalfStep);

    [Theory]
    [MemberData(nameof(Paths))]
    public void LopsidedAndOffsetRows_KeepTheirResolution(KernelPath path)
    {
        // All-positive rows (zero point 0), all-negative rows (zero point 255) and rows far from zero: the range always
        // holds 0, so each row's step is its largest magnitude / 255 at worst, and the reference still matches.
        var c = LinearCase.Create(seed: 31, rows: 6, inFeatures: 200, outFeatures: 40);
        for (int k = 0; k < 200; k++)
        {
            c.Input[k] = Math.Abs(c.Input[k]);
            c.Input[200 + k] = -Math.Abs(c.Input[200 + k]);
            c.Input[400 + k] = 1000f + c.Input[400 + k];
            c.Input[600 + k] = k == 7 ? 50f : c.Input[600 + k]; // one outlier in the first group
        }

        var projection = new PackedProjection(200, 40);
        projection.Pack(c.Weight, WeightPrecision.Int8ByteActivations);
        float[] actual = PackedProjectionTests.Run(c, output => ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, projection, c.Bias, 200, 40, output, c.OutputStride, 1));
        LayerAssert.Identical(Reference(c), actual, path.ToString());
        IntegerProjectionChecks.AssertWithinRoundingBound(c, projection.Dequantize(), actual, HalfStep);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void DegenerateGroups_GiveTheBiasOrNaN(KernelPath path)
    {
        var c = LinearCase.Create(seed: 9, rows: 5, inFeatures: 130, outFeatures: 20);
        c.Input.AsSpan(0, 130).Clear(); // row 0: zeros → the bias
        c.Input[130 + 5] = float.NaN; // row 1: a NaN → NaN
        c.Input[260 + 129] = float.PositiveInfinity; // row 2: an infinity in the last, partial group → NaN
        for (int k = 0; k < 130; k++) c.Input[390 + k] = k % 3 == 0 ? 1e-41f : 0f; // row 3: subnormal → the bias (255 / range overflows)
        c.Input.AsSpan(520, Group).Clear(); // row 4: a zero group adds exactly nothing to the others'
        var projection = new PackedProjection(130, 20);
        projection.Pack(c.Weight, WeightPrecision.Int8ByteActivations);
        float[] output = new float[5 * 20];
        ProjectionDriver.Forward(path, c.Input, 5, 130, projection, c.Bias, 130, 20, output, 20, 1);
        Assert.Equal(c.Bias, output.AsSpan(0, 20).ToArray());
        Assert.All(output.AsSpan(20, 40).ToArray(), value => Assert.True(float.IsNaN(value)));
        Assert.Equal(c.Bias, output.AsSpan(60, 20).ToArray());
        float[] expected = Reference(c);
        Assert.Equal(expected.AsSpan(4 * c.OutputStride, 20).ToArray(), output.AsSpan(80, 20).ToArray());
        Assert.All(output.AsSpan(80, 20).ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void QuadPanels_HoldEachColumnsFourInputsSideBySide_AndNegatedGroupSums()
    {
        // 5 inputs → 2 quads padded to a group, 17 outputs → 2 panels; weight (n, k) = n + 1 for k = 0, −(n + 1) for
        // k = 1, 127 for k = 4, and 0 for k = 2, 3, so with one group per row q = round(w / (127 / 127)) = w.
        var weight = new float[17 * 5];
        for (int n = 0; n < 17; n++)
        {
            weight[n * 5] = n + 1;
            weight[n * 5 + 1] = -(n + 1);
            weight[n * 5 + 4] = 127;
        }

        var projection = new PackedProjection(5, 17);
        projection.Pack(weight, WeightPrecision.Int8ByteActivations);
        ReadOnlySpan<sbyte> bytes = projection.Int8Panels!.Span;
        int panelBytes = Group / 4 * 64;
        Assert.Equal(2 * panelBytes, bytes.Length);
        for (int n = 0; n < 17; n++)
        {
            int panel = n / 16 * panelBytes, column = n % 16 * 4;
            Assert.Equal(n + 1, bytes[panel + column]); // quad 0, input 0
            Assert.Equal(-(n + 1), bytes[panel + column + 1]); // quad 0, input 1
            Assert.Equal(0, bytes[panel + column + 2]);
            Assert.Equal(127, bytes[panel + 64 + column]); // quad 1, input 4
            Assert.Equal(0, bytes[panel + 64 + column + 1]); // quad 1: padding
            Assert.Equal(-127f, projection.Int8NegatedColumnSums![n / 16 * 16 + n % 16]); // −Σ q over the group
        }

        Assert.All(bytes.Slice(panelBytes + 4).ToArray(), b => Assert.True(b == 0 || b == 127)); // columns 17–31 are zero
    }

    /// <summary>
    /// The projection written plainly: weights <c>q = round(w / (max |w| / 127))</c> per output and group; per row and
    /// group the range <c>[min(0, min x), max(0, max x)]</c> onto 0 … 255 (<c>zero = round(−lo · 255 / range)</c>,
    /// <c>q = clamp(round(x · 255 / range) + zero, 0, 255)</c>); integer sums per group, corrected by
    /// <c>zero · Σ q_w</c>, times the weight scale, then times the activation scale added with a multiply-add to the sum,
    /// which starts at the bias.
    /// </summary>
    private static float[] Reference(LinearCase c)
    {
        int groups = (c.InFeatures + Group - 1) / Group;
        float[] output = new float[(c.Rows - 1) * c.OutputStride + c.OutFeatures + 1];
        Array.Fill(output, -12345.5f);
        var weights = new int[c.Weight.Length];
        var weightScales = new float[c.OutFeatures, groups];
        for (int n = 0; n < c.OutFeatures; n++)
        {
            for (int g = 0; g < groups; g++)
            {
                float largest = 0f;
                for (int k = g * Group; k < End(g); k++) largest = MathF.Max(largest, MathF.Abs(c.Weight[n * c.InFeatures + k]));
                float scale = weightScales[n, g] = largest / 127;
                for (int k = g * Group; k < End(g) && scale != 0; k++)
                {
                    weights[n * c.InFeatures + k] = (int)MathF.Round(c.Weight[n * c.InFeatures + k] / scale);
                }
            }
        }

        var codes = new int[c.InFeatures];
        var zeros = new float[groups];
        var scales = new float[groups];
        for (int r = 0; r < c.Rows; r++)
        {
            ReadOnlySpan<float> row = c.Input.AsSpan(r * c.InputStride, c.InFeatures);
            for (int g = 0; g < groups; g++)
            {
                float lo = 0f, hi = 0f;
                bool finite = true;
                for (int k = g * Group; k < End(g); k++)
                {
                    finite &= float.IsFinite(row[k]);
                    lo = MathF.Min(lo, row[k]);
                    hi = MathF.Max(hi, row[k]);
                }

                float range = hi - lo, inverse = 255f / range;
                if (!finite || range == 0 || !float.IsFinite(inverse))
                {
                    (zeros[g], scales[g]) = (0f, finite ? 0f : float.NaN);
                    for (int k = g * Group; k < End(g); k++) codes[k] = 0;
                    continue;
                }

                (zeros[g], scales[g]) = (MathF.Round(-lo * inverse), range / 255);
                for (int k = g * Group; k < End(g); k++) codes[k] = (int)Math.Clamp(MathF.Round(row[k] * inverse) + zeros[g], 0f, 255f);
            }

            for (int n = 0; n < c.OutFeatures; n++)
            {
                float sum = c.Bias.Length == 0 ? 0f : c.Bias[n];
                for (int g = 0; g < groups; g++)
                {
                    int integers = 0, weightSum = 0;
                    for (int k = g * Group; k < End(g); k++)
                    {
                        integers += codes[k] * weights[n * c.InFeatures + k];
                        weightSum += weights[n * c.InFeatures + k];
                    }

                    float corrected = float.MultiplyAddEstimate(zeros[g], -weightSum, integers);
                    sum = float.MultiplyAddEstimate(corrected * weightScales[n, g], scales[g], sum);
                }

                output[r * c.OutputStride + n] = sum;
            }
        }

        return output;

        int End(int g) => Math.Min(c.InFeatures, (g + 1) * Group);
    }

    /// <summary>Half a step of each input's group in the row: <c>range / 510</c>, the range widened to hold 0.</summary>
    private static double[] HalfStep(LinearCase c, int row)
    {
        var halfSteps = new double[c.InFeatures];
        for (int start = 0; start < c.InFeatures; start += Group)
        {
            int end = Math.Min(c.InFeatures, start + Group);
            double lo = 0, hi = 0;
            for (int k = start; k < end; k++)
            {
                lo = Math.Min(lo, c.Input[row * c.InputStride + k]);
                hi = Math.Max(hi, c.Input[row * c.InputStride + k]);
            }

            for (int k = start; k < end; k++) halfSteps[k] = (hi - lo) / 510;
        }

        return halfSteps;
    }
}
