using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// AVX2 + FMA: a 6 × 16 register block. Six rows by two ymm columns is 12 accumulators, plus the two
    /// weight vectors of the current input feature and one broadcast input: 15 of the 16 ymm registers.
    /// Per input feature it issues 12 FMAs against 2 vector loads and 6 broadcasts, and its 12 independent
    /// chains exceed the 8 that two FMA pipes with a 4-cycle latency need: it measures at 95+ % of the FMA
    /// peak when the inputs are in cache.
    /// </summary>
    private readonly struct Vector256Tiles : ITileKernel
    {
        public static int TileRows => 6;

        public static int TilePanels => 1;

        // Measured on Zen 5: a 1024-deep panel (64 KiB) streams from L2 fast enough, while a shallower block
        // (the textbook 256, panel in L1) costs more in reloading partial sums than it saves.
        public static int KBlock => 1024;

        // 48 rows of 1024 inputs is 192 KiB: the row block stays in L2 while every panel passes over it.
        public static int RowBlock => 48;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias) =>
            Tile256<Float32PanelRow>(rows, x, xStride, (byte*)w, depth, c, cStride, bias);
    }

    /// <summary>
    /// <see cref="Vector256Tiles"/> on bf16 panels widened in registers (see <see cref="BFloat16PanelRow"/>): one load, one
    /// shift and one mask per panel row against 12 FMAs. The driver's <c>w</c> addresses bf16 panel rows
    /// (<see cref="BFloat16PanelsInPlace"/>).
    /// </summary>
    private readonly struct BFloat16Vector256Tiles : ITileKernel
    {
        public static int TileRows => Vector256Tiles.TileRows;

        public static int TilePanels => Vector256Tiles.TilePanels;

        public static int KBlock => Vector256Tiles.KBlock;

        public static int RowBlock => Vector256Tiles.RowBlock;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias) =>
            Tile256<BFloat16PanelRow>(rows, x, xStride, (byte*)w, depth, c, cStride, bias);
    }

    private static unsafe void Tile256<TRow>(int rows, float* x, nint xStride, byte* w, int depth, float* c, nint cStride, float* bias)
        where TRow : struct, IPanelRow256
    {
        switch (rows)
        {
            case 6: Tile256<Const6, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            case 5: Tile256<Const5, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            case 4: Tile256<Const4, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            case 3: Tile256<Const3, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            case 2: Tile256<Const2, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            default: Tile256<Const1, TRow>(x, xStride, w, depth, c, cStride, bias); break;
        }
    }

    /// <summary>TRows × 16 outputs over one panel; rows past TRows are never touched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile256<TRows, TRow>(float* x, nint xStride, byte* w, int depth, float* c, nint cStride, float* bias)
        where TRows : struct, IConstant
        where TRow : struct, IPanelRow256
    {
        int n = TRows.Value;
        float* x0 = x, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride;
        float* c0 = c, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride, c4 = c3 + cStride, c5 = c4 + cStride;

        Vector256<float> a00, a01, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        if (bias != null)
        {
            a00 = Vector256.Load(bias);
            a01 = Vector256.Load(bias + 8);
            if (n > 1) { a10 = a00; a11 = a01; }
            if (n > 2) { a20 = a00; a21 = a01; }
            if (n > 3) { a30 = a00; a31 = a01; }
            if (n > 4) { a40 = a00; a41 = a01; }
            if (n > 5) { a50 = a00; a51 = a01; }
        }
        else
        {
            a00 = Vector256.Load(c0);
            a01 = Vector256.Load(c0 + 8);
            if (n > 1) { a10 = Vector256.Load(c1); a11 = Vector256.Load(c1 + 8); }
            if (n > 2) { a20 = Vector256.Load(c2); a21 = Vector256.Load(c2 + 8); }
            if (n > 3) { a30 = Vector256.Load(c3); a31 = Vector256.Load(c3 + 8); }
            if (n > 4) { a40 = Vector256.Load(c4); a41 = Vector256.Load(c4 + 8); }
            if (n > 5) { a50 = Vector256.Load(c5); a51 = Vector256.Load(c5 + 8); }
        }

        for (nint k = 0, count = depth; k < count; k++, w += TRow.RowBytes)
        {
            Vector256<float> w0 = TRow.Low(w);
            Vector256<float> w1 = TRow.High(w);
            Vector256<float> xk = Vector256.Create(x0[k]);
            a00 = Vector256.MultiplyAddEstimate(xk, w0, a00);
            a01 = Vector256.MultiplyAddEstimate(xk, w1, a01);
            if (n > 1)
            {
                xk = Vector256.Create(x1[k]);
                a10 = Vector256.MultiplyAddEstimate(xk, w0, a10);
                a11 = Vector256.MultiplyAddEstimate(xk, w1, a11);
            }

            if (n > 2)
            {
                xk = Vector256.Create(x2[k]);
                a20 = Vector256.MultiplyAddEstimate(xk, w0, a20);
                a21 = Vector256.MultiplyAddEstimate(xk, w1, a21);
            }

            if (n > 3)
            {
                xk = Vector256.Create(x3[k]);
                a30 = Vector256.MultiplyAddEstimate(xk, w0, a30);
                a31 = Vector256.MultiplyAddEstimate(xk, w1, a31);
            }

            if (n > 4)
            {
                xk = Vector256.Create(x4[k]);
                a40 = Vector256.MultiplyAddEstimate(xk, w0, a40);
                a41 = Vector256.MultiplyAddEstimate(xk, w1, a41);
            }

            if (n > 5)
            {
                xk = Vector256.Create(x5[k]);
                a50 = Vector256.MultiplyAddEstimate(xk, w0, a50);
                a51 = Vector256.MultiplyAddEstimate(xk, w1, a51);
            }
        }

        a00.Store(c0);
        a01.Store(c0 + 8);
        if (n > 1) { a10.Store(c1); a11.Store(c1 + 8); }
        if (n > 2) { a20.Store(c2); a21.Store(c2 + 8); }
        if (n > 3) { a30.Store(c3); a31.Store(c3 + 8); }
        if (n > 4) { a40.Store(c4); a41.Store(c4 + 8); }
        if (n > 5) { a50.Store(c5); a51.Store(c5 + 8); }
    }
}
