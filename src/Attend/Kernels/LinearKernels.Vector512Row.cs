using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// AVX-512 for a single row (decoding one token): one row × 8 panels (128 columns), 8 zmm accumulators
    /// = 8 independent FMA chains, each FMA reading its weights straight from memory.
    /// </summary>
    private readonly struct RowTile512Tiles : ITileKernel
    {
        public static int TileRows => 1;

        public static int TilePanels => 8;

        // Every weight is read once per call whatever the blocking; it only bounds the partial-sum reloads.
        public static int KBlock => 1024;

        public static int RowBlock => 1;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias)
        {
            switch (panels)
            {
                case 8: RowTile512<Const8>(x, w, panelStride, depth, c, bias); break;
                case 7: RowTile512<Const7>(x, w, panelStride, depth, c, bias); break;
                case 6: RowTile512<Const6>(x, w, panelStride, depth, c, bias); break;
                case 5: RowTile512<Const5>(x, w, panelStride, depth, c, bias); break;
                case 4: RowTile512<Const4>(x, w, panelStride, depth, c, bias); break;
                case 3: RowTile512<Const3>(x, w, panelStride, depth, c, bias); break;
                case 2: RowTile512<Const2>(x, w, panelStride, depth, c, bias); break;
                default: RowTile512<Const1>(x, w, panelStride, depth, c, bias); break;
            }
        }
    }

    /// <summary>One row × 16·TPanels outputs; panels past TPanels are never touched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowTile512<TPanels>(float* x, float* w, nint panelStride, int depth, float* c, float* bias)
        where TPanels : struct, IConstant
    {
        int p = TPanels.Value;
        float* w0 = w, w1 = w0 + panelStride, w2 = w1 + panelStride, w3 = w2 + panelStride;
        float* w4 = w3 + panelStride, w5 = w4 + panelStride, w6 = w5 + panelStride, w7 = w6 + panelStride;
        float* start = bias != null ? bias : c; // the starting sums, 16 per panel
        Vector512<float> a0 = Vector512.Load(start);
        Vector512<float> a1 = default;
        Vector512<float> a2 = default;
        Vector512<float> a3 = default;
        Vector512<float> a4 = default;
        Vector512<float> a5 = default;
        Vector512<float> a6 = default;
        Vector512<float> a7 = default;
        if (p > 1)
        {
            a1 = Vector512.Load(start + 16);
        }

        if (p > 2)
        {
            a2 = Vector512.Load(start + 32);
        }

        if (p > 3)
        {
            a3 = Vector512.Load(start + 48);
        }

        if (p > 4)
        {
            a4 = Vector512.Load(start + 64);
        }

        if (p > 5)
        {
            a5 = Vector512.Load(start + 80);
        }

        if (p > 6)
        {
            a6 = Vector512.Load(start + 96);
        }

        if (p > 7)
        {
            a7 = Vector512.Load(start + 112);
        }

        for (nint k = 0, count = depth, offset = 0; k < count; k++, offset += PanelWidth)
        {
            Vector512<float> xk = Vector512.Create(x[k]);
            a0 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w0 + offset), a0);

            if (p > 1)
            {
                a1 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w1 + offset), a1);
            }

            if (p > 2)
            {
                a2 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w2 + offset), a2);
            }

            if (p > 3)
            {
                a3 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w3 + offset), a3);
            }

            if (p > 4)
            {
                a4 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w4 + offset), a4);
            }

            if (p > 5)
            {
                a5 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w5 + offset), a5);
            }

            if (p > 6)
            {
                a6 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w6 + offset), a6);
            }

            if (p > 7)
            {
                a7 = Vector512.MultiplyAddEstimate(xk, Vector512.Load(w7 + offset), a7);
            }
        }

        a0.Store(c);
        if (p > 1)
        {
            a1.Store(c + 16);
        }

        if (p > 2)
        {
            a2.Store(c + 32);
        }

        if (p > 3)
        {
            a3.Store(c + 48);
        }

        if (p > 4)
        {
            a4.Store(c + 64);
        }

        if (p > 5)
        {
            a5.Store(c + 80);
        }

        if (p > 6)
        {
            a6.Store(c + 96);
        }

        if (p > 7)
        {
            a7.Store(c + 112);
        }
    }
}
