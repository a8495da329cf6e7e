using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>Compact panels whose 16-wide rows decode straight into two registers (AVX2), for the one-row kernel.</summary>
    private interface IRowDecoder256
    {
        /// <summary>Row <paramref name="k"/> of panel <paramref name="panel"/> as floats: columns 0–7 and 8–15.</summary>
        static abstract unsafe void Load(in Problem problem, int panel, nint k, out Vector256<float> low, out Vector256<float> high);
    }

    private readonly struct BFloat16Row : IRowDecoder256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Load(in Problem problem, int panel, nint k, out Vector256<float> low, out Vector256<float> high)
        {
            byte* row = (byte*)((ushort*)problem.Compact + ((nint)panel * problem.InFeatures + k) * PanelWidth);
            low = BFloat16PanelRow.Low(row);
            high = BFloat16PanelRow.High(row);
        }
    }

    /// <summary>
    /// One row (a decode step) on AVX2 from compact panels, decoded in registers: 4 panels (8 accumulators, as
    /// <see cref="RowTile256Tiles"/>) over every input feature, each weight read once as 2 or 1 bytes and never stored as a
    /// float. Each sum is the same chain of FMAs from the bias as the decode-to-scratch path's, so the bits are the same.
    /// </summary>
    private static unsafe void RowCompact256<TDecoder>(in Problem problem)
        where TDecoder : struct, IRowDecoder256
    {
        int panelCount = PanelCount(problem.OutFeatures);
        float* sums = stackalloc float[4 * PanelWidth];
        for (int panel = 0; panel < panelCount; panel += 4)
        {
            int panels = Math.Min(4, panelCount - panel);
            int col0 = panel * PanelWidth;
            int cols = Math.Min(panels * PanelWidth, problem.OutFeatures - col0);
            for (int j = 0; j < panels * PanelWidth; j++)
            {
                sums[j] = problem.Bias != null && j < cols ? problem.Bias[col0 + j] : 0f;
            }

            switch (panels)
            {
                case 4: RowCompact256<TDecoder, Const4>(problem, panel, sums); break;
                case 3: RowCompact256<TDecoder, Const3>(problem, panel, sums); break;
                case 2: RowCompact256<TDecoder, Const2>(problem, panel, sums); break;
                default: RowCompact256<TDecoder, Const1>(problem, panel, sums); break;
            }

            new ReadOnlySpan<float>(sums, cols).CopyTo(new Span<float>(problem.Output + col0, cols));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowCompact256<TDecoder, TPanels>(in Problem problem, int panel, float* sums)
        where TDecoder : struct, IRowDecoder256
        where TPanels : struct, IConstant
    {
        int p = TPanels.Value;
        float* x = problem.Input;
        Vector256<float> a00 = Vector256.Load(sums), a01 = Vector256.Load(sums + 8);
        Vector256<float> a10 = p > 1 ? Vector256.Load(sums + 16) : default, a11 = p > 1 ? Vector256.Load(sums + 24) : default;
        Vector256<float> a20 = p > 2 ? Vector256.Load(sums + 32) : default, a21 = p > 2 ? Vector256.Load(sums + 40) : default;
        Vector256<float> a30 = p > 3 ? Vector256.Load(sums + 48) : default, a31 = p > 3 ? Vector256.Load(sums + 56) : default;
        ushort* rows = (ushort*)problem.Compact + (nint)panel * problem.InFeatures * PanelWidth;
        nint panelStride = (nint)problem.InFeatures * PanelWidth;
        for (nint k = 0, depth = problem.InFeatures; k < depth; k++)
        {
            if ((k & 1) == 0 && Sse.IsSupported)
            {
                // As RowBFloat16512: a cold weight streams at half the bandwidth on the hardware prefetcher alone.
                ushort* ahead = rows + k * PanelWidth + PrefetchAhead;
                Sse.Prefetch0(ahead);
                if (p > 1) Sse.Prefetch0(ahead + panelStride);
                if (p > 2) Sse.Prefetch0(ahead + 2 * panelStride);
                if (p > 3) Sse.Prefetch0(ahead + 3 * panelStride);
            }

            Vector256<float> xk = Vector256.Create(x[k]);
            TDecoder.Load(problem, panel, k, out Vector256<float> w0, out Vector256<float> w1);
            a00 = Vector256.MultiplyAddEstimate(xk, w0, a00);
            a01 = Vector256.MultiplyAddEstimate(xk, w1, a01);
            if (p > 1)
            {
                TDecoder.Load(problem, panel + 1, k, out w0, out w1);
                a10 = Vector256.MultiplyAddEstimate(xk, w0, a10);
                a11 = Vector256.MultiplyAddEstimate(xk, w1, a11);
            }

            if (p > 2)
            {
                TDecoder.Load(problem, panel + 2, k, out w0, out w1);
                a20 = Vector256.MultiplyAddEstimate(xk, w0, a20);
                a21 = Vector256.MultiplyAddEstimate(xk, w1, a21);
            }

            if (p > 3)
            {
                TDecoder.Load(problem, panel + 3, k, out w0, out w1);
                a30 = Vector256.MultiplyAddEstimate(xk, w0, a30);
                a31 = Vector256.MultiplyAddEstimate(xk, w1, a31);
            }
        }

        a00.Store(sums);
        a01.Store(sums + 8);
        if (p > 1) { a10.Store(sums + 16); a11.Store(sums + 24); }
        if (p > 2) { a20.Store(sums + 32); a21.Store(sums + 40); }
        if (p > 3) { a30.Store(sums + 48); a31.Store(sums + 56); }
    }
}
