using System;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// Plain loops, one row by one panel at a time; <see cref="float.MultiplyAddEstimate"/> keeps each sum the
    /// same sequence of multiply-adds as the vector paths (fused where the processor has FMA, a multiply and an add
    /// where it has not, on every path alike), so every path gives the same bits.
    /// </summary>
    private readonly struct ScalarTiles : ITileKernel
    {
        public static int TileRows => 1;

        public static int TilePanels => 1;

        // No cache blocking: this path is the portable reference, not the fast one.
        public static int KBlock => 1 << 30;

        public static int RowBlock => 1 << 30;

        public static unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias)
        {
            float* sums = stackalloc float[PanelWidth];
            for (int j = 0; j < PanelWidth; j++)
            {
                sums[j] = bias != null ? bias[j] : c[j];
            }

            for (int k = 0; k < depth; k++)
            {
                float xk = x[k];
                float* wk = w + k * PanelWidth;
                for (int j = 0; j < PanelWidth; j++)
                {
                    sums[j] = float.MultiplyAddEstimate(xk, wk[j], sums[j]);
                }
            }

            for (int j = 0; j < PanelWidth; j++)
            {
                c[j] = sums[j];
            }
        }
    }
}
