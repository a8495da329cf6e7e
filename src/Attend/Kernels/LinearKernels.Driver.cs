using System;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;

namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// Each thread gets at least this much work (2 MFLOP, 10–20 µs on one core): below it, waking a pool
    /// thread and sharing the caches costs more than the split saves.
    /// </summary>
    internal const long MinFlopsPerThread = 1L << 21;

    /// <summary>One path's micro-kernel and its blocking; the driver is specialized per implementing struct.</summary>
    private interface ITileKernel
    {
        /// <summary>Most rows one tile computes (the register block's height).</summary>
        static abstract int TileRows { get; }

        /// <summary>Most 16-wide panels one tile computes (the register block's width / 16).</summary>
        static abstract int TilePanels { get; }

        /// <summary>Input features per cache block; between blocks the partial sums are stored and reloaded.</summary>
        static abstract int KBlock { get; }

        /// <summary>Rows per cache block: RowBlock · KBlock inputs stay in L2 while every panel passes over them.</summary>
        static abstract int RowBlock { get; }

        /// <summary>
        /// Computes <paramref name="rows"/> × (16 · <paramref name="panels"/>) outputs over <paramref name="depth"/> input
        /// features: starts from <paramref name="bias"/> (16 · panels floats) when it is not null, else from
        /// <paramref name="c"/>, and stores the sums to <paramref name="c"/>.
        /// </summary>
        static abstract unsafe void Tile(int rows, int panels, float* x, nint xStride, float* w, nint panelStride,
            int depth, float* c, nint cStride, float* bias);
    }

    /// <summary>Pointers and sizes of one validated call; the spans behind them stay pinned until it returns.</summary>
    private readonly unsafe struct Problem(float* input, nint inputStride, float* packed, float* bias, int inFeatures,
        int outFeatures, float* output, nint outputStride)
    {
        public readonly float* Input = input;
        public readonly nint InputStride = inputStride;
        public readonly float* Packed = packed;
        public readonly float* Bias = bias; // null: no bias
        public readonly int InFeatures = inFeatures;
        public readonly int OutFeatures = outFeatures;
        public readonly float* Output = output;
        public readonly nint OutputStride = outputStride;

        /// <summary>bf16 panels (see <see cref="PackedProjection"/>) when <see cref="Packed"/> is null.</summary>
        public void* Compact { get; init; }

        /// <summary>The resolved path, which also picks the width compact panels are decoded with.</summary>
        public KernelPath Path { get; init; }
    }

    private static unsafe void Run(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism)
    {
        fixed (float* x = input)
        fixed (float* w = packedWeight)
        fixed (float* b = bias)
        fixed (float* y = output)
        {
            var problem = new Problem(x, inputStride, w, bias.IsEmpty ? null : b, inFeatures, outFeatures, y, outputStride) { Path = path };
            RunDecoded<Float32Panels>(problem, rows, maxDegreeOfParallelism);
        }
    }

    /// <summary>Threads worth waking for this problem: at most <paramref name="maxThreads"/>, at least 1.</summary>
    internal static int PlanThreads(int rows, int inFeatures, int outFeatures, int maxThreads)
    {
        long flops = 2L * rows * inFeatures * outFeatures;
        return (int)Math.Min(maxThreads, Math.Max(1, flops / MinFlopsPerThread));
    }

    /// <summary>Splits the rows × panels grid into at most <paramref name="maxThreads"/> blocks, one per thread.</summary>
    private static unsafe void Run<TKernel, TPanels>(in Problem problem, int rows, int maxThreads)
        where TKernel : struct, ITileKernel
        where TPanels : struct, IPanelSource
    {
        int panels = PanelCount(problem.OutFeatures);
        int threads = PlanThreads(rows, problem.InFeatures, problem.OutFeatures, maxThreads);
        if (threads <= 1)
        {
            Block<TKernel, TPanels>(problem, 0, rows, 0, panels);
            return;
        }

        // Rows when there are enough of them (at least 4 tiles per thread, so that a ragged last tile costs
        // little); otherwise columns too. Either way every thread reads its own outputs only.
        int rowTiles = (rows + TKernel.TileRows - 1) / TKernel.TileRows;
        int panelGroups = (panels + TKernel.TilePanels - 1) / TKernel.TilePanels;
        int rowParts = Math.Clamp(rowTiles / 4, 1, threads);
        int panelParts = Math.Min((threads + rowParts - 1) / rowParts, panelGroups);
        if (rowParts * panelParts <= 1)
        {
            Block<TKernel, TPanels>(problem, 0, rows, 0, panels);
            return;
        }

        var job = new ParallelJob<TKernel, TPanels>(problem, rows, panels, rowTiles, panelGroups, rowParts, panelParts);
        Parallel.For(0, rowParts * panelParts, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Execute);
    }

    /// <summary>One Parallel.For body: block <c>i</c> of a rowParts × panelParts grid, split on tile boundaries.</summary>
    private sealed class ParallelJob<TKernel, TPanels>(Problem problem, int rows, int panels, int rowTiles, int panelGroups,
        int rowParts, int panelParts)
        where TKernel : struct, ITileKernel
        where TPanels : struct, IPanelSource
    {
        public void Execute(int i)
        {
            int rowPart = i / panelParts;
            int panelPart = i % panelParts;
            int rowStart = Math.Min(rows, (int)((long)rowTiles * rowPart / rowParts) * TKernel.TileRows);
            int rowEnd = Math.Min(rows, (int)((long)rowTiles * (rowPart + 1) / rowParts) * TKernel.TileRows);
            int panelStart = Math.Min(panels, (int)((long)panelGroups * panelPart / panelParts) * TKernel.TilePanels);
            int panelEnd = Math.Min(panels, (int)((long)panelGroups * (panelPart + 1) / panelParts) * TKernel.TilePanels);
            Block<TKernel, TPanels>(problem, rowStart, rowEnd, panelStart, panelEnd);
        }
    }

    /// <summary>
    /// Rows [rowStart, rowEnd) × panels [panelStart, panelEnd), blocked for the caches: for each block of input
    /// features, for each block of rows (kept in L2), for each group of panels, every row tile (the group's
    /// weights, just read, come from L1 or L2 for all but the first). Loops in any order give the same bits:
    /// each output's sum is accumulated in input-feature order whichever tile computes it. Compact (bf16) panels
    /// are decoded to floats one panel group and K block at a time into an L1-sized scratch the tiles then read.
    /// </summary>
    private static unsafe void Block<TKernel, TPanels>(in Problem problem, int rowStart, int rowEnd, int panelStart, int panelEnd)
        where TKernel : struct, ITileKernel
        where TPanels : struct, IPanelSource
    {
        int tileRows = TKernel.TileRows;
        int tilePanels = TKernel.TilePanels;
        int tileWidth = tilePanels * PanelWidth;

        // The last panel may reach past outFeatures (or into a neighbouring projection's columns): its tiles
        // run on this scratch, and only the real columns are copied in and out.
        float* edge = stackalloc float[tileRows * tileWidth];
        float* edgeBias = stackalloc float[tileWidth];

        int depth = problem.InFeatures;
        // Decoded panels: a K block of the group's panels fills the scratch (no scratch for float panels).
        int decodedKBlock = DecodedFloats / (tilePanels * PanelWidth);
        float* decoded = stackalloc float[TPanels.IsCompact ? DecodedFloats : 0];
        int maxKBlock = TPanels.IsCompact ? Math.Min(TKernel.KBlock, decodedKBlock) : TKernel.KBlock;
        // Equal K blocks (3136 = 4 × 784, not 3 × 1024 + 64): a thin last block would reload every partial sum for
        // little work. The sums still run in k order, so the result is the same bit for bit.
        int kBlocks = (depth + maxKBlock - 1) / maxKBlock;
        int kBlock = (depth + kBlocks - 1) / kBlocks;
        // A short last row block (64 rows: 48 + 16) would stream every weight panel from memory a second time for a
        // few tiles; up to a third more rows join the block before it instead (64 × 1024 floats still fit L2).
        int longestRowBlock = TKernel.RowBlock + TKernel.RowBlock / 3;
        for (int k0 = 0, kc; k0 < depth; k0 += kc)
        {
            kc = Math.Min(kBlock, depth - k0);
            bool first = k0 == 0;
            for (int r0 = rowStart, r1; r0 < rowEnd; r0 = r1)
            {
                r1 = rowEnd - r0 > longestRowBlock ? r0 + TKernel.RowBlock : rowEnd;
                for (int panel = panelStart; panel < panelEnd; panel += tilePanels)
                {
                    int panels = Math.Min(tilePanels, panelEnd - panel);
                    int col0 = panel * PanelWidth;
                    int cols = Math.Min(panels * PanelWidth, problem.OutFeatures - col0);
                    bool partial = cols < panels * PanelWidth;
                    float* bias = null;
                    if (first)
                    {
                        if (problem.Bias != null && !partial)
                        {
                            bias = problem.Bias + col0;
                        }
                        else
                        {
                            for (int j = 0; j < tileWidth; j++)
                            {
                                edgeBias[j] = problem.Bias != null && j < cols ? problem.Bias[col0 + j] : 0f;
                            }

                            bias = edgeBias;
                        }
                    }

                    float* w = TPanels.Panels(problem, panel, panels, k0, kc, decoded, out nint panelStride);
                    for (int r = r0; r < r1; r += tileRows)
                    {
                        int rowCount = Math.Min(tileRows, r1 - r);
                        float* x = problem.Input + r * problem.InputStride + k0;
                        float* y = problem.Output + r * problem.OutputStride + col0;
                        if (!first)
                        {
                            // The next tile starts by loading its partial sums, stored a whole row block ago and
                            // likely gone to L3: request them now, while this tile computes.
                            int nextRow = r + tileRows < r1 ? r + tileRows : r0;
                            int nextCol = r + tileRows < r1 ? col0 : col0 + tileWidth;
                            if (nextCol < problem.OutFeatures)
                            {
                                Prefetch(problem.Output + nextRow * problem.OutputStride + nextCol, problem.OutputStride,
                                    Math.Min(tileRows, r1 - nextRow), Math.Min(tileWidth, problem.OutFeatures - nextCol));
                            }
                        }

                        if (!partial)
                        {
                            TKernel.Tile(rowCount, panels, x, problem.InputStride, w, panelStride, kc, y, problem.OutputStride, bias);
                            continue;
                        }

                        if (!first)
                        {
                            Copy(y, problem.OutputStride, edge, tileWidth, rowCount, cols);
                        }

                        TKernel.Tile(rowCount, panels, x, problem.InputStride, w, panelStride, kc, edge, tileWidth, bias);
                        Copy(edge, tileWidth, y, problem.OutputStride, rowCount, cols);
                    }
                }
            }
        }
    }

    /// <summary>Prefetches <paramref name="rows"/> rows of <paramref name="cols"/> floats into L1 where the processor can.</summary>
    internal static unsafe void Prefetch(float* start, nint stride, int rows, int cols)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            byte* row = (byte*)(start + r * stride);
            byte* end = (byte*)(start + r * stride + cols - 1);
            for (byte* line = row; line <= end; line += 64)
            {
                Sse.Prefetch0(line);
            }

            Sse.Prefetch0(end); // the last line, when the row is not 64-byte aligned
        }
    }

    private static unsafe void Copy(float* source, nint sourceStride, float* destination, nint destinationStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(source + r * sourceStride, cols).CopyTo(new Span<float>(destination + r * destinationStride, cols));
        }
    }
}
