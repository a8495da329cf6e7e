using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// One row (a decode step) on AVX2 from compact panels, decoded in registers: 4 panels (8 accumulators, as
    /// <see cref="RowTile256Tiles"/>) over every input feature, each weight read once as 2 bytes and never stored as a
    /// float. Each sum is the same chain of FMAs from the bias as the decode-to-scratch path's, so the bits are the same.
    /// </summary>
    private static unsafe void RowCompact256<TRow>(in Problem problem)
        where TRow : struct, IPanelRow256
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
                case 4: RowCompact256<TRow, Const4>(problem, panel, sums); break;
                case 3: RowCompact256<TRow, Const3>(problem, panel, sums); break;
                case 2: RowCompact256<TRow, Const2>(problem, panel, sums); break;
                default: RowCompact256<TRow, Const1>(problem, panel, sums); break;
            }

            new ReadOnlySpan<float>(sums, cols).CopyTo(new Span<float>(problem.Output + col0, cols));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowCompact256<TRow, TPanels>(in Problem problem, int panel, float* sums)
        where TRow : struct, IPanelRow256
        where TPanels : struct, IConstant
    {
        int p = TPanels.Value;
        float* x = problem.Input;
        Vector256<float> a00 = Vector256.Load(sums), a01 = Vector256.Load(sums + 8);
        Vector256<float> a10 = p > 1 ? Vector256.Load(sums + 16) : default, a11 = p > 1 ? Vector256.Load(sums + 24) : default;
        Vector256<float> a20 = p > 2 ? Vector256.Load(sums + 32) : default, a21 = p > 2 ? Vector256.Load(sums + 40) : default;
        Vector256<float> a30 = p > 3 ? Vector256.Load(sums + 48) : default, a31 = p > 3 ? Vector256.Load(sums + 56) : default;
        // Each panel's row pointer is computed once: from the problem's fields in the loop, the JIT reloaded and multiplied
        // them on every input feature.
        nint panelBytes = (nint)problem.InFeatures * TRow.RowBytes;
        byte* w0 = (byte*)problem.Compact + panel * panelBytes, w1 = w0 + panelBytes, w2 = w1 + panelBytes, w3 = w2 + panelBytes;
        for (nint k = 0, depth = problem.InFeatures, offset = 0; k < depth; k++, offset += TRow.RowBytes)
        {
            if ((k & 1) == 0 && Sse.IsSupported)
            {
                // As RowBFloat16512: a cold weight streams at half the bandwidth on the hardware prefetcher alone.
                nint ahead = offset + PrefetchAhead * sizeof(ushort);
                Sse.Prefetch0(w0 + ahead);
                if (p > 1) Sse.Prefetch0(w1 + ahead);
                if (p > 2) Sse.Prefetch0(w2 + ahead);
                if (p > 3) Sse.Prefetch0(w3 + ahead);
            }

            Vector256<float> xk = Vector256.Create(x[k]);
            a00 = Vector256.MultiplyAddEstimate(xk, TRow.Low(w0 + offset), a00);
            a01 = Vector256.MultiplyAddEstimate(xk, TRow.High(w0 + offset), a01);
            if (p > 1)
            {
                a10 = Vector256.MultiplyAddEstimate(xk, TRow.Low(w1 + offset), a10);
                a11 = Vector256.MultiplyAddEstimate(xk, TRow.High(w1 + offset), a11);
            }

            if (p > 2)
            {
                a20 = Vector256.MultiplyAddEstimate(xk, TRow.Low(w2 + offset), a20);
                a21 = Vector256.MultiplyAddEstimate(xk, TRow.High(w2 + offset), a21);
            }

            if (p > 3)
            {
                a30 = Vector256.MultiplyAddEstimate(xk, TRow.Low(w3 + offset), a30);
                a31 = Vector256.MultiplyAddEstimate(xk, TRow.High(w3 + offset), a31);
            }
        }

        a00.Store(sums);
        a01.Store(sums + 8);
        if (p > 1) { a10.Store(sums + 16); a11.Store(sums + 24); }
        if (p > 2) { a20.Store(sums + 32); a21.Store(sums + 40); }
        if (p > 3) { a30.Store(sums + 48); a31.Store(sums + 56); }
    }
}
