using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The int8 projection: int8 weights (<see cref="WeightQuantization.ToInt8PairPanels"/>) times activations quantised per row
/// to 16 bits (<see cref="ActivationQuantization"/>), multiplied and summed in integers (<c>vpmaddwd</c> on x86), converted
/// to float once per 64 inputs and scaled there by the weights' group scales, then once per output by the row's scale.
/// </summary>
/// <remarks>
/// <para>
/// Output <c>(m, n) = fma(Σ_g float(Σ_{k∈g} qx[m,k] · qw[n,k]) · sw[n,g], sx[m], bias[n])</c>, the group sums added in
/// order with FMA. The integer sums are exact, so every path (and any split of rows or columns over threads) gives the
/// same bits.
/// </para>
/// <para>
/// Why 16-bit activations and not 8: accuracy. On AVX2 without VNNI the cheapest int8 × int8 dot product is
/// <c>vpmaddubsw</c> (u8 × s8, saturating) and then <c>vpmaddwd</c> by ones: fewer instructions a product than
/// sign-extended 16-bit pairs through <c>vpmaddwd</c> and <c>vpaddd</c> (on Zen 3 its inner loop runs 1.35× faster:
/// <c>lowp --peak-only</c> in the benchmarks), but activations rounded symmetrically to 8 bits, even with a scale per row
/// and 64 inputs, move all-MiniLM-L6-v2's embeddings below the 0.999 cosine bound (0.9987; 16 bits: 0.9996), and need an
/// unsigned offset and 7-bit values to keep <c>vpmaddubsw</c> from saturating. (Asymmetric u8 per row and 64 inputs keeps
/// 0.99935, and AVX-VNNI's 256-bit <c>vpdpbusd</c> runs at twice the 512-bit FMA: the case for a second, opt-in kernel,
/// in docs/low-precision.md.)
/// </para>
/// </remarks>
internal static unsafe partial class Int8Gemm
{
    /// <summary>Bytes of one pair row of a 16-column panel: 16 columns × 2 inputs.</summary>
    internal const int PairBytes = 2 * LinearKernels.PanelWidth;

    /// <summary>Input pairs sharing a weight scale.</summary>
    private const int PairsPerGroup = WeightQuantization.Int8GroupSize / 2;

    /// <summary>Rows of the register tile (see <see cref="Tile"/>).</summary>
    private const int TileRows = 6;

    /// <summary>Rows quantised at a time: their 16-bit rows (≤ 48 · 2 · K bytes) stay in L2 while every column tile reads them.</summary>
    internal const int RowBlock = 48;

    [ThreadStatic]
    private static short[]? t_activations;

    /// <summary>
    /// Rows <c>[0, rows)</c> × columns <c>[16 · firstPanel, 16 · firstPanel + columns)</c> of <paramref name="weight"/>'s
    /// projection on this thread (arguments already validated, pointers pinned by the caller).
    /// <paramref name="coldOutputs"/>: the outputs are likely out of cache (see <see cref="ColdOutputBytes"/>), so each
    /// tile asks for its output lines before it computes.
    /// </summary>
    internal static void Run(KernelPath path, PackedProjection weight, float* input, int rows, nint inputStride,
        float* bias, int firstPanel, int columns, float* output, nint outputStride, bool coldOutputs)
    {
        var block = new CompactProjectionBlock(weight, input, inputStride, bias, firstPanel, columns, output, outputStride, path, coldOutputs);
        switch (path)
        {
            case KernelPath.Vector512: Run<Int16Pairs512, Vector512<int>>(block, rows); break;
            case KernelPath.Vector256 when AvxVnni.IsSupported: Run<VnniInt16Pairs256, Vector256<int>>(block, rows); break;
            case KernelPath.Vector256: Run<Int16Pairs256, Vector256<int>>(block, rows); break;
            case KernelPath.Vector128: Run<Int16Pairs128, Vector128<int>>(block, rows); break;
            default: Run<ScalarInt16Pairs, int>(block, rows); break;
        }
    }

    /// <summary>
    /// A projection writing more output than this (1 MiB, an L2) finds most of its output lines out of cache, and the
    /// integer tile's stores to them stall it: at 4096 × 384 → 1536 (25 MB of outputs) it ran 13 % slower a row than at
    /// 512 rows on Zen 5. Asking for a tile's output lines before it computes made it 1.23× faster there; on a small,
    /// hot output the prefetches cost 1–2 %. (The float tiles, slower per output, hide the misses: the same prefetch cost
    /// them 2 %.)
    /// </summary>
    internal const long ColdOutputBytes = 1L << 20;

    private static void Run<TLanes, TVector>(in CompactProjectionBlock block, int rows)
        where TLanes : struct, IInt16PairLanes<TVector>
        where TVector : struct
    {
        int inFeatures = block.Weight.InFeatures, pairs = (inFeatures + 1) / 2, groups = WeightQuantization.Int8Groups(inFeatures);
        nint activationStride = 2 * pairs, panelBytes = (nint)pairs * PairBytes, panelScales = (nint)groups * LinearKernels.PanelWidth;
        int vectorColumns = TLanes.Columns, tileColumns = 2 * vectorColumns;
        int blockRows = Math.Min(rows, RowBlock);
        short[] activations = RentActivations(blockRows * (int)activationStride);
        float* rowScales = stackalloc float[RowBlock];
        float* sums = stackalloc float[TileRows * 2 * LinearKernels.PanelWidth];
        float* zeros = stackalloc float[2 * LinearKernels.PanelWidth]; // the bias of a projection without one
        new Span<float>(zeros, 2 * LinearKernels.PanelWidth).Clear();
        fixed (sbyte* panels = block.Weight.Int8Panels!.Span)
        fixed (float* scales = block.Weight.Int8Scales)
        fixed (short* quantized = activations)
        {
            sbyte* firstPanel = panels + block.FirstPanel * panelBytes;
            float* firstScales = scales + block.FirstPanel * panelScales;
            for (int r0 = 0; r0 < rows; r0 += RowBlock)
            {
                blockRows = Math.Min(RowBlock, rows - r0);
                ActivationQuantization.QuantizeRows(block.Path, block.Input + r0 * block.InputStride, blockRows, block.InputStride,
                    inFeatures, quantized, activationStride, rowScales);
                for (int c0 = 0; c0 < block.Columns; c0 += tileColumns)
                {
                    // The second register's columns may lie past the last panel (Vector512's 32-column tile on an odd
                    // panel count): it then reads the first's again and its sums are dropped.
                    int c1 = c0 + vectorColumns < block.Columns ? c0 + vectorColumns : c0;
                    sbyte* weights0 = firstPanel + c0 / LinearKernels.PanelWidth * panelBytes + c0 % LinearKernels.PanelWidth * 2;
                    sbyte* weights1 = firstPanel + c1 / LinearKernels.PanelWidth * panelBytes + c1 % LinearKernels.PanelWidth * 2;
                    float* scales0 = firstScales + c0 / LinearKernels.PanelWidth * panelScales + c0 % LinearKernels.PanelWidth;
                    float* scales1 = firstScales + c1 / LinearKernels.PanelWidth * panelScales + c1 % LinearKernels.PanelWidth;
                    int width = Math.Min(tileColumns, block.Columns - c0);
                    for (int r = 0; r < blockRows; r += TileRows)
                    {
                        int tileRows = Math.Min(TileRows, blockRows - r);
                        new Span<float>(sums, tileRows * tileColumns).Clear();
                        short* x = quantized + r * activationStride;
                        if (block.ColdOutputs)
                        {
                            LinearKernels.Prefetch(block.Output + (r0 + r) * block.OutputStride + c0, block.OutputStride, tileRows, width);
                        }

                        switch (tileRows)
                        {
                            case 6: Tile<TLanes, TVector, LinearKernels.Const6>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                            case 5: Tile<TLanes, TVector, LinearKernels.Const5>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                            case 4: Tile<TLanes, TVector, LinearKernels.Const4>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                            case 3: Tile<TLanes, TVector, LinearKernels.Const3>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                            case 2: Tile<TLanes, TVector, LinearKernels.Const2>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                            default: Tile<TLanes, TVector, LinearKernels.Const1>(x, activationStride, weights0, weights1, scales0, scales1, pairs, sums); break;
                        }

                        float* bias = block.Bias == null ? zeros : block.Bias + c0;
                        for (int i = 0; i < tileRows; i++)
                        {
                            float rowScale = rowScales[r + i];
                            float* y = block.Output + (r0 + r + i) * block.OutputStride + c0;
                            float* tile = sums + i * tileColumns;
                            if (width == tileColumns)
                            {
                                TLanes.Finish(tile, rowScale, bias, y);
                                TLanes.Finish(tile + vectorColumns, rowScale, bias + vectorColumns, y + vectorColumns);
                                continue;
                            }

                            for (int j = 0; j < width; j++)
                            {
                                y[j] = float.MultiplyAddEstimate(tile[j], rowScale, bias[j]);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>This thread's 16-bit activation buffer, grown to the largest block seen (a warm call allocates nothing).</summary>
    private static short[] RentActivations(int length)
    {
        short[]? buffer = t_activations;
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<short>(length);
            t_activations = buffer;
        }

        return buffer;
    }
}
