using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// SSE / NEON: each 16-wide panel is done as two 6 × 8 register blocks, left half then right half.
    /// Six rows by two xmm columns is 12 accumulators, plus 2 weight vectors and 1 broadcast: 15 of the 16
    /// xmm registers x64 has (NEON has 32, but the same block already hides the FMA latency).
    /// </summary>
    private readonly struct Vector128Tiles : ITileKernel
    {
        public static int TileRows => 6;

        public static int TilePanels => 1;

        // Same blocking as Vector256: the panel streams from L2, the row block stays there.
        public static int KBlock => 1024;

        public static int RowBlock => 48;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias)
        {
            float* rightBias = bias == null ? null : bias + 8;
            switch (rows)
            {
                case 6:
                    Tile128<Const6>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const6>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
                case 5:
                    Tile128<Const5>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const5>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
                case 4:
                    Tile128<Const4>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const4>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
                case 3:
                    Tile128<Const3>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const3>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
                case 2:
                    Tile128<Const2>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const2>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
                default:
                    Tile128<Const1>(x, xStride, w, depth, c, cStride, bias);
                    Tile128<Const1>(x, xStride, w + 8, depth, c + 8, cStride, rightBias);
                    break;
            }
        }
    }

    /// <summary>TRows × 8 outputs: one half of a panel, whose rows are 16 floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile128<TRows>(float* x, nint xStride, float* w, int depth, float* c, nint cStride, float* bias)
        where TRows : struct, IConstant
    {
        int n = TRows.Value;
        float* x0 = x, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride;
        float* c0 = c, c1 = c0 + cStride, c2 = c1 + cStride, c3 = c2 + cStride, c4 = c3 + cStride, c5 = c4 + cStride;

        Vector128<float> a00, a01, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        if (bias != null)
        {
            a00 = Vector128.Load(bias);
            a01 = Vector128.Load(bias + 4);
            if (n > 1) { a10 = a00; a11 = a01; }
            if (n > 2) { a20 = a00; a21 = a01; }
            if (n > 3) { a30 = a00; a31 = a01; }
            if (n > 4) { a40 = a00; a41 = a01; }
            if (n > 5) { a50 = a00; a51 = a01; }
        }
        else
        {
            a00 = Vector128.Load(c0);
            a01 = Vector128.Load(c0 + 4);
            if (n > 1) { a10 = Vector128.Load(c1); a11 = Vector128.Load(c1 + 4); }
            if (n > 2) { a20 = Vector128.Load(c2); a21 = Vector128.Load(c2 + 4); }
            if (n > 3) { a30 = Vector128.Load(c3); a31 = Vector128.Load(c3 + 4); }
            if (n > 4) { a40 = Vector128.Load(c4); a41 = Vector128.Load(c4 + 4); }
            if (n > 5) { a50 = Vector128.Load(c5); a51 = Vector128.Load(c5 + 4); }
        }

        for (nint k = 0, count = depth; k < count; k++, w += PanelWidth)
        {
            Vector128<float> w0 = Vector128.Load(w);
            Vector128<float> w1 = Vector128.Load(w + 4);
            Vector128<float> xk = Vector128.Create(x0[k]);
            a00 = Vector128.MultiplyAddEstimate(xk, w0, a00);
            a01 = Vector128.MultiplyAddEstimate(xk, w1, a01);
            if (n > 1)
            {
                xk = Vector128.Create(x1[k]);
                a10 = Vector128.MultiplyAddEstimate(xk, w0, a10);
                a11 = Vector128.MultiplyAddEstimate(xk, w1, a11);
            }

            if (n > 2)
            {
                xk = Vector128.Create(x2[k]);
                a20 = Vector128.MultiplyAddEstimate(xk, w0, a20);
                a21 = Vector128.MultiplyAddEstimate(xk, w1, a21);
            }

            if (n > 3)
            {
                xk = Vector128.Create(x3[k]);
                a30 = Vector128.MultiplyAddEstimate(xk, w0, a30);
                a31 = Vector128.MultiplyAddEstimate(xk, w1, a31);
            }

            if (n > 4)
            {
                xk = Vector128.Create(x4[k]);
                a40 = Vector128.MultiplyAddEstimate(xk, w0, a40);
                a41 = Vector128.MultiplyAddEstimate(xk, w1, a41);
            }

            if (n > 5)
            {
                xk = Vector128.Create(x5[k]);
                a50 = Vector128.MultiplyAddEstimate(xk, w0, a50);
                a51 = Vector128.MultiplyAddEstimate(xk, w1, a51);
            }
        }

        a00.Store(c0);
        a01.Store(c0 + 4);
        if (n > 1) { a10.Store(c1); a11.Store(c1 + 4); }
        if (n > 2) { a20.Store(c2); a21.Store(c2 + 4); }
        if (n > 3) { a30.Store(c3); a31.Store(c3 + 4); }
        if (n > 4) { a40.Store(c4); a41.Store(c4 + 4); }
        if (n > 5) { a50.Store(c5); a51.Store(c5 + 4); }
    }
}
