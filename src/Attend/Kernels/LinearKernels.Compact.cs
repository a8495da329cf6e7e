using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// Floats of decoded weights one thread holds at a time (32 KiB, an L1 data cache): a K block of one panel group,
    /// decoded from bf16 just before the row tiles read it.
    /// </summary>
    internal const int DecodedFloats = 8192;

    /// <summary>Where a tile's weight panels come from: the float panels themselves, or compact panels decoded to floats.</summary>
    private interface IPanelSource
    {
        /// <summary>Whether <see cref="Panels"/> decodes into the scratch (which then must hold <see cref="DecodedFloats"/>).</summary>
        static abstract bool IsCompact { get; }

        /// <summary>
        /// Rows <c>[k0, k0 + kc)</c> of panels <c>[panel, panel + panels)</c> as floats, one panel every
        /// <paramref name="panelStride"/> floats, a 16-float row per input feature.
        /// </summary>
        static abstract unsafe float* Panels(in Problem problem, int panel, int panels, int k0, int kc, float* scratch, out nint panelStride);
    }

    /// <summary>The float panels <see cref="Pack"/> writes, read in place.</summary>
    private readonly struct Float32Panels : IPanelSource
    {
        public static bool IsCompact => false;

        public static unsafe float* Panels(in Problem problem, int panel, int panels, int k0, int kc, float* scratch, out nint panelStride)
        {
            panelStride = (nint)problem.InFeatures * PanelWidth;
            return problem.Packed + panel * panelStride + (nint)k0 * PanelWidth;
        }
    }

    /// <summary>
    /// bf16 panels: per input feature 16 bf16 values, interleaved so that 32-bit lane <c>j</c> holds column <c>j</c> in its
    /// low half and column <c>8 + j</c> in its high half. A bf16 is the high half of a float, so one 256-bit load gives
    /// both halves of the row with one shift (<c>lane &lt;&lt; 16</c>: columns 0–7) and one mask (<c>lane &amp; 0xFFFF0000</c>:
    /// columns 8–15), exact on every path.
    /// </summary>
    private readonly struct BFloat16Panels : IPanelSource
    {
        public static bool IsCompact => true;

        public static unsafe float* Panels(in Problem problem, int panel, int panels, int k0, int kc, float* scratch, out nint panelStride)
        {
            panelStride = (nint)kc * PanelWidth;
            nint sourceStride = (nint)problem.InFeatures * PanelWidth;
            ushort* source = (ushort*)problem.Compact + panel * sourceStride + (nint)k0 * PanelWidth;
            for (int p = 0; p < panels; p++)
            {
                DecodeBFloat16(problem.Path, source + p * sourceStride, scratch + p * panelStride, kc);
            }

            return scratch;
        }
    }

    /// <summary>
    /// bf16 panels read in place by tiles that widen them in registers (<see cref="BFloat16Vector512Tiles"/>,
    /// <see cref="BFloat16Vector256Tiles"/>). The driver's pointers are typed <c>float*</c>: this one addresses bf16 rows, and
    /// its panel stride counts 4-byte units (a panel of <c>InFeatures</c> 32-byte rows is <c>8 · InFeatures</c> of them).
    /// </summary>
    private readonly struct BFloat16PanelsInPlace : IPanelSource
    {
        public static bool IsCompact => false;

        public static unsafe float* Panels(in Problem problem, int panel, int panels, int k0, int kc, float* scratch, out nint panelStride)
        {
            nint sourceStride = (nint)problem.InFeatures * PanelWidth;
            panelStride = sourceStride * sizeof(ushort) / sizeof(float);
            return (float*)((ushort*)problem.Compact + panel * sourceStride + (nint)k0 * PanelWidth);
        }
    }

    /// <summary>Decodes <paramref name="rows"/> interleaved bf16 panel rows (see <see cref="BFloat16Panels"/>) to float rows.</summary>
    internal static unsafe void DecodeBFloat16(KernelPath path, ushort* source, float* destination, int rows)
    {
        nint count = (nint)rows * PanelWidth;
        if (path is KernelPath.Vector256 or KernelPath.Vector512)
        {
            Vector256<uint> high = Vector256.Create(0xFFFF0000u);
            for (nint i = 0; i < count; i += PanelWidth)
            {
                Vector256<uint> lanes = Vector256.Load((uint*)(source + i));
                Vector256.ShiftLeft(lanes, 16).AsSingle().Store(destination + i);
                (lanes & high).AsSingle().Store(destination + i + 8);
            }
        }
        else if (path == KernelPath.Vector128)
        {
            Vector128<uint> high = Vector128.Create(0xFFFF0000u);
            for (nint i = 0; i < count; i += PanelWidth)
            {
                Vector128<uint> first = Vector128.Load((uint*)(source + i)); // columns 0–3 and 8–11
                Vector128<uint> second = Vector128.Load((uint*)(source + i + 8)); // columns 4–7 and 12–15
                Vector128.ShiftLeft(first, 16).AsSingle().Store(destination + i);
                Vector128.ShiftLeft(second, 16).AsSingle().Store(destination + i + 4);
                (first & high).AsSingle().Store(destination + i + 8);
                (second & high).AsSingle().Store(destination + i + 12);
            }
        }
        else
        {
            for (nint i = 0; i < count; i += PanelWidth)
            {
                for (int j = 0; j < PanelWidth / 2; j++)
                {
                    destination[i + j] = BitConverter.UInt32BitsToSingle((uint)source[i + 2 * j] << 16);
                    destination[i + 8 + j] = BitConverter.UInt32BitsToSingle((uint)source[i + 2 * j + 1] << 16);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Forward"/> on a <see cref="PackedProjection"/>'s panels <c>[firstPanel, firstPanel + ceil(columns / 16))</c>,
    /// for <paramref name="columns"/> output features (already validated; the pointers are pinned by the caller).
    /// </summary>
    internal static unsafe void RunPacked(KernelPath path, PackedProjection weight, float* input, int rows, nint inputStride,
        float* bias, int firstPanel, int columns, float* output, nint outputStride, int maxDegreeOfParallelism)
    {
        nint panelOffset = (nint)firstPanel * PanelWidth * weight.InFeatures;
        fixed (float* floats = weight.Float32Panels is null ? default : weight.Float32Panels.Span)
        fixed (ushort* halves = weight.BFloat16Panels is null ? default : weight.BFloat16Panels.Span)
        {
            WeightPrecision precision = weight.Precision;
            var problem = new Problem(input, inputStride, precision == WeightPrecision.Float32 ? floats + panelOffset : null,
                bias, weight.InFeatures, columns, output, outputStride)
            {
                Compact = halves + panelOffset,
                Path = path,
            };
            // AVX2 or AVX-512: decoded in registers, by the one-row kernels (a decode step reads each weight once) or the
            // multi-row tiles (a scratch round trip cost them 6–16 % against float32 on Zen 5). Elsewhere: decoded a K block
            // at a time into the scratch the float tiles read.
            bool oneRow = rows == 1;
            switch (precision)
            {
                case WeightPrecision.BFloat16 when oneRow && path == KernelPath.Vector512 && Avx512F.IsSupported: RowBFloat16512(problem); break;
                case WeightPrecision.BFloat16 when oneRow && path == KernelPath.Vector256 && Avx2.IsSupported: RowCompact256<BFloat16PanelRow>(problem); break;
                case WeightPrecision.BFloat16 when path == KernelPath.Vector512 && Avx512F.IsSupported:
                    Run<BFloat16Vector512Tiles, BFloat16PanelsInPlace>(problem, rows, maxDegreeOfParallelism); break;
                case WeightPrecision.BFloat16 when path == KernelPath.Vector256 && Avx2.IsSupported:
                    Run<BFloat16Vector256Tiles, BFloat16PanelsInPlace>(problem, rows, maxDegreeOfParallelism); break;
                case WeightPrecision.BFloat16: RunDecoded<BFloat16Panels>(problem, rows, maxDegreeOfParallelism); break;
                default: RunDecoded<Float32Panels>(problem, rows, maxDegreeOfParallelism); break;
            }
        }
    }

    private static void RunDecoded<TPanels>(in Problem problem, int rows, int maxThreads)
        where TPanels : struct, IPanelSource
    {
        switch (problem.Path)
        {
            case KernelPath.Vector512 when rows == 1: Run<RowTile512Tiles, TPanels>(problem, rows, maxThreads); break;
            case KernelPath.Vector512: Run<Vector512Tiles, TPanels>(problem, rows, maxThreads); break;
            case KernelPath.Vector256 when rows == 1: Run<RowTile256Tiles, TPanels>(problem, rows, maxThreads); break;
            case KernelPath.Vector256: Run<Vector256Tiles, TPanels>(problem, rows, maxThreads); break;
            case KernelPath.Vector128: Run<Vector128Tiles, TPanels>(problem, rows, maxThreads); break;
            default: Run<ScalarTiles, TPanels>(problem, rows, maxThreads); break;
        }
    }
}
