using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// AVX2 + FMA for a single row (decoding one token): one row × 4 panels (64 columns). The 6-row tile
    /// would run one row as 2 dependent FMA chains, a quarter of the 8 that two pipes with a 4-cycle
    /// latency need; four panels give 8 chains in 8 ymm accumulators, each FMA reading its weights straight
    /// from memory. Measured memory-bound (the weight is read once).
    /// </summary>
    private readonly struct RowTile256Tiles : ITileKernel
    {
        public static int TileRows => 1;

        public static int TilePanels => 4;

        // Every weight is read once per call whatever the blocking; it only bounds the partial-sum reloads.
        public static int KBlock => 1024;

        public static int RowBlock => 1;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias)
        {
            switch (panels)
            {
                case 4: RowTile256<Const4>(x, w, panelStride, depth, c, bias); break;
                case 3: RowTile256<Const3>(x, w, panelStride, depth, c, bias); break;
                case 2: RowTile256<Const2>(x, w, panelStride, depth, c, bias); break;
                default: RowTile256<Const1>(x, w, panelStride, depth, c, bias); break;
            }
        }
    }

    /// <summary>One row × 16·TPanels outputs; panels past TPanels are never touched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowTile256<TPanels>(float* x, float* w, nint panelStride, int depth, float* c, float* bias)
        where TPanels : struct, IConstant
    {
        int p = TPanels.Value;
        float* w0 = w, w1 = w0 + panelStride, w2 = w1 + panelStride, w3 = w2 + panelStride;
        float* start = bias != null ? bias : c; // the starting sums, 16 per panel
        Vector256<float> a00 = Vector256.Load(start), a01 = Vector256.Load(start + 8);
        Vector256<float> a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default;
        if (p > 1)
        {
            a10 = Vector256.Load(start + 16);
            a11 = Vector256.Load(start + 24);
        }

        if (p > 2)
        {
            a20 = Vector256.Load(start + 32);
            a21 = Vector256.Load(start + 40);
        }

        if (p > 3)
        {
            a30 = Vector256.Load(start + 48);
            a31 = Vector256.Load(start + 56);
        }

        for (nint k = 0, count = depth, offset = 0; k < count; k++, offset += PanelWidth)
        {
            Vector256<float> xk = Vector256.Create(x[k]);
            a00 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w0 + offset), a00);
            a01 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w0 + offset + 8), a01);

            if (p > 1)
            {
                a10 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w1 + offset), a10);
                a11 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w1 + offset + 8), a11);
            }

            if (p > 2)
            {
                a20 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w2 + offset), a20);
                a21 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w2 + offset + 8), a21);
            }

            if (p > 3)
            {
                a30 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w3 + offset), a30);
                a31 = Vector256.MultiplyAddEstimate(xk, Vector256.Load(w3 + offset + 8), a31);
            }
        }

        a00.Store(c);
        a01.Store(c + 8);
        if (p > 1)
        {
            a10.Store(c + 16);
            a11.Store(c + 24);
        }

        if (p > 2)
        {
            a20.Store(c + 32);
            a21.Store(c + 40);
        }

        if (p > 3)
        {
            a30.Store(c + 48);
            a31.Store(c + 56);
        }
    }
}
