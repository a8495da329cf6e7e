using System;

namespace Attend.Kernels;

/// <summary>
/// Conversions of packed float panels to the compact panels <see cref="PackedProjection"/> stores and back: bf16 (round to
/// nearest even, interleaved for the decoder) and symmetric int8 with a scale per output feature and group of inputs (pairs for <see cref="Int8Gemm"/>, quads for
/// <see cref="ByteActivationGemm"/>).
/// Load-time code, written plainly.
/// </summary>
internal static class WeightQuantization
{
    private const int Width = LinearKernels.PanelWidth;

    /// <summary>Largest int8 magnitude used: symmetric, so −128 is never produced and negation is exact.</summary>
    internal const int Int8Limit = 127;

    /// <summary>
    /// Input features sharing one int8 scale per output feature. One scale per whole row (per output channel) measured a
    /// lowest MiniLM embedding cosine of 0.9968 (a few large weights set the step of a 384- or 1536-wide row); a scale per 64
    /// inputs costs 4/64 of a byte a weight more and keeps the step near each group's own range (ggml's and AWQ's choice).
    /// </summary>
    internal const int Int8GroupSize = 64;

    /// <summary>Scale groups along the input features: <c>ceil(inFeatures / Int8GroupSize)</c>.</summary>
    internal static int Int8Groups(int inFeatures) => (inFeatures + Int8GroupSize - 1) / Int8GroupSize;

    /// <summary>
    /// bf16 of <paramref name="value"/>, rounded to nearest even (what PyTorch's <c>.to(torch.bfloat16)</c> does); a NaN stays
    /// a quiet NaN, infinities stay infinite, and a value that is already a bf16 (a BF16 file's) is kept exactly.
    /// </summary>
    internal static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Float panels to interleaved bf16 panels: in each 16-wide row, slot <c>2j</c> is column <c>j</c>, slot <c>2j + 1</c> column <c>8 + j</c>.</summary>
    internal static AlignedArray<ushort> ToBFloat16Panels(ReadOnlySpan<float> panels)
    {
        var aligned = new AlignedArray<ushort>(panels.Length);
        Span<ushort> halves = aligned.Span;
        for (int row = 0; row < panels.Length; row += Width)
        {
            for (int j = 0; j < Width / 2; j++)
            {
                halves[row + 2 * j] = ToBFloat16(panels[row + j]);
                halves[row + 2 * j + 1] = ToBFloat16(panels[row + Width / 2 + j]);
            }
        }

        return aligned;
    }

    /// <summary>The inverse of <see cref="ToBFloat16Panels"/> (exact).</summary>
    internal static void FromBFloat16Panels(ReadOnlySpan<ushort> halves, Span<float> panels)
    {
        for (int row = 0; row < halves.Length; row += Width)
        {
            for (int j = 0; j < Width / 2; j++)
            {
                panels[row + j] = BitConverter.UInt32BitsToSingle((uint)halves[row + 2 * j] << 16);
                panels[row + Width / 2 + j] = BitConverter.UInt32BitsToSingle((uint)halves[row + 2 * j + 1] << 16);
            }
        }
    }

    /// <summary>Bytes of int8 pair panels for a <paramref name="inFeatures"/> → <paramref name="outFeatures"/> weight.</summary>
    internal static long Int8PanelBytes(int inFeatures, int outFeatures) =>
        (long)LinearKernels.PanelCount(outFeatures) * ((inFeatures + 1) / 2) * Int8Gemm.PairBytes;

    /// <summary>
    /// A <c>[outFeatures, inFeatures]</c> weight to the int8 pair panels <see cref="Int8Gemm"/> reads and symmetric scales.
    /// Panels of 16 output features; in a panel, per pair of inputs <c>(2j, 2j + 1)</c> 32 bytes: column <c>c</c>'s two
    /// weights at bytes <c>2c</c> and <c>2c + 1</c>, so a sign extension to 16 bits gives the pairs <c>vpmaddwd</c>
    /// multiplies (an odd input count ends with a zero). Scales: see <see cref="QuantizeGroups"/>, with
    /// <see cref="Int8GroupSize"/> inputs a group.
    /// </summary>
    internal static (AlignedArray<sbyte> Panels, float[] Scales) ToInt8PairPanels(ReadOnlySpan<float> weight, int inFeatures, int outFeatures)
    {
        long panelBytes = (long)(inFeatures + 1) / 2 * Int8Gemm.PairBytes;
        var aligned = new AlignedArray<sbyte>(checked((int)Int8PanelBytes(inFeatures, outFeatures)));
        float[] scales = QuantizeGroups(weight, inFeatures, outFeatures, Int8GroupSize, aligned.Span,
            (panel, k, column) => Int8PairIndex(panelBytes, panel, k, column));
        return (aligned, scales);
    }

    /// <summary>Int8 pair panels back to float panels (<see cref="LinearKernels.Pack"/>'s layout), <c>q · scale</c>: the weights the kernel multiplies by.</summary>
    internal static void FromInt8PairPanels(ReadOnlySpan<sbyte> bytes, ReadOnlySpan<float> scales, int inFeatures, Span<float> panels)
    {
        long panelBytes = (long)(inFeatures + 1) / 2 * Int8Gemm.PairBytes;
        Dequantize(bytes, scales, inFeatures, Int8GroupSize, panels, (panel, k, column) => Int8PairIndex(panelBytes, panel, k, column));
    }

    /// <summary>Bytes of int8 quad panels for a <paramref name="inFeatures"/> → <paramref name="outFeatures"/> weight.</summary>
    internal static long Int8QuadPanelBytes(int inFeatures, int outFeatures) =>
        (long)LinearKernels.PanelCount(outFeatures) * ByteActivationGemm.PanelBytes(inFeatures);

    /// <summary>
    /// A <c>[outFeatures, inFeatures]</c> weight to the int8 quad panels <see cref="ByteActivationGemm"/> reads, their
    /// symmetric scales and, per scale, the negated sum of the group's int8 weights (which the activations' zero points
    /// multiply: <c>Σ (qx − zx) · qw = Σ qx · qw + zx · (−Σ qw)</c>, one FMA).
    /// Panels of 16 output features; in a panel, per quad of inputs <c>4j … 4j + 3</c> 64 bytes: column <c>c</c>'s four
    /// weights at bytes <c>4c … 4c + 3</c>, the operand layout of <c>vpdpbusd</c>; the inputs are padded with zeros to whole
    /// groups of <see cref="ByteActivationGemm.GroupSize"/>, the scale group. Scales and sums laid out <c>[panel, group, 16]</c>.
    /// </summary>
    internal static (AlignedArray<sbyte> Panels, float[] Scales, float[] NegatedColumnSums) ToInt8QuadPanels(ReadOnlySpan<float> weight, int inFeatures, int outFeatures)
    {
        long panelBytes = ByteActivationGemm.PanelBytes(inFeatures);
        var aligned = new AlignedArray<sbyte>(checked((int)Int8QuadPanelBytes(inFeatures, outFeatures)));
        Span<sbyte> panels = aligned.Span;
        float[] scales = QuantizeGroups(weight, inFeatures, outFeatures, ByteActivationGemm.GroupSize, panels,
            (panel, k, column) => Int8QuadIndex(panelBytes, panel, k, column));
        var sums = new float[scales.Length];
        int groups = ByteActivationGemm.Groups(inFeatures);
        for (int panel = 0; panel < LinearKernels.PanelCount(outFeatures); panel++)
        {
            for (int k = 0; k < inFeatures; k++)
            {
                for (int column = 0; column < Width; column++)
                {
                    sums[(panel * groups + k / ByteActivationGemm.GroupSize) * Width + column] -= panels[(int)Int8QuadIndex(panelBytes, panel, k, column)];
                }
            }
        }

        return (aligned, scales, sums);
    }

    /// <summary>Int8 quad panels back to float panels (<see cref="LinearKernels.Pack"/>'s layout), <c>q · scale</c>.</summary>
    internal static void FromInt8QuadPanels(ReadOnlySpan<sbyte> bytes, ReadOnlySpan<float> scales, int inFeatures, Span<float> panels)
    {
        long panelBytes = ByteActivationGemm.PanelBytes(inFeatures);
        Dequantize(bytes, scales, inFeatures, ByteActivationGemm.GroupSize, panels, (panel, k, column) => Int8QuadIndex(panelBytes, panel, k, column));
    }

    /// <summary>
    /// Symmetric int8 quantisation of every output feature's groups of <paramref name="groupSize"/> inputs into
    /// <paramref name="panels"/> (at <paramref name="index"/>), returning the scales: <c>max |w| / 127</c> over the group
    /// (0 for an all-zero group), laid out <c>[panel, group, 16]</c>; everything past <paramref name="outFeatures"/> is zero.
    /// <c>q = round(w / scale)</c>, ties to even.
    /// </summary>
    private static float[] QuantizeGroups(ReadOnlySpan<float> weight, int inFeatures, int outFeatures, int groupSize,
        Span<sbyte> panels, Func<int, int, int, long> index)
    {
        int groups = (inFeatures + groupSize - 1) / groupSize;
        var scales = new float[LinearKernels.PanelCount(outFeatures) * groups * Width];
        for (int n = 0; n < outFeatures; n++)
        {
            int panel = n / Width, column = n % Width;
            for (int group = 0; group < groups; group++)
            {
                int start = group * groupSize, count = Math.Min(groupSize, inFeatures - start);
                ReadOnlySpan<float> part = weight.Slice(n * inFeatures + start, count);
                float largest = 0f;
                foreach (float w in part)
                {
                    largest = MathF.Max(largest, MathF.Abs(w));
                }

                float scale = largest / Int8Limit;
                scales[(panel * groups + group) * Width + column] = scale;
                if (scale == 0f || !float.IsFinite(scale))
                {
                    continue;
                }

                for (int k = 0; k < count; k++)
                {
                    float q = MathF.Round(part[k] / scale);
                    panels[(int)index(panel, start + k, column)] = (sbyte)Math.Clamp(q, -Int8Limit, Int8Limit);
                }
            }
        }

        return scales;
    }

    private static void Dequantize(ReadOnlySpan<sbyte> bytes, ReadOnlySpan<float> scales, int inFeatures, int groupSize,
        Span<float> panels, Func<int, int, int, long> index)
    {
        int groups = (inFeatures + groupSize - 1) / groupSize;
        for (int i = 0; i < panels.Length; i++)
        {
            int panel = i / (inFeatures * Width), k = i / Width % inFeatures, column = i % Width;
            panels[i] = bytes[(int)index(panel, k, column)] * scales[(panel * groups + k / groupSize) * Width + column];
        }
    }

    private static long Int8QuadIndex(long panelBytes, int panel, int k, int column) =>
        panel * panelBytes + k / 4 * ByteActivationGemm.QuadBytes + column * 4 + k % 4;

    private static long Int8PairIndex(long panelBytes, int panel, int k, int column) =>
        panel * panelBytes + k / 2 * Int8Gemm.PairBytes + column * 2 + k % 2;
}
