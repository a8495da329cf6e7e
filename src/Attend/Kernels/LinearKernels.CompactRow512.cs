using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// One row (a decode step) on AVX-512 from bf16 panels, decoded in registers: each 16-wide panel row is one
    /// <c>vpmovzxwd</c> load and one shift, so the register holds the columns in the panels' interleaved order (lane
    /// <c>2j</c> = column <c>j</c>, lane <c>2j + 1</c> = column <c>8 + j</c>); the starting sums go in and the results come
    /// out in that order. 8 panels (8 accumulators) over every input feature, each weight read once as 2 bytes. Each sum is
    /// the same chain of FMAs from the bias as the float one-row tile's, so the bits are the same.
    /// </summary>
    /// <remarks>
    /// The scratch path this replaces for one row stored and reloaded every decoded float and ran at 0.50–0.80× float32 on
    /// Zen 5 (1 × 384 → 384 … 512 → 2048, weights hot).
    /// </remarks>
    private static unsafe void RowBFloat16512(in Problem problem)
    {
        int panelCount = PanelCount(problem.OutFeatures);
        float* sums = stackalloc float[RowPanels512 * PanelWidth];
        float* columns = stackalloc float[PanelWidth];
        for (int panel = 0; panel < panelCount; panel += RowPanels512)
        {
            int panels = Math.Min(RowPanels512, panelCount - panel);
            int col0 = panel * PanelWidth;
            int cols = Math.Min(panels * PanelWidth, problem.OutFeatures - col0);
            for (int p = 0; p < panels; p++)
            {
                int first = p * PanelWidth, count = Math.Clamp(cols - first, 0, PanelWidth);
                Vector512<float> bias = Vector512<float>.Zero;
                if (problem.Bias != null && count == PanelWidth)
                {
                    bias = Vector512.Load(problem.Bias + col0 + first);
                }
                else if (problem.Bias != null)
                {
                    new Span<float>(columns, PanelWidth).Clear();
                    new ReadOnlySpan<float>(problem.Bias + col0 + first, count).CopyTo(new Span<float>(columns, PanelWidth));
                    bias = Vector512.Load(columns);
                }

                BFloat16PanelRow.ToRegisterOrder(bias).Store(sums + first);
            }

            switch (panels)
            {
                case 8: RowBFloat16512<Const8>(problem, panel, sums); break;
                case 7: RowBFloat16512<Const7>(problem, panel, sums); break;
                case 6: RowBFloat16512<Const6>(problem, panel, sums); break;
                case 5: RowBFloat16512<Const5>(problem, panel, sums); break;
                case 4: RowBFloat16512<Const4>(problem, panel, sums); break;
                case 3: RowBFloat16512<Const3>(problem, panel, sums); break;
                case 2: RowBFloat16512<Const2>(problem, panel, sums); break;
                default: RowBFloat16512<Const1>(problem, panel, sums); break;
            }

            for (int p = 0; p < panels; p++)
            {
                int first = p * PanelWidth, count = Math.Clamp(cols - first, 0, PanelWidth);
                Vector512<float> result = BFloat16PanelRow.ToColumnOrder(Vector512.Load(sums + first));
                if (count == PanelWidth)
                {
                    result.Store(problem.Output + col0 + first);
                }
                else
                {
                    result.Store(columns);
                    new ReadOnlySpan<float>(columns, count).CopyTo(new Span<float>(problem.Output + col0 + first, count));
                }
            }
        }
    }

    // Eight panels are eight streams from memory: with four, a cold weight (a decode step through a model) read at
    // half the bandwidth the float one-row tile's eight get.
    private const int RowPanels512 = 8;

    /// <summary>bf16 values ahead of the current row that each panel's prefetch asks for (1 KiB: 32 rows).</summary>
    private const int PrefetchAhead = 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowBFloat16512<TPanels>(in Problem problem, int panel, float* sums)
        where TPanels : struct, IConstant
    {
        int p = TPanels.Value;
        float* x = problem.Input;
        nint panelStride = (nint)problem.InFeatures * PanelWidth;
        ushort* w0 = (ushort*)problem.Compact + panel * panelStride, w1 = w0 + panelStride, w2 = w1 + panelStride, w3 = w2 + panelStride;
        ushort* w4 = w3 + panelStride, w5 = w4 + panelStride, w6 = w5 + panelStride, w7 = w6 + panelStride;
        Vector512<float> a0 = Vector512.Load(sums);
        Vector512<float> a1 = p > 1 ? Vector512.Load(sums + 16) : default;
        Vector512<float> a2 = p > 2 ? Vector512.Load(sums + 32) : default;
        Vector512<float> a3 = p > 3 ? Vector512.Load(sums + 48) : default;
        Vector512<float> a4 = p > 4 ? Vector512.Load(sums + 64) : default;
        Vector512<float> a5 = p > 5 ? Vector512.Load(sums + 80) : default;
        Vector512<float> a6 = p > 6 ? Vector512.Load(sums + 96) : default;
        Vector512<float> a7 = p > 7 ? Vector512.Load(sums + 112) : default;
        for (nint k = 0, depth = problem.InFeatures, offset = 0; k < depth; k++, offset += PanelWidth)
        {
            if ((k & 1) == 0)
            {
                // Half a line a panel a step: the hardware prefetcher alone left a cold weight at half the bandwidth.
                Sse.Prefetch0(w0 + offset + PrefetchAhead);
                if (p > 1) Sse.Prefetch0(w1 + offset + PrefetchAhead);
                if (p > 2) Sse.Prefetch0(w2 + offset + PrefetchAhead);
                if (p > 3) Sse.Prefetch0(w3 + offset + PrefetchAhead);
                if (p > 4) Sse.Prefetch0(w4 + offset + PrefetchAhead);
                if (p > 5) Sse.Prefetch0(w5 + offset + PrefetchAhead);
                if (p > 6) Sse.Prefetch0(w6 + offset + PrefetchAhead);
                if (p > 7) Sse.Prefetch0(w7 + offset + PrefetchAhead);
            }

            Vector512<float> xk = Vector512.Create(x[k]);
            a0 = Vector512.MultiplyAddEstimate(xk, Widen(w0 + offset), a0);
            if (p > 1)
            {
                a1 = Vector512.MultiplyAddEstimate(xk, Widen(w1 + offset), a1);
            }

            if (p > 2)
            {
                a2 = Vector512.MultiplyAddEstimate(xk, Widen(w2 + offset), a2);
            }

            if (p > 3)
            {
                a3 = Vector512.MultiplyAddEstimate(xk, Widen(w3 + offset), a3);
            }

            if (p > 4)
            {
                a4 = Vector512.MultiplyAddEstimate(xk, Widen(w4 + offset), a4);
            }

            if (p > 5)
            {
                a5 = Vector512.MultiplyAddEstimate(xk, Widen(w5 + offset), a5);
            }

            if (p > 6)
            {
                a6 = Vector512.MultiplyAddEstimate(xk, Widen(w6 + offset), a6);
            }

            if (p > 7)
            {
                a7 = Vector512.MultiplyAddEstimate(xk, Widen(w7 + offset), a7);
            }
        }

        a0.Store(sums);
        if (p > 1) { a1.Store(sums + 16); }
        if (p > 2) { a2.Store(sums + 32); }
        if (p > 3) { a3.Store(sums + 48); }
        if (p > 4) { a4.Store(sums + 64); }
        if (p > 5) { a5.Store(sums + 80); }
        if (p > 6) { a6.Store(sums + 96); }
        if (p > 7) { a7.Store(sums + 112); }
    }

    /// <summary>16 bf16 to 16 floats, in memory order: a bf16 is the top half of its float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Widen(ushort* source) => BFloat16PanelRow.Load((byte*)source);
}
