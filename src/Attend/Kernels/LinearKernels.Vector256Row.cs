using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// AVX2 + FMA for a single row (decoding one token): one row × 4 panels (64 columns). A 6-row block
    /// would run one row with 2 dependent FMA chains, a quarter of what two pipes with a 4-cycle latency
    /// need; four panels give 8 chains in 8 ymm accumulators, each FMA reading its weights from memory.
    /// </summary>
    private readonly struct RowTile256Tiles : ITileKernel
    {
        public static int TileRows => 1;

        public static int TilePanels => 4;

        // Each weight is used once per call: blocking only bounds how far apart the partial-sum reloads are.
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
        float* s = bias != null ? bias : c; // the starting sums, 16 per panel
        Vector256<float> a00 = Vector256.Load(s + 0), a01 = Vector256.Load(s + 8), a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        if (p > 1) { a10 = Vector256.Load(s + 16); a11 = Vector256.Load(s + 24); }
        if (p > 2) { a20 = Vector256.Load(s + 32); a21 = Vector256.Load(s + 40); }
        if (p > 3) { a30 = Vector256.Load(s + 48); a31 = Vector256.Load(s + 56); }

        for (nint k = 0, offset = 0; k < depth; k++, offset += PanelWidth)
        {
            Vector256<float> xk = Vector256.Create(x[k]);
            a00 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w0 + offset), a00); a01 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w0 + offset + 8), a01);
            if (p > 1) { a10 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w1 + offset), a10); a11 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w1 + offset + 8), a11); }
            if (p > 2) { a20 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w2 + offset), a20); a21 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w2 + offset + 8), a21); }
            if (p > 3) { a30 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w3 + offset), a30); a31 = Vector256.FusedMultiplyAdd(xk, Vector256.Load(w3 + offset + 8), a31); }
        }

        a00.Store(c + 0); a01.Store(c + 8);
        if (p > 1) { a10.Store(c + 16); a11.Store(c + 24); }
        if (p > 2) { a20.Store(c + 32); a21.Store(c + 40); }
        if (p > 3) { a30.Store(c + 48); a31.Store(c + 56); }
    }
}
