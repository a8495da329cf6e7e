using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The int8 projection of <see cref="WeightPrecision.Int8ByteActivations"/>: int8 weights
/// (<see cref="WeightQuantization.ToInt8QuadPanels"/>) times activations quantised to unsigned bytes per row and group of
/// <see cref="GroupSize"/> inputs (<see cref="ByteActivationQuantization"/>), four byte products summed per lane and
/// instruction (<c>vpdpbusd</c>), converted to float once per group.
/// </summary>
/// <remarks>
/// <para>
/// With <c>x ≈ sx[m,g] · (qx − zx[m,g])</c> and <c>w ≈ sw[n,g] · qw</c>, output
/// <c>(m, n) = bias[n] + Σ_g ((float(Σ_{k∈g} qx · qw) − zx[m,g] · Σ_{k∈g} qw) · sw[n,g]) · sx[m,g]</c>, the groups added in
/// order to the bias with FMA. The integer sums and the zero-point correction are exact, so every path (and any split of rows or
/// columns over threads) gives the same bits.
/// </para>
/// <para>
/// Why groups of 64 inputs: per group each accumulator pays a conversion, a correction, a multiply and an FMA beside its
/// 16 <c>vpdpbusd</c>s, and a standalone tile ran at 1.60× the 512-bit FMA's multiply-adds on Zen 5 with 64 inputs, 1.80×
/// with 128 (the instruction alone: 2.03×). But with 128 all-MiniLM-L6-v2's lowest embedding cosine fell to 0.998974,
/// under the 0.999 bound; with 64 it is 0.999345. The Vector512 path halves the epilogue's float instructions instead
/// (<see cref="WideEpilogue{TBase}"/>).
/// </para>
/// </remarks>
internal static unsafe partial class ByteActivationGemm
{
    /// <summary>Inputs sharing one activation scale and zero point per row and one weight scale per output feature.</summary>
    internal const int GroupSize = 64;

    /// <summary>Bytes of one quad row of a 16-column panel: 16 columns × 4 inputs.</summary>
    internal const int QuadBytes = 4 * LinearKernels.PanelWidth;

    private const int QuadsPerGroup = GroupSize / 4;

    /// <summary>Bytes of one group of a panel.</summary>
    private const int GroupBytes = QuadsPerGroup * QuadBytes;

    /// <summary>Rows of the register tile (see <see cref="Tile"/>), and of the narrow one (<see cref="NarrowTile"/>).</summary>
    private const int TileRows = 4, NarrowTileRows = 6;

    /// <summary>
    /// Whether the JIT has 32 vector registers (EVEX, with AVX-512VL; AdvSimd has 32 too) for <see cref="Tile"/>'s
    /// sixteen accumulators, four weight registers and a broadcast. Without them (an x86 processor with AVX2 and AVX-VNNI
    /// but no AVX-512) that tile spilled and ran barely faster than <see cref="Int8Gemm"/>; the narrow one fits in sixteen.
    /// </summary>
    private static bool WideTiles => Avx512F.VL.IsSupported || !X86Base.IsSupported;

    /// <summary>Rows quantised at a time: their byte rows (≤ 48 · K bytes) stay in L1 or L2 while every column tile reads them.</summary>
    internal const int RowBlock = 48;

    [ThreadStatic]
    private static byte[]? t_activations;

    [ThreadStatic]
    private static float[]? t_rowParameters;

    /// <summary>Groups along the input features: <c>ceil(inFeatures / GroupSize)</c>.</summary>
    internal static int Groups(int inFeatures) => (inFeatures + GroupSize - 1) / GroupSize;

    /// <summary>Bytes of one 16-column panel: the inputs padded to whole groups.</summary>
    internal static long PanelBytes(int inFeatures) => (long)Groups(inFeatures) * GroupBytes;

    /// <summary>
    /// Rows <c>[0, rows)</c> × columns <c>[16 · firstPanel, 16 · firstPanel + columns)</c> of <paramref name="weight"/>'s
    /// projection on this thread (arguments already validated, pointers pinned by the caller).
    /// <paramref name="coldOutputs"/>: the outputs are likely out of cache (see <see cref="Int8Gemm.ColdOutputBytes"/>), so
    /// each tile asks for its output lines before it computes.
    /// </summary>
    internal static void Run(KernelPath path, PackedProjection weight, float* input, int rows, nint inputStride,
        float* bias, int firstPanel, int columns, float* output, nint outputStride, bool coldOutputs)
    {
        var block = new CompactProjectionBlock(weight, input, inputStride, bias, firstPanel, columns, output, outputStride, path, coldOutputs);
        switch (path)
        {
            // Vector512 without AVX-512 (emulated, as the tests run it on AVX2 machines): the 256-bit form, the same bits.
            case KernelPath.Vector512 when Avx512F.IsSupported && AvxVnni.IsSupported: Run<WideEpilogue<VnniByteQuads256>, Vector256<int>>(block, rows); break;
            case KernelPath.Vector512 when Avx512F.IsSupported: Run<WideEpilogue<ByteQuads256>, Vector256<int>>(block, rows); break;
            case KernelPath.Vector512 or KernelPath.Vector256 when AvxVnni.IsSupported: Run<VnniByteQuads256, Vector256<int>>(block, rows); break;
            case KernelPath.Vector512 or KernelPath.Vector256: Run<ByteQuads256, Vector256<int>>(block, rows); break;
            case KernelPath.Vector128: Run<ByteQuads128, Vector128<int>>(block, rows); break;
            default: Run<ScalarByteQuads, int>(block, rows); break;
        }
    }

    private static void Run<TLanes, TVector>(in CompactProjectionBlock block, int rows)
        where TLanes : struct, IByteQuadLanes<TVector>
        where TVector : struct
    {
        int inFeatures = block.Weight.InFeatures, groups = Groups(inFeatures);
        nint activationStride = (nint)groups * GroupSize, panelBytes = (nint)PanelBytes(inFeatures);
        nint panelScales = (nint)groups * LinearKernels.PanelWidth;
        bool wide = WideTiles;
        int registers = wide ? 4 : 2, rowsPerTile = wide ? TileRows : NarrowTileRows;
        int registerColumns = TLanes.Columns, tileColumns = registers * registerColumns;
        int blockRows = Math.Min(rows, RowBlock);
        byte[] activations = Rent(ref t_activations, blockRows * (int)activationStride);
        float[] rowParameters = Rent(ref t_rowParameters, 2 * blockRows * groups);
        float* sums = stackalloc float[NarrowTileRows * 4 * LinearKernels.PanelWidth];
        float* zeros = stackalloc float[4 * LinearKernels.PanelWidth]; // the bias of a projection without one
        new Span<float>(zeros, 4 * LinearKernels.PanelWidth).Clear();
        float* paddedBias = stackalloc float[4 * LinearKernels.PanelWidth];
        fixed (sbyte* panels = block.Weight.Int8Panels!.Span)
        fixed (float* scales = block.Weight.Int8Scales)
        fixed (float* negatedSums = block.Weight.Int8NegatedColumnSums)
        fixed (byte* quantized = activations)
        fixed (float* parameters = rowParameters)
        {
            float* rowScales = parameters, rowZeros = parameters + blockRows * groups;
            sbyte* firstPanel = panels + block.FirstPanel * panelBytes;
            nint firstScales = block.FirstPanel * panelScales;
            for (int r0 = 0; r0 < rows; r0 += RowBlock)
            {
                int quantizedRows = Math.Min(RowBlock, rows - r0);
                ByteActivationQuantization.QuantizeRows(block.Path, block.Input + r0 * block.InputStride, quantizedRows, block.InputStride,
                    inFeatures, quantized, activationStride, rowScales, rowZeros);
                for (int c0 = 0; c0 < block.Columns; c0 += tileColumns)
                {
                    TileColumns tile = Columns(block, c0, registerColumns, firstPanel, panelBytes, scales + firstScales,
                        negatedSums + firstScales, panelScales); // the narrow tile reads the first pair alone
                    int width = Math.Min(tileColumns, block.Columns - c0);
                    for (int r = 0; r < quantizedRows; r += rowsPerTile)
                    {
                        int tileRows = Math.Min(rowsPerTile, quantizedRows - r);
                        float* y = block.Output + (r0 + r) * block.OutputStride + c0;
                        if (block.ColdOutputs)
                        {
                            LinearKernels.Prefetch(y, block.OutputStride, tileRows, width);
                        }

                        // A whole tile ends in the output; a narrower one in the scratch, copied out below. Either starts
                        // from the bias (a padded copy for the narrower one, so that no register reads past its end).
                        bool whole = width == tileColumns;
                        float* bias = block.Bias == null ? zeros : whole ? block.Bias + c0 : PaddedBias(block.Bias + c0, width, paddedBias, tileColumns);
                        var tileSums = new TileSums(bias, whole ? y : sums, whole ? block.OutputStride : tileColumns, sums, tileColumns);
                        byte* x = quantized + r * activationStride;
                        float* z = rowZeros + r * groups, s = rowScales + r * groups;
                        switch (wide ? tileRows : NarrowTileRows + tileRows)
                        {
                            case NarrowTileRows + 6: NarrowTile<TLanes, TVector, LinearKernels.Const6>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case NarrowTileRows + 5: NarrowTile<TLanes, TVector, LinearKernels.Const5>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case NarrowTileRows + 4: NarrowTile<TLanes, TVector, LinearKernels.Const4>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case NarrowTileRows + 3: NarrowTile<TLanes, TVector, LinearKernels.Const3>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case NarrowTileRows + 2: NarrowTile<TLanes, TVector, LinearKernels.Const2>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case NarrowTileRows + 1: NarrowTile<TLanes, TVector, LinearKernels.Const1>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case 4: Tile<TLanes, TVector, LinearKernels.Const4>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case 3: Tile<TLanes, TVector, LinearKernels.Const3>(x, activationStride, tile, z, s, groups, tileSums); break;
                            case 2: Tile<TLanes, TVector, LinearKernels.Const2>(x, activationStride, tile, z, s, groups, tileSums); break;
                            default: Tile<TLanes, TVector, LinearKernels.Const1>(x, activationStride, tile, z, s, groups, tileSums); break;
                        }

                        if (!whole)
                        {
                            for (int i = 0; i < tileRows; i++)
                            {
                                new ReadOnlySpan<float>(sums + i * tileColumns, width).CopyTo(new Span<float>(y + i * block.OutputStride, width));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary><paramref name="width"/> bias values then zeros, to <paramref name="columns"/> floats at <paramref name="padded"/>.</summary>
    private static float* PaddedBias(float* bias, int width, float* padded, int columns)
    {
        new ReadOnlySpan<float>(bias, width).CopyTo(new Span<float>(padded, width));
        new Span<float>(padded + width, columns - width).Clear();
        return padded;
    }

    /// <summary>
    /// The tile's four registers of columns from <paramref name="c0"/>. A register whose columns lie in a panel past the
    /// block (the second panel of Vector256's 32-column tile on an odd panel count) reads the same columns of the first
    /// panel instead, so every pair of registers stays side by side; its sums are computed and dropped.
    /// </summary>
    private static TileColumns Columns(in CompactProjectionBlock block, int c0, int registerColumns, sbyte* firstPanel, nint panelBytes,
        float* scales, float* negatedSums, nint panelScales)
    {
        int paddedColumns = LinearKernels.PanelCount(block.Columns) * LinearKernels.PanelWidth;
        int c1 = Start(c0 + registerColumns), c2 = Start(c0 + 2 * registerColumns), c3 = Start(c0 + 3 * registerColumns);
        return new TileColumns(Weights(c0), Weights(c1), Weights(c2), Weights(c3),
            Parameters(scales, c0), Parameters(negatedSums, c0), Parameters(scales, c2), Parameters(negatedSums, c2));

        int Start(int column) => column < paddedColumns ? column : column - LinearKernels.PanelWidth;
        sbyte* Weights(int column) => firstPanel + column / LinearKernels.PanelWidth * panelBytes + column % LinearKernels.PanelWidth * 4;
        float* Parameters(float* first, int column) => first + column / LinearKernels.PanelWidth * panelScales + column % LinearKernels.PanelWidth;
    }

    /// <summary>This thread's buffer, grown to the largest block seen (a warm call allocates nothing).</summary>
    private static T[] Rent<T>(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<T>(length);
        }

        return buffer;
    }
}
