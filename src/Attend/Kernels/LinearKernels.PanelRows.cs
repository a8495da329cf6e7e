using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// How a multi-row tile reads one input feature's 16 weights of a panel: float panels as they are, or bf16 panels
    /// widened in registers (a bf16 is the top half of its float, so widening is exact and each column's sum is the same
    /// chain of FMAs either way: the same bits as the float tile on the decoded weights).
    /// </summary>
    private interface IPanelRowFormat
    {
        /// <summary>Bytes from one input feature's row of a panel to the next.</summary>
        static abstract int RowBytes { get; }
    }

    /// <summary>A panel row as one 512-bit register, its lanes in the format's register order.</summary>
    private interface IPanelRow512 : IPanelRowFormat
    {
        static abstract unsafe Vector512<float> Load(byte* row);

        /// <summary>16 sums in column order to the register order <see cref="Load"/> gives.</summary>
        static abstract Vector512<float> ToRegisterOrder(Vector512<float> columns);

        /// <summary>The inverse of <see cref="ToRegisterOrder"/>.</summary>
        static abstract Vector512<float> ToColumnOrder(Vector512<float> lanes);
    }

    /// <summary>A panel row as two 256-bit registers: columns 0–7 and 8–15.</summary>
    private interface IPanelRow256 : IPanelRowFormat
    {
        static abstract unsafe Vector256<float> Low(byte* row);

        static abstract unsafe Vector256<float> High(byte* row);
    }

    private readonly struct Float32PanelRow : IPanelRow512, IPanelRow256
    {
        public static int RowBytes => PanelWidth * sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector512<float> Load(byte* row) => Vector512.Load((float*)row);

        public static Vector512<float> ToRegisterOrder(Vector512<float> columns) => columns;

        public static Vector512<float> ToColumnOrder(Vector512<float> lanes) => lanes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Low(byte* row) => Vector256.Load((float*)row);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> High(byte* row) => Vector256.Load((float*)row + 8);
    }

    /// <summary>
    /// bf16 panel rows (see <see cref="BFloat16Panels"/>: 32-bit lane <c>j</c> holds column <c>j</c> low and <c>8 + j</c>
    /// high). 256 bits: one shift gives columns 0–7, one mask 8–15. 512 bits: one zero-extending load and one shift give all
    /// 16 in the interleaved order 0, 8, 1, 9, …, 7, 15, so the tile keeps its sums in that order and permutes them once on
    /// the way in and out.
    /// </summary>
    private readonly struct BFloat16PanelRow : IPanelRow512, IPanelRow256
    {
        public static int RowBytes => PanelWidth * sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector512<float> Load(byte* row)
        {
            // The AVX-512 form folds the load into vpmovzxwd; the portable one keeps a forced Vector512 path correct.
            Vector512<uint> lanes = Avx512F.IsSupported
                ? Avx512F.ConvertToVector512UInt32(Vector256.Load((ushort*)row))
                : Vector512.WidenLower(Vector256.Load((ushort*)row).ToVector512Unsafe());
            return Vector512.ShiftLeft(lanes, 16).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> ToRegisterOrder(Vector512<float> columns) =>
            Vector512.Shuffle(columns, Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> ToColumnOrder(Vector512<float> lanes) =>
            Vector512.Shuffle(lanes, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> Low(byte* row) => Vector256.ShiftLeft(Vector256.Load((uint*)row), 16).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> High(byte* row) => (Vector256.Load((uint*)row) & Vector256.Create(0xFFFF0000u)).AsSingle();
    }
}
