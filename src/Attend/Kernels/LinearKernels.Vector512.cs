using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// AVX-512: an 8 × 32 register block over two adjacent panels. Eight rows by two zmm columns is 16
    /// accumulators, plus 2 weight vectors and a broadcast: 19 of the 32 zmm registers. The height is
    /// bounded by general-purpose registers, not vector ones: each row keeps its own input pointer, and
    /// 8 rows + 2 panels + the counter and bound already take 12 of x64's 16. 16 independent chains cover
    /// the FMA latency of two 512-bit pipes twice; per input feature it issues 16 FMAs against 2 vector
    /// loads and 8 broadcasts, and measures at the FMA peak on Zen 5. Where AVX-512 is missing Vector512
    /// is emulated: correct, and slow.
    /// </summary>
    private readonly struct Vector512Tiles : ITileKernel
    {
        public static int TileRows => 8;

        public static int TilePanels => 2;

        // As for Vector256: the panel pair (128 KiB at 1024 features) streams from L2; shallower blocks lose
        // more to reloading partial sums than they gain.
        public static int KBlock => 1024;

        // 48 rows of 1024 inputs is 192 KiB: the row block stays in L2 while every panel pair passes over it.
        public static int RowBlock => 48;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias) =>
            Tile512<Float32PanelRow>(rows, panels, x, xStride, (byte*)w, panelStride * sizeof(float), depth, c, cStride, bias);
    }

    /// <summary>
    /// <see cref="Vector512Tiles"/> on bf16 panels widened in registers (see <see cref="BFloat16PanelRow"/>): the driver's
    /// <c>w</c> addresses bf16 panel rows and its panel stride counts 4-byte units (<see cref="BFloat16PanelsInPlace"/>).
    /// One zero-extending load and one shift per panel row against 8 FMAs, instead of a float round trip through a scratch.
    /// </summary>
    private readonly struct BFloat16Vector512Tiles : ITileKernel
    {
        public static int TileRows => Vector512Tiles.TileRows;

        public static int TilePanels => Vector512Tiles.TilePanels;

        public static int KBlock => Vector512Tiles.KBlock;

        public static int RowBlock => Vector512Tiles.RowBlock;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias) =>
            Tile512<BFloat16PanelRow>(rows, panels, x, xStride, (byte*)w, panelStride * sizeof(float), depth, c, cStride, bias);
    }

    private static unsafe void Tile512<TRow>(int rows, int panels, float* x, nint xStride, byte* w, nint panelBytes,
        int depth, float* c, nint cStride, float* bias)
        where TRow : struct, IPanelRow512
    {
        if (panels == 2)
        {
            switch (rows)
            {
                case 8: Tile512x2<Const8, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 7: Tile512x2<Const7, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 6: Tile512x2<Const6, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 5: Tile512x2<Const5, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 4: Tile512x2<Const4, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 3: Tile512x2<Const3, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                case 2: Tile512x2<Const2, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
                default: Tile512x2<Const1, TRow>(x, xStride, w, panelBytes, depth, c, cStride, bias); break;
            }
        }
        else
        {
            switch (rows)
            {
                case 8: Tile512x1<Const8, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 7: Tile512x1<Const7, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 6: Tile512x1<Const6, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 5: Tile512x1<Const5, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 4: Tile512x1<Const4, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 3: Tile512x1<Const3, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                case 2: Tile512x1<Const2, TRow>(x, xStride, w, depth, c, cStride, bias); break;
                default: Tile512x1<Const1, TRow>(x, xStride, w, depth, c, cStride, bias); break;
            }
        }
    }

    /// <summary>TRows × 32 outputs over two adjacent panels (<paramref name="panelBytes"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512x2<TRows, TRow>(float* x, nint xStride, byte* w, nint panelBytes, int depth,
        float* c, nint cStride, float* bias)
        where TRows : struct, IConstant
        where TRow : struct, IPanelRow512
    {
        int n = TRows.Value;
        float* x0 = x, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        float* x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride;
        float* c0 = c, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
        float* c4 = c3 + cStride, c5 = c4 + cStride, c6 = c5 + cStride, c7 = c6 + cStride;
        byte* v = w + panelBytes; // the second panel

        Vector512<float> a00, a01, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        Vector512<float> a40 = default, a41 = default, a50 = default, a51 = default, a60 = default, a61 = default, a70 = default, a71 = default;
        if (bias != null)
        {
            a00 = TRow.ToRegisterOrder(Vector512.Load(bias));
            a01 = TRow.ToRegisterOrder(Vector512.Load(bias + 16));
            if (n > 1) { a10 = a00; a11 = a01; }
            if (n > 2) { a20 = a00; a21 = a01; }
            if (n > 3) { a30 = a00; a31 = a01; }
            if (n > 4) { a40 = a00; a41 = a01; }
            if (n > 5) { a50 = a00; a51 = a01; }
            if (n > 6) { a60 = a00; a61 = a01; }
            if (n > 7) { a70 = a00; a71 = a01; }
        }
        else
        {
            a00 = TRow.ToRegisterOrder(Vector512.Load(c0));
            a01 = TRow.ToRegisterOrder(Vector512.Load(c0 + 16));
            if (n > 1) { a10 = TRow.ToRegisterOrder(Vector512.Load(c1)); a11 = TRow.ToRegisterOrder(Vector512.Load(c1 + 16)); }
            if (n > 2) { a20 = TRow.ToRegisterOrder(Vector512.Load(c2)); a21 = TRow.ToRegisterOrder(Vector512.Load(c2 + 16)); }
            if (n > 3) { a30 = TRow.ToRegisterOrder(Vector512.Load(c3)); a31 = TRow.ToRegisterOrder(Vector512.Load(c3 + 16)); }
            if (n > 4) { a40 = TRow.ToRegisterOrder(Vector512.Load(c4)); a41 = TRow.ToRegisterOrder(Vector512.Load(c4 + 16)); }
            if (n > 5) { a50 = TRow.ToRegisterOrder(Vector512.Load(c5)); a51 = TRow.ToRegisterOrder(Vector512.Load(c5 + 16)); }
            if (n > 6) { a60 = TRow.ToRegisterOrder(Vector512.Load(c6)); a61 = TRow.ToRegisterOrder(Vector512.Load(c6 + 16)); }
            if (n > 7) { a70 = TRow.ToRegisterOrder(Vector512.Load(c7)); a71 = TRow.ToRegisterOrder(Vector512.Load(c7 + 16)); }
        }

        for (nint k = 0, count = depth; k < count; k++, w += TRow.RowBytes, v += TRow.RowBytes)
        {
            Vector512<float> w0 = TRow.Load(w);
            Vector512<float> w1 = TRow.Load(v);
            Vector512<float> xk = Vector512.Create(x0[k]);
            a00 = Vector512.MultiplyAddEstimate(xk, w0, a00);
            a01 = Vector512.MultiplyAddEstimate(xk, w1, a01);
            if (n > 1)
            {
                xk = Vector512.Create(x1[k]);
                a10 = Vector512.MultiplyAddEstimate(xk, w0, a10);
                a11 = Vector512.MultiplyAddEstimate(xk, w1, a11);
            }

            if (n > 2)
            {
                xk = Vector512.Create(x2[k]);
                a20 = Vector512.MultiplyAddEstimate(xk, w0, a20);
                a21 = Vector512.MultiplyAddEstimate(xk, w1, a21);
            }

            if (n > 3)
            {
                xk = Vector512.Create(x3[k]);
                a30 = Vector512.MultiplyAddEstimate(xk, w0, a30);
                a31 = Vector512.MultiplyAddEstimate(xk, w1, a31);
            }

            if (n > 4)
            {
                xk = Vector512.Create(x4[k]);
                a40 = Vector512.MultiplyAddEstimate(xk, w0, a40);
                a41 = Vector512.MultiplyAddEstimate(xk, w1, a41);
            }

            if (n > 5)
            {
                xk = Vector512.Create(x5[k]);
                a50 = Vector512.MultiplyAddEstimate(xk, w0, a50);
                a51 = Vector512.MultiplyAddEstimate(xk, w1, a51);
            }

            if (n > 6)
            {
                xk = Vector512.Create(x6[k]);
                a60 = Vector512.MultiplyAddEstimate(xk, w0, a60);
                a61 = Vector512.MultiplyAddEstimate(xk, w1, a61);
            }

            if (n > 7)
            {
                xk = Vector512.Create(x7[k]);
                a70 = Vector512.MultiplyAddEstimate(xk, w0, a70);
                a71 = Vector512.MultiplyAddEstimate(xk, w1, a71);
            }
        }

        TRow.ToColumnOrder(a00).Store(c0);
        TRow.ToColumnOrder(a01).Store(c0 + 16);
        if (n > 1) { TRow.ToColumnOrder(a10).Store(c1); TRow.ToColumnOrder(a11).Store(c1 + 16); }
        if (n > 2) { TRow.ToColumnOrder(a20).Store(c2); TRow.ToColumnOrder(a21).Store(c2 + 16); }
        if (n > 3) { TRow.ToColumnOrder(a30).Store(c3); TRow.ToColumnOrder(a31).Store(c3 + 16); }
        if (n > 4) { TRow.ToColumnOrder(a40).Store(c4); TRow.ToColumnOrder(a41).Store(c4 + 16); }
        if (n > 5) { TRow.ToColumnOrder(a50).Store(c5); TRow.ToColumnOrder(a51).Store(c5 + 16); }
        if (n > 6) { TRow.ToColumnOrder(a60).Store(c6); TRow.ToColumnOrder(a61).Store(c6 + 16); }
        if (n > 7) { TRow.ToColumnOrder(a70).Store(c7); TRow.ToColumnOrder(a71).Store(c7 + 16); }
    }

    /// <summary>TRows × 16 outputs over one panel: the odd last panel of a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile512x1<TRows, TRow>(float* x, nint xStride, byte* w, int depth, float* c, nint cStride,
        float* bias)
        where TRows : struct, IConstant
        where TRow : struct, IPanelRow512
    {
        int n = TRows.Value;
        float* x0 = x, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        float* x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride;
        float* c0 = c, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
        float* c4 = c3 + cStride, c5 = c4 + cStride, c6 = c5 + cStride, c7 = c6 + cStride;

        Vector512<float> a0, a1 = default, a2 = default, a3 = default;
        Vector512<float> a4 = default, a5 = default, a6 = default, a7 = default;
        if (bias != null)
        {
            a0 = TRow.ToRegisterOrder(Vector512.Load(bias));
            if (n > 1) { a1 = a0; }
            if (n > 2) { a2 = a0; }
            if (n > 3) { a3 = a0; }
            if (n > 4) { a4 = a0; }
            if (n > 5) { a5 = a0; }
            if (n > 6) { a6 = a0; }
            if (n > 7) { a7 = a0; }
        }
        else
        {
            a0 = TRow.ToRegisterOrder(Vector512.Load(c0));
            if (n > 1) { a1 = TRow.ToRegisterOrder(Vector512.Load(c1)); }
            if (n > 2) { a2 = TRow.ToRegisterOrder(Vector512.Load(c2)); }
            if (n > 3) { a3 = TRow.ToRegisterOrder(Vector512.Load(c3)); }
            if (n > 4) { a4 = TRow.ToRegisterOrder(Vector512.Load(c4)); }
            if (n > 5) { a5 = TRow.ToRegisterOrder(Vector512.Load(c5)); }
            if (n > 6) { a6 = TRow.ToRegisterOrder(Vector512.Load(c6)); }
            if (n > 7) { a7 = TRow.ToRegisterOrder(Vector512.Load(c7)); }
        }

        for (nint k = 0, count = depth; k < count; k++, w += TRow.RowBytes)
        {
            Vector512<float> w0 = TRow.Load(w);
            a0 = Vector512.MultiplyAddEstimate(Vector512.Create(x0[k]), w0, a0);
            if (n > 1) { a1 = Vector512.MultiplyAddEstimate(Vector512.Create(x1[k]), w0, a1); }
            if (n > 2) { a2 = Vector512.MultiplyAddEstimate(Vector512.Create(x2[k]), w0, a2); }
            if (n > 3) { a3 = Vector512.MultiplyAddEstimate(Vector512.Create(x3[k]), w0, a3); }
            if (n > 4) { a4 = Vector512.MultiplyAddEstimate(Vector512.Create(x4[k]), w0, a4); }
            if (n > 5) { a5 = Vector512.MultiplyAddEstimate(Vector512.Create(x5[k]), w0, a5); }
            if (n > 6) { a6 = Vector512.MultiplyAddEstimate(Vector512.Create(x6[k]), w0, a6); }
            if (n > 7) { a7 = Vector512.MultiplyAddEstimate(Vector512.Create(x7[k]), w0, a7); }
        }

        TRow.ToColumnOrder(a0).Store(c0);
        if (n > 1) { TRow.ToColumnOrder(a1).Store(c1); }
        if (n > 2) { TRow.ToColumnOrder(a2).Store(c2); }
        if (n > 3) { TRow.ToColumnOrder(a3).Store(c3); }
        if (n > 4) { TRow.ToColumnOrder(a4).Store(c4); }
        if (n > 5) { TRow.ToColumnOrder(a5).Store(c5); }
        if (n > 6) { TRow.ToColumnOrder(a6).Store(c6); }
        if (n > 7) { TRow.ToColumnOrder(a7).Store(c7); }
    }
}
