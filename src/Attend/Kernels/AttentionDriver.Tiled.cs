using System;
using System.Runtime.CompilerServices;

namespace Attend.Kernels;

public static partial class AttentionDriver
{
    /// <summary>Keys per key tile: the score tile's width. A multiple of every path's key block (4, 8, 16, 32).</summary>
    internal const int KeyTile = 128;

    /// <summary>Query tiles (of the path's <c>QueryRows</c>) per query block, the rows that share one pass over a key tile.</summary>
    internal const int TilesPerBlock = 4;

    /// <summary>
    /// Flash attention over query chunks: item <c>n</c> is one chunk of <see cref="ChunkRows"/> query rows of one
    /// (batch, head); chunks of one head come last-first, so causal heads start with their longest chunks.
    /// </summary>
    private sealed class TiledWork<TKernels> : ParallelWork
        where TKernels : struct, IAttentionHeadKernels
    {
        public AttentionView View;
        public int ChunkRows;
        public int ChunksPerHead;
        public long Generation;

        public override void RunItem(int item)
        {
            int pair = item / ChunksPerHead;
            int chunk = ChunksPerHead - 1 - (item - pair * ChunksPerHead);
            int b = pair / View.Heads;
            int h = pair - b * View.Heads;
            int firstRow = chunk * ChunkRows;
            RunTiledChunk<TKernels>(in View, b, h, firstRow, Math.Min(firstRow + ChunkRows, View.QueryLength), AttentionScratch.Current, Generation);
        }
    }

    private static void RunTiled<TKernels>(in AttentionView view, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        AttentionTileShape shape = TKernels.TileShape(view.Path);
        int blockRows = shape.QueryRows * TilesPerBlock;
        int pairs = view.Batch * view.Heads;

        // Chunks are whole query blocks; enough of them that every thread gets several items when heads are few.
        int threads = Math.Max(1, Math.Min(maxDegreeOfParallelism, WorkerPool.MaxThreads));
        int blocksPerHead = (view.QueryLength + blockRows - 1) / blockRows;
        int wantedChunks = threads == 1 ? 1 : Math.Max(1, (4 * threads + pairs - 1) / pairs);
        int chunksPerHead = Math.Min(blocksPerHead, wantedChunks);
        int chunkRows = (blocksPerHead + chunksPerHead - 1) / chunksPerHead * blockRows;
        chunksPerHead = (view.QueryLength + chunkRows - 1) / chunkRows;

        TiledWork<TKernels> work = TiledWorkCache<TKernels>.Rent();
        work.View = view;
        work.ChunkRows = chunkRows;
        work.ChunksPerHead = chunksPerHead;
        work.Generation = NextGeneration();
        try
        {
            WorkerPool.Run(work, pairs * chunksPerHead, threads);
        }
        finally
        {
            work.View = default;
            TiledWorkCache<TKernels>.Return(work);
        }
    }

    /// <summary>One reusable work object per kernel type, so a warm call allocates nothing.</summary>
    private static class TiledWorkCache<TKernels>
        where TKernels : struct, IAttentionHeadKernels
    {
        private static TiledWork<TKernels>? s_cached;

        public static TiledWork<TKernels> Rent() => System.Threading.Interlocked.Exchange(ref s_cached, null) ?? new TiledWork<TKernels>();

        public static void Return(TiledWork<TKernels> work) => s_cached = work;
    }

    /// <summary>
    /// Query rows <c>[firstRow, endRow)</c> of head <paramref name="h"/>: packs the keys and values they can see (once
    /// per head and thread), then runs each block of <c>QueryRows · TilesPerBlock</c> rows over the key tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunTiledChunk<TKernels>(in AttentionView view, int b, int h, int firstRow, int endRow, AttentionScratch scratch, long generation)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        AttentionTileShape shape = TKernels.TileShape(view.Path);
        int tileRows = shape.QueryRows;
        int keyBlock = shape.KeyBlock;
        int blockRows = tileRows * TilesPerBlock;
        int kvHead = h / view.GroupSize;

        int keysNeeded = 0;
        for (int i = firstRow; i < endRow; i++)
        {
            keysNeeded = Math.Max(keysNeeded, view.RowLimit(b, i));
        }

        float* packedKeys = null, packedValues = null;
        if (keysNeeded > 0)
        {
            PackHead<TKernels>(in view, b, kvHead, keysNeeded, keyBlock, scratch, generation, out packedKeys, out packedValues);
        }

        float* queries = scratch.Queries.Get(blockRows * dimHead);
        float* scores = scratch.Scores.Get(tileRows * KeyTile);
        float* accumulators = scratch.Accumulators.Get(blockRows * valueDimHead);
        float* rowState = scratch.RowState.Get(5 * blockRows);
        float* runningMax = rowState;
        float* runningSum = rowState + blockRows;
        float* rescale = rowState + 2 * blockRows;
        int* limits = (int*)(rowState + 3 * blockRows);
        int* starts = (int*)(rowState + 4 * blockRows); // sliding window: keys before this are masked
        int* liveFrom = stackalloc int[MaxTileRows]; // per tile row, in tile coordinates: its live keys [from, to)
        int* liveTo = stackalloc int[MaxTileRows];
        if (tileRows > MaxTileRows)
        {
            throw new InvalidOperationException($"Tiles of {tileRows} rows exceed {MaxTileRows}.");
        }

        for (int blockStart = firstRow; blockStart < endRow; blockStart += blockRows)
        {
            int rows = Math.Min(blockRows, endRow - blockStart);
            int tiles = (rows + tileRows - 1) / tileRows;
            int paddedRows = tiles * tileRows;

            // The block's query rows, scaled (the scale folds into Q once instead of into every score), zero-padded.
            int blockLimit = 0;
            for (int r = 0; r < paddedRows; r++)
            {
                float* destination = queries + r * dimHead;
                if (r < rows)
                {
                    float* source = view.QueryRow(b, h, blockStart + r);
                    for (int d = 0; d < dimHead; d++)
                    {
                        destination[d] = source[d] * view.Scale;
                    }

                    limits[r] = view.RowLimit(b, blockStart + r);
                    starts[r] = view.RowStart(b, blockStart + r, limits[r]);
                }
                else
                {
                    new Span<float>(destination, dimHead).Clear();
                    limits[r] = 0;
                    starts[r] = 0;
                }

                blockLimit = Math.Max(blockLimit, limits[r]);
                runningMax[r] = float.NegativeInfinity;
                runningSum[r] = 0f;
            }

            new Span<float>(accumulators, paddedRows * valueDimHead).Clear();

            // Each key tile is read once from L2 and reused, from L1, by every query tile of the block.
            for (int keyStart = 0; keyStart < blockLimit; keyStart += KeyTile)
            {
                for (int t = 0; t < tiles; t++)
                {
                    int tileFirst = t * tileRows;
                    int tileLimit = 0, tileStart = int.MaxValue;
                    for (int r = 0; r < tileRows; r++)
                    {
                        tileLimit = Math.Max(tileLimit, limits[tileFirst + r]);
                        tileStart = Math.Min(tileStart, limits[tileFirst + r] > starts[tileFirst + r] ? starts[tileFirst + r] : int.MaxValue);
                    }

                    int count = Math.Min(KeyTile, tileLimit - keyStart);
                    if (count <= 0 || keyStart + count <= tileStart)
                    {
                        continue; // causal: above the diagonal for these rows; sliding window: before every row's window
                    }

                    int blocks = (count + keyBlock - 1) / keyBlock;
                    TKernels.ScoreTile(view.Path, ref queries[tileFirst * dimHead], ref packedKeys[(nint)keyStart * dimHead], blocks, ref scores[0], KeyTile);
                    for (int r = 0; r < tileRows; r++)
                    {
                        int row = tileFirst + r;
                        float* rowScores = scores + r * KeyTile;
                        int live = Math.Clamp(limits[row] - keyStart, 0, count);
                        int before = Math.Clamp(starts[row] - keyStart, 0, live);
                        if (before > 0)
                        {
                            new Span<float>(rowScores, before).Fill(float.NegativeInfinity); // before the row's window
                        }

                        if (live > before && (view.Softcap > 0 || view.HasElementMasks))
                        {
                            view.ApplySoftcapAndMasks(b, h, blockStart + row, keyStart + before, new Span<float>(rowScores + before, live - before));
                        }

                        rescale[r] = OnlineSoftmax.Update(view.Path, rowScores, live, count, ref runningMax[row], ref runningSum[row]);
                        liveFrom[r] = before;
                        liveTo[r] = live;
                    }

                    Accumulate<TKernels>(in view, scores, packedValues + (nint)keyStart * valueDimHead, count, accumulators + tileFirst * valueDimHead,
                        rescale, liveFrom, liveTo, Math.Min(tileRows, rows - tileFirst));
                }
            }

            for (int r = 0; r < rows; r++)
            {
                var output = new Span<float>(view.OutputRow(b, h, blockStart + r), valueDimHead);
                float sum = runningSum[r];
                if (sum > 0f || float.IsNaN(sum)) // NaN: a NaN or +∞ input reached this row, and the output says so
                {
                    System.Numerics.Tensors.TensorPrimitives.Divide(new ReadOnlySpan<float>(accumulators + r * valueDimHead, valueDimHead), sum, output);
                }
                else
                {
                    output.Clear(); // every key masked: the row attends to nothing
                }
            }
        }
    }

    /// <summary>Most rows a tile may have (the planner uses at most 6).</summary>
    private const int MaxTileRows = 16;

    /// <summary>
    /// The value tile for one query tile: every row's weights are zero outside its live keys, but <c>0 · v</c> is NaN for a
    /// non-finite value, and a row must never read a key it cannot see (a future token, say). So the tile kernel runs
    /// over the keys every real row sees, and the few keys only some rows see (a diagonal tile's triangle, a window's
    /// edge) are added row by row.
    /// </summary>
    private static unsafe void Accumulate<TKernels>(in AttentionView view, float* weights, float* values, int count, float* accumulators,
        float* rescale, int* liveFrom, int* liveTo, int realRows)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueDimHead = TKernels.ValueDimHead;
        int commonFrom = 0, commonTo = count;
        for (int r = 0; r < realRows; r++)
        {
            commonFrom = Math.Max(commonFrom, liveFrom[r]);
            commonTo = Math.Min(commonTo, liveTo[r]);
        }

        commonTo = Math.Max(commonTo, commonFrom);
        TKernels.AccumulateTile(view.Path, ref weights[commonFrom], KeyTile, ref values[(nint)commonFrom * valueDimHead], valueDimHead,
            commonTo - commonFrom, ref *accumulators, ref *rescale);
        if (commonFrom == 0 && commonTo == count)
        {
            return;
        }

        for (int r = 0; r < realRows; r++)
        {
            var output = new Span<float>(accumulators + r * valueDimHead, valueDimHead);
            float* rowWeights = weights + r * KeyTile;
            // The row's live keys before and after the common range (the tile kernel did the common ones).
            for (int j = liveFrom[r]; j < Math.Min(liveTo[r], commonFrom); j++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + (nint)j * valueDimHead, valueDimHead), rowWeights[j], output, output);
            }

            for (int j = Math.Max(liveFrom[r], commonTo); j < liveTo[r]; j++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + (nint)j * valueDimHead, valueDimHead), rowWeights[j], output, output);
            }
        }
    }

    /// <summary>
    /// Packs keys <c>[0, count)</c> of (batch, key/value head) for the score tile and copies their values densely,
    /// unless this thread already holds them from an earlier item of the same call (then it only extends them).
    /// </summary>
    private static unsafe void PackHead<TKernels>(in AttentionView view, int b, int kvHead, int count, int keyBlock,
        AttentionScratch scratch, long generation, out float* keys, out float* values)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        int keyCapacity = (view.KeyLength + keyBlock - 1) / keyBlock * keyBlock;
        keys = scratch.PackedKeys.Get(keyCapacity * dimHead);
        values = scratch.PackedValues.Get(keyCapacity * valueDimHead);
        bool cached = scratch.PackedGeneration == generation && scratch.PackedBatch == b && scratch.PackedKvHead == kvHead;
        int have = cached ? scratch.PackedCount : 0;
        if (have >= count)
        {
            return;
        }

        // Whole blocks from each segment (cached past, new keys); a block straddling the boundary is gathered first.
        int start = have / keyBlock * keyBlock;
        int past = view.PastLength;
        int pastWhole = Math.Min(count, past / keyBlock * keyBlock);
        if (start < pastWhole)
        {
            TKernels.PackKeys(view.Path, ref *view.KeyRow(b, kvHead, start), view.DimHead, pastWhole - start, ref keys[(nint)start * dimHead]);
            start = pastWhole;
        }

        if (start < count && start < past)
        {
            int end = Math.Min(count, start + keyBlock);
            float* gathered = scratch.Scores.Get(keyBlock * dimHead);
            for (int j = start; j < end; j++)
            {
                new ReadOnlySpan<float>(view.KeyRow(b, kvHead, j), dimHead).CopyTo(new Span<float>(gathered + (nint)(j - start) * dimHead, dimHead));
            }

            TKernels.PackKeys(view.Path, ref gathered[0], dimHead, end - start, ref keys[(nint)start * dimHead]);
            start = end;
        }

        if (start < count)
        {
            TKernels.PackKeys(view.Path, ref *view.KeyRow(b, kvHead, start), view.KeyRowStride, count - start, ref keys[(nint)start * dimHead]);
        }

        CopyValues(in view, b, kvHead, have, count, values, valueDimHead);
        scratch.PackedGeneration = generation;
        scratch.PackedBatch = b;
        scratch.PackedKvHead = kvHead;
        scratch.PackedCount = count;
    }

    private static unsafe void CopyValues(in AttentionView view, int b, int kvHead, int start, int end, float* values, int valueDimHead)
    {
        for (int j = start; j < end; j++)
        {
            new ReadOnlySpan<float>(view.ValueRow(b, kvHead, j), valueDimHead).CopyTo(new Span<float>(values + (nint)j * valueDimHead, valueDimHead));
        }
    }

    private static long s_generation;

    /// <summary>A number no earlier call got: tags what a thread's scratch holds, so a later call never reuses it.</summary>
    private static long NextGeneration() => System.Threading.Interlocked.Increment(ref s_generation);
}
