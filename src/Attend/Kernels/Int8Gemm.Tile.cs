using System.Runtime.CompilerServices;

namespace Attend.Kernels;

internal static unsafe partial class Int8Gemm
{
    /// <summary>
    /// One register tile: <c>TRows.Value</c> rows × two registers of columns (weights at <paramref name="weights0"/> and
    /// <paramref name="weights1"/>, 32 bytes a pair of inputs), over every input. Per group of 64 inputs the 32-bit sums
    /// (exact) are converted and added, times the columns' scales for the group, to <paramref name="sums"/>
    /// (<c>[row][2 · Columns]</c>), so integers never hold more than 64 products (|sum| ≤ 64 · 32767 · 127 &lt; 2³¹).
    /// </summary>
    /// <remarks>
    /// Twelve accumulators, two weight registers and one broadcast fit AVX2's sixteen registers; every weight register is
    /// used by six rows, every broadcast by two registers of columns.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TLanes, TVector, TRows>(short* activations, nint activationStride, sbyte* weights0, sbyte* weights1,
        float* scales0, float* scales1, int pairs, float* sums)
        where TLanes : struct, IInt16PairLanes<TVector>
        where TVector : struct
        where TRows : struct, LinearKernels.IConstant
    {
        int columns = TLanes.Columns, stride = 2 * columns;
        for (int start = 0; start < pairs; start += PairsPerGroup, scales0 += LinearKernels.PanelWidth, scales1 += LinearKernels.PanelWidth)
        {
            int end = System.Math.Min(start + PairsPerGroup, pairs);
            TVector s00 = TLanes.Zero, s01 = TLanes.Zero, s10 = TLanes.Zero, s11 = TLanes.Zero, s20 = TLanes.Zero, s21 = TLanes.Zero;
            TVector s30 = TLanes.Zero, s31 = TLanes.Zero, s40 = TLanes.Zero, s41 = TLanes.Zero, s50 = TLanes.Zero, s51 = TLanes.Zero;
            short* x = activations + 2 * (nint)start;
            nint offset = (nint)start * PairBytes;
            for (int p = start; p < end; p++, x += 2, offset += PairBytes)
            {
                TVector w0 = TLanes.LoadWeightPairs(weights0 + offset), w1 = TLanes.LoadWeightPairs(weights1 + offset);
                TVector a = TLanes.BroadcastPair(x);
                s00 = TLanes.MultiplyAddPairsAndAdd(s00, a, w0);
                s01 = TLanes.MultiplyAddPairsAndAdd(s01, a, w1);
                if (TRows.Value > 1)
                {
                    a = TLanes.BroadcastPair(x + activationStride);
                    s10 = TLanes.MultiplyAddPairsAndAdd(s10, a, w0);
                    s11 = TLanes.MultiplyAddPairsAndAdd(s11, a, w1);
                }

                if (TRows.Value > 2)
                {
                    a = TLanes.BroadcastPair(x + 2 * activationStride);
                    s20 = TLanes.MultiplyAddPairsAndAdd(s20, a, w0);
                    s21 = TLanes.MultiplyAddPairsAndAdd(s21, a, w1);
                }

                if (TRows.Value > 3)
                {
                    a = TLanes.BroadcastPair(x + 3 * activationStride);
                    s30 = TLanes.MultiplyAddPairsAndAdd(s30, a, w0);
                    s31 = TLanes.MultiplyAddPairsAndAdd(s31, a, w1);
                }

                if (TRows.Value > 4)
                {
                    a = TLanes.BroadcastPair(x + 4 * activationStride);
                    s40 = TLanes.MultiplyAddPairsAndAdd(s40, a, w0);
                    s41 = TLanes.MultiplyAddPairsAndAdd(s41, a, w1);
                }

                if (TRows.Value > 5)
                {
                    a = TLanes.BroadcastPair(x + 5 * activationStride);
                    s50 = TLanes.MultiplyAddPairsAndAdd(s50, a, w0);
                    s51 = TLanes.MultiplyAddPairsAndAdd(s51, a, w1);
                }
            }

            TLanes.AccumulateScaled(s00, scales0, sums);
            TLanes.AccumulateScaled(s01, scales1, sums + columns);
            if (TRows.Value > 1)
            {
                TLanes.AccumulateScaled(s10, scales0, sums + stride);
                TLanes.AccumulateScaled(s11, scales1, sums + stride + columns);
            }

            if (TRows.Value > 2)
            {
                TLanes.AccumulateScaled(s20, scales0, sums + 2 * stride);
                TLanes.AccumulateScaled(s21, scales1, sums + 2 * stride + columns);
            }

            if (TRows.Value > 3)
            {
                TLanes.AccumulateScaled(s30, scales0, sums + 3 * stride);
                TLanes.AccumulateScaled(s31, scales1, sums + 3 * stride + columns);
            }

            if (TRows.Value > 4)
            {
                TLanes.AccumulateScaled(s40, scales0, sums + 4 * stride);
                TLanes.AccumulateScaled(s41, scales1, sums + 4 * stride + columns);
            }

            if (TRows.Value > 5)
            {
                TLanes.AccumulateScaled(s50, scales0, sums + 5 * stride);
                TLanes.AccumulateScaled(s51, scales1, sums + 5 * stride + columns);
            }
        }
    }
}
