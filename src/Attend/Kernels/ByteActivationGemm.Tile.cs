using System.Runtime.CompilerServices;

namespace Attend.Kernels;

internal static unsafe partial class ByteActivationGemm
{
    /// <summary>
    /// The four column registers of a tile: their weights, and per group the scales and weight sums of the first pair of
    /// registers and of the second (each pair's columns follow each other), the sums negated.
    /// </summary>
    private readonly struct TileColumns(sbyte* weights0, sbyte* weights1, sbyte* weights2, sbyte* weights3,
        float* firstScales, float* firstNegatedSums, float* secondScales, float* secondNegatedSums)
    {
        public readonly sbyte* Weights0 = weights0, Weights1 = weights1, Weights2 = weights2, Weights3 = weights3;
        public readonly float* FirstScales = firstScales, FirstNegatedSums = firstNegatedSums;
        public readonly float* SecondScales = secondScales, SecondNegatedSums = secondNegatedSums;
    }

    /// <summary>
    /// Where a tile's float sums live: the first group adds to <see cref="Bias"/> (the same for every row), the last
    /// stores to <see cref="Output"/>'s rows, and the groups between keep them in <see cref="Scratch"/>'s rows.
    /// </summary>
    private readonly struct TileSums(float* bias, float* output, nint outputStride, float* scratch, nint scratchStride)
    {
        public readonly float* Bias = bias, Output = output, Scratch = scratch;
        public readonly nint OutputStride = outputStride, ScratchStride = scratchStride;

        public float* Source(int group, int row) => group == 0 ? Bias : Scratch + row * ScratchStride;

        public float* Destination(int group, int groups, int row) => group == groups - 1 ? Output + row * OutputStride : Scratch + row * ScratchStride;
    }

    /// <summary>
    /// One register tile: <c>TRows.Value</c> rows × four registers of columns, over every group of inputs. Per group the
    /// 32-bit sums (exact: |sum| ≤ 64 · 255 · 127 &lt; 2²¹) are corrected for the rows' zero points and added, times the
    /// columns' and the rows' scales, to the float sums (<paramref name="sums"/>: from the bias, through the scratch, into
    /// the output, so a tile needs no clearing before nor a pass after).
    /// </summary>
    /// <remarks>
    /// Sixteen accumulators: the JIT keeps <c>vpdpbusd</c>'s accumulator in ymm0–15 even where EVEX lets its other
    /// operands use ymm16–31, so sixteen is the most that stay in registers. Four rows by four registers needs four weight
    /// loads and four broadcasts per sixteen <c>vpdpbusd</c>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TLanes, TVector, TRows>(byte* activations, nint activationStride, in TileColumns columns,
        float* zeros, float* rowScales, int groups, in TileSums sums)
        where TLanes : struct, IByteQuadLanes<TVector>
        where TVector : struct
        where TRows : struct, LinearKernels.IConstant
    {
        sbyte* weights0 = columns.Weights0, weights1 = columns.Weights1, weights2 = columns.Weights2, weights3 = columns.Weights3;
        for (int g = 0; g < groups; g++)
        {
            TVector s00 = TLanes.Zero, s01 = TLanes.Zero, s02 = TLanes.Zero, s03 = TLanes.Zero;
            TVector s10 = TLanes.Zero, s11 = TLanes.Zero, s12 = TLanes.Zero, s13 = TLanes.Zero;
            TVector s20 = TLanes.Zero, s21 = TLanes.Zero, s22 = TLanes.Zero, s23 = TLanes.Zero;
            TVector s30 = TLanes.Zero, s31 = TLanes.Zero, s32 = TLanes.Zero, s33 = TLanes.Zero;
            byte* x = activations + (nint)g * GroupSize;
            nint offset = (nint)g * GroupBytes;
            for (int q = 0; q < QuadsPerGroup; q++, x += 4, offset += QuadBytes)
            {
                TVector w0 = TLanes.LoadWeightQuads(weights0 + offset), w1 = TLanes.LoadWeightQuads(weights1 + offset);
                TVector w2 = TLanes.LoadWeightQuads(weights2 + offset), w3 = TLanes.LoadWeightQuads(weights3 + offset);
                TVector a = TLanes.BroadcastQuad(x);
                s00 = TLanes.MultiplyAddQuadsAndAdd(s00, a, w0);
                s01 = TLanes.MultiplyAddQuadsAndAdd(s01, a, w1);
                s02 = TLanes.MultiplyAddQuadsAndAdd(s02, a, w2);
                s03 = TLanes.MultiplyAddQuadsAndAdd(s03, a, w3);
                if (TRows.Value > 1)
                {
                    a = TLanes.BroadcastQuad(x + activationStride);
                    s10 = TLanes.MultiplyAddQuadsAndAdd(s10, a, w0);
                    s11 = TLanes.MultiplyAddQuadsAndAdd(s11, a, w1);
                    s12 = TLanes.MultiplyAddQuadsAndAdd(s12, a, w2);
                    s13 = TLanes.MultiplyAddQuadsAndAdd(s13, a, w3);
                }

                if (TRows.Value > 2)
                {
                    a = TLanes.BroadcastQuad(x + 2 * activationStride);
                    s20 = TLanes.MultiplyAddQuadsAndAdd(s20, a, w0);
                    s21 = TLanes.MultiplyAddQuadsAndAdd(s21, a, w1);
                    s22 = TLanes.MultiplyAddQuadsAndAdd(s22, a, w2);
                    s23 = TLanes.MultiplyAddQuadsAndAdd(s23, a, w3);
                }

                if (TRows.Value > 3)
                {
                    a = TLanes.BroadcastQuad(x + 3 * activationStride);
                    s30 = TLanes.MultiplyAddQuadsAndAdd(s30, a, w0);
                    s31 = TLanes.MultiplyAddQuadsAndAdd(s31, a, w1);
                    s32 = TLanes.MultiplyAddQuadsAndAdd(s32, a, w2);
                    s33 = TLanes.MultiplyAddQuadsAndAdd(s33, a, w3);
                }
            }

            nint group = (nint)g * LinearKernels.PanelWidth;
            AccumulateRow<TLanes, TVector>(s00, s01, s02, s03, columns, group, zeros + g, rowScales + g, sums.Source(g, 0), sums.Destination(g, groups, 0));
            if (TRows.Value > 1) AccumulateRow<TLanes, TVector>(s10, s11, s12, s13, columns, group, zeros + groups + g, rowScales + groups + g, sums.Source(g, 1), sums.Destination(g, groups, 1));
            if (TRows.Value > 2) AccumulateRow<TLanes, TVector>(s20, s21, s22, s23, columns, group, zeros + 2 * groups + g, rowScales + 2 * groups + g, sums.Source(g, 2), sums.Destination(g, groups, 2));
            if (TRows.Value > 3) AccumulateRow<TLanes, TVector>(s30, s31, s32, s33, columns, group, zeros + 3 * groups + g, rowScales + 3 * groups + g, sums.Source(g, 3), sums.Destination(g, groups, 3));
        }
    }

    /// <summary>
    /// <see cref="Tile"/> with <c>TRows.Value</c> ≤ 6 rows × the first two registers of columns: twelve accumulators, two
    /// weight registers and a broadcast fit the sixteen registers an x86 processor without AVX-512 has.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTile<TLanes, TVector, TRows>(byte* activations, nint activationStride, in TileColumns columns,
        float* zeros, float* rowScales, int groups, in TileSums sums)
        where TLanes : struct, IByteQuadLanes<TVector>
        where TVector : struct
        where TRows : struct, LinearKernels.IConstant
    {
        sbyte* weights0 = columns.Weights0, weights1 = columns.Weights1;
        for (int g = 0; g < groups; g++)
        {
            TVector s00 = TLanes.Zero, s01 = TLanes.Zero, s10 = TLanes.Zero, s11 = TLanes.Zero, s20 = TLanes.Zero, s21 = TLanes.Zero;
            TVector s30 = TLanes.Zero, s31 = TLanes.Zero, s40 = TLanes.Zero, s41 = TLanes.Zero, s50 = TLanes.Zero, s51 = TLanes.Zero;
            byte* x = activations + (nint)g * GroupSize;
            nint offset = (nint)g * GroupBytes;
            for (int q = 0; q < QuadsPerGroup; q++, x += 4, offset += QuadBytes)
            {
                TVector w0 = TLanes.LoadWeightQuads(weights0 + offset), w1 = TLanes.LoadWeightQuads(weights1 + offset);
                TVector a = TLanes.BroadcastQuad(x);
                s00 = TLanes.MultiplyAddQuadsAndAdd(s00, a, w0);
                s01 = TLanes.MultiplyAddQuadsAndAdd(s01, a, w1);
                if (TRows.Value > 1)
                {
                    a = TLanes.BroadcastQuad(x + activationStride);
                    s10 = TLanes.MultiplyAddQuadsAndAdd(s10, a, w0);
                    s11 = TLanes.MultiplyAddQuadsAndAdd(s11, a, w1);
                }

                if (TRows.Value > 2)
                {
                    a = TLanes.BroadcastQuad(x + 2 * activationStride);
                    s20 = TLanes.MultiplyAddQuadsAndAdd(s20, a, w0);
                    s21 = TLanes.MultiplyAddQuadsAndAdd(s21, a, w1);
                }

                if (TRows.Value > 3)
                {
                    a = TLanes.BroadcastQuad(x + 3 * activationStride);
                    s30 = TLanes.MultiplyAddQuadsAndAdd(s30, a, w0);
                    s31 = TLanes.MultiplyAddQuadsAndAdd(s31, a, w1);
                }

                if (TRows.Value > 4)
                {
                    a = TLanes.BroadcastQuad(x + 4 * activationStride);
                    s40 = TLanes.MultiplyAddQuadsAndAdd(s40, a, w0);
                    s41 = TLanes.MultiplyAddQuadsAndAdd(s41, a, w1);
                }

                if (TRows.Value > 5)
                {
                    a = TLanes.BroadcastQuad(x + 5 * activationStride);
                    s50 = TLanes.MultiplyAddQuadsAndAdd(s50, a, w0);
                    s51 = TLanes.MultiplyAddQuadsAndAdd(s51, a, w1);
                }
            }

            nint group = (nint)g * LinearKernels.PanelWidth;
            float* negated = columns.FirstNegatedSums + group, scales = columns.FirstScales + group;
            TLanes.AccumulateGroupPair(s00, s01, zeros + g, rowScales + g, negated, scales, sums.Source(g, 0), sums.Destination(g, groups, 0));
            if (TRows.Value > 1) TLanes.AccumulateGroupPair(s10, s11, zeros + groups + g, rowScales + groups + g, negated, scales, sums.Source(g, 1), sums.Destination(g, groups, 1));
            if (TRows.Value > 2) TLanes.AccumulateGroupPair(s20, s21, zeros + 2 * groups + g, rowScales + 2 * groups + g, negated, scales, sums.Source(g, 2), sums.Destination(g, groups, 2));
            if (TRows.Value > 3) TLanes.AccumulateGroupPair(s30, s31, zeros + 3 * groups + g, rowScales + 3 * groups + g, negated, scales, sums.Source(g, 3), sums.Destination(g, groups, 3));
            if (TRows.Value > 4) TLanes.AccumulateGroupPair(s40, s41, zeros + 4 * groups + g, rowScales + 4 * groups + g, negated, scales, sums.Source(g, 4), sums.Destination(g, groups, 4));
            if (TRows.Value > 5) TLanes.AccumulateGroupPair(s50, s51, zeros + 5 * groups + g, rowScales + 5 * groups + g, negated, scales, sums.Source(g, 5), sums.Destination(g, groups, 5));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateRow<TLanes, TVector>(TVector s0, TVector s1, TVector s2, TVector s3, in TileColumns columns,
        nint group, float* zero, float* scale, float* source, float* destination)
        where TLanes : struct, IByteQuadLanes<TVector>
        where TVector : struct
    {
        int second = 2 * TLanes.Columns;
        TLanes.AccumulateGroupPair(s0, s1, zero, scale, columns.FirstNegatedSums + group, columns.FirstScales + group, source, destination);
        TLanes.AccumulateGroupPair(s2, s3, zero, scale, columns.SecondNegatedSums + group, columns.SecondScales + group, source + second, destination + second);
    }
}
