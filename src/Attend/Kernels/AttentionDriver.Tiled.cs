using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Attend.Kernels;

public static partial class AttentionDriver
{
    /// <summary>
    /// Keys per key tile: the score tile's width. A multiple of every path's key block (4, 8, 16, 32) and of the tile
    /// softmax's block (64 on Vector512), which pads a partly-seen row up to that block inside the score row.
    /// </summary>
    internal const int KeyTile = 128;

    /// <summary>Query tiles (of the path's <c>QueryRows</c>) per query block, the rows that share one pass over a key tile.</summary>
    internal const int TilesPerBlock = 4;

    /// <summary>
    /// Most floats of packed keys and values one pass holds (16 MB; every row of the benchmarks fits in one): pairs beyond
    /// it go in later passes, so the shared packs stay bounded for large batches.
    /// </summary>
    internal const long MaxSharedPackFloats = 4L << 20;

    /// <summary>
    /// Flash attention over one group of (batch, key/value head) pairs. An item either packs one pair's keys and values
    /// into the shared buffers or runs a chunk of <see cref="ChunkRows"/> query rows of one (batch, head), which waits
    /// (briefly, if at all) for its pair's packing and reads it shared. A pair's packing item comes before its chunks
    /// and items are taken in order, so it is running or done before any chunk waits on it. Chunks of one head come
    /// last-first, so causal heads start with their longest chunks.
    /// </summary>
    private sealed unsafe class TiledWork<TKernels> : ParallelWork
        where TKernels : struct, IAttentionHeadKernels
    {
        public AttentionView View;
        public int ChunkRows;
        public int ChunksPerHead;
        public int FirstKvPair;
        public int KvPairs;
        public int KeyCapacity;
        public float* Keys;
        public float* Values;
        public int[] Ready = [];

        public override void RunItem(int item)
        {
            // Item order: pack(0), then per pair p: pack(p + 1) (none after the last pair) and p's chunks. A pair's pack
            // is done just before its chunks need it (still in L2 on one thread), and one pair ahead, so a second thread
            // rarely waits for it.
            int chunksPerPair = View.GroupSize * ChunksPerHead;
            if (item == 0)
            {
                Pack(0);
                return;
            }

            int position = item - 1;
            int pair = Math.Min(position / (chunksPerPair + 1), KvPairs - 1);
            int offset = position - pair * (chunksPerPair + 1);
            if (pair < KvPairs - 1)
            {
                if (offset == 0)
                {
                    Pack(pair + 1);
                    return;
                }

                offset--;
            }

            int member = offset / ChunksPerHead; // which query head of the key/value head's group
            int chunk = ChunksPerHead - 1 - (offset - member * ChunksPerHead);
            int kvHeads = View.Heads / View.GroupSize;
            int kvPair = FirstKvPair + pair;
            int batch = kvPair / kvHeads;
            int head = (kvPair - batch * kvHeads) * View.GroupSize + member;
            WaitPacked(pair);
            int firstRow = chunk * ChunkRows;
            RunTiledChunk<TKernels>(in View, batch, head, firstRow, Math.Min(firstRow + ChunkRows, View.QueryLength), AttentionScratch.Current,
                Keys + (nint)pair * KeyCapacity * TKernels.DimHead, Values + (nint)pair * KeyCapacity * TKernels.ValueDimHead);
        }

        private void Pack(int pair)
        {
            try
            {
                int kvHeads = View.Heads / View.GroupSize;
                int kvPair = FirstKvPair + pair;
                int b = kvPair / kvHeads;
                PackPair<TKernels>(in View, b, kvPair - b * kvHeads, KeyCapacity, Keys + (nint)pair * KeyCapacity * TKernels.DimHead,
                    Values + (nint)pair * KeyCapacity * TKernels.ValueDimHead);
                Volatile.Write(ref Ready[pair], 1);
            }
            catch
            {
                Volatile.Write(ref Ready[pair], -1); // a chunk waiting on it gives up instead of spinning forever
                throw;
            }
        }

        private void WaitPacked(int localKv)
        {
            var spin = new SpinWait();
            int state;
            while ((state = Volatile.Read(ref Ready[localKv])) == 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            if (state < 0)
            {
                throw new InvalidOperationException("Packing the keys of this head failed on another thread.");
            }
        }
    }

    private static unsafe void RunTiled<TKernels>(in AttentionView view, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        AttentionTileShape shape = TKernels.TileShape(view.Path);
        int blockRows = shape.QueryRows * TilesPerBlock;
        int kvHeads = view.Heads / view.GroupSize;
        int kvPairs = view.Batch * kvHeads;
        int pairs = view.Batch * view.Heads;

        // Chunks are whole query blocks; on several threads enough of them (16 items per thread when heads are few) that a
        // thread slowed by another process or a late wake-up leaves little work behind. The split changes no result: a
        // query row is computed the same way in any chunk.
        int threads = Math.Max(1, Math.Min(maxDegreeOfParallelism, WorkerPool.MaxThreads));
        int blocksPerHead = (view.QueryLength + blockRows - 1) / blockRows;
        int wantedChunks = threads == 1 ? 1 : Math.Max(1, (16 * threads + pairs - 1) / pairs);
        int chunksPerHead = Math.Min(blocksPerHead, wantedChunks);
        int chunkRows = (blocksPerHead + chunksPerHead - 1) / chunksPerHead * blockRows;
        chunksPerHead = (view.QueryLength + chunkRows - 1) / chunkRows;

        // Keys and values are packed once per (batch, key/value head) and shared read-only by every chunk that reads them;
        // the pairs go in groups whose packs fit MaxSharedPackFloats, so memory stays bounded for large batches.
        int keyCapacity = (view.KeyLength + shape.KeyBlock - 1) / shape.KeyBlock * shape.KeyBlock;
        long floatsPerPair = Math.Max(1L, (long)keyCapacity * (TKernels.DimHead + TKernels.ValueDimHead));
        int pairsPerGroup = (int)Math.Clamp(MaxSharedPackFloats / floatsPerPair, 1, kvPairs);
        AttentionScratch scratch = AttentionScratch.Current;
        float* keys = scratch.SharedKeys.Get(Math.Max(1, (int)((long)pairsPerGroup * keyCapacity * TKernels.DimHead)));
        float* values = scratch.SharedValues.Get(Math.Max(1, (int)((long)pairsPerGroup * keyCapacity * TKernels.ValueDimHead)));

        TiledWork<TKernels> work = PerThreadCache<TiledWork<TKernels>>.Rent();
        if (work.Ready.Length < pairsPerGroup)
        {
            work.Ready = new int[pairsPerGroup];
        }

        work.View = view;
        work.ChunkRows = chunkRows;
        work.ChunksPerHead = chunksPerHead;
        work.KeyCapacity = keyCapacity;
        work.Keys = keys;
        work.Values = values;
        try
        {
            for (int first = 0; first < kvPairs; first += pairsPerGroup)
            {
                int group = Math.Min(pairsPerGroup, kvPairs - first);
                Array.Clear(work.Ready, 0, group);
                work.FirstKvPair = first;
                work.KvPairs = group;
                WorkerPool.Run(work, group + group * view.GroupSize * chunksPerHead, threads);
            }
        }
        finally
        {
            work.View = default;
            work.Keys = null;
            work.Values = null;
            PerThreadCache<TiledWork<TKernels>>.Return(work);
        }
    }

    /// <summary>
    /// Query rows <c>[firstRow, endRow)</c> of head <paramref name="h"/> over the keys and values packed for its
    /// (batch, key/value head): each block of <c>QueryRows · TilesPerBlock</c> rows runs over the key tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunTiledChunk<TKernels>(in AttentionView view, int b, int h, int firstRow, int endRow, AttentionScratch scratch,
        float* packedKeys, float* packedValues)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        AttentionTileShape shape = TKernels.TileShape(view.Path);
        int tileRows = shape.QueryRows;
        int blockRows = tileRows * TilesPerBlock;
        bool elementWise = view.Softcap > 0 || view.HasElementMasks;

        float* queries = scratch.Queries.Get(blockRows * dimHead);
        float* scores = scratch.Scores.Get(tileRows * KeyTile);
        float* accumulators = scratch.Accumulators.Get(blockRows * valueDimHead);
        float* rowState = scratch.RowState.Get(5 * blockRows + 3 * TilesPerBlock);
        float* runningMax = rowState;
        float* runningSum = rowState + blockRows;
        float* rescale = rowState + 2 * blockRows;
        int* limits = (int*)(rowState + 3 * blockRows);
        int* starts = (int*)(rowState + 4 * blockRows); // sliding window: keys before this are masked
        int* tileLimits = (int*)(rowState + 5 * blockRows); // per query tile: the most keys any of its rows sees
        int* tileStarts = tileLimits + TilesPerBlock; // per query tile: the first key any of its rows sees
        int* tileFull = tileStarts + TilesPerBlock; // per query tile: the keys [0, n) every row (padding too) sees, unmasked
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
                    System.Numerics.Tensors.TensorPrimitives.Multiply(new ReadOnlySpan<float>(view.QueryRow(b, h, blockStart + r), dimHead), view.Scale,
                        new Span<float>(destination, dimHead));

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

            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            {
                // The next block's query rows, a row stride apart (each in its own page): fetched while this block runs.
                for (int i = blockStart + blockRows; i < Math.Min(endRow, blockStart + 2 * blockRows); i++)
                {
                    PrefetchRow(view.QueryRow(b, h, i), dimHead);
                }
            }

            for (int t = 0; t < tiles; t++)
            {
                int tileLimit = 0, tileStart = int.MaxValue, full = elementWise ? 0 : int.MaxValue;
                for (int r = t * tileRows; r < (t + 1) * tileRows; r++)
                {
                    tileLimit = Math.Max(tileLimit, limits[r]);
                    tileStart = Math.Min(tileStart, limits[r] > starts[r] ? starts[r] : int.MaxValue);
                    full = starts[r] > 0 ? 0 : Math.Min(full, limits[r]); // a padding row (limit 0) makes no key common
                }

                tileLimits[t] = tileLimit;
                tileStarts[t] = tileStart;
                tileFull[t] = full;
            }

            new Span<float>(accumulators, paddedRows * valueDimHead).Clear();

            // Each key tile is read once from L2 and reused, from L1, by every query tile of the block.
            for (int keyStart = 0; keyStart < blockLimit; keyStart += KeyTile)
            {
                for (int t = 0; t < tiles; t++)
                {
                    int tileFirst = t * tileRows;
                    int count = Math.Min(KeyTile, tileLimits[t] - keyStart);
                    if (count <= 0 || keyStart + count <= tileStarts[t])
                    {
                        continue; // causal: above the diagonal for these rows; sliding window: before every row's window
                    }

                    int blocks = (count + shape.KeyBlock - 1) / shape.KeyBlock;
                    TKernels.ScoreTile(view.Path, ref queries[tileFirst * dimHead], ref packedKeys[(nint)keyStart * dimHead], blocks, ref scores[0], KeyTile);
                    float* tileValues = packedValues + (nint)keyStart * valueDimHead;
                    if (keyStart + count <= tileFull[t])
                    {
                        // Every row of the tile sees every key of it, unmasked: one softmax call (a ragged last tile padded
                        // with −∞ to the vector width), the value tile over all keys.
                        int softmaxCount = Math.Max(count, OnlineSoftmax.TileCount(view.Path, count));
                        for (int r = 0; softmaxCount > count && r < tileRows; r++)
                        {
                            new Span<float>(scores + r * KeyTile + count, softmaxCount - count).Fill(float.NegativeInfinity);
                        }

                        OnlineSoftmax.UpdateTile(view.Path, scores, KeyTile, tileRows, softmaxCount, runningMax + tileFirst, runningSum + tileFirst, rescale);
                        TKernels.AccumulateTile(view.Path, ref scores[0], KeyTile, ref tileValues[0], valueDimHead, count,
                            ref accumulators[tileFirst * valueDimHead], ref rescale[0]);
                        continue;
                    }

                    // A tile some rows see only in part (the causal diagonal, a window's edge, masks): each row's unseen
                    // keys become −∞ (weight 0). Without per-element work, the softmax is then one tile call over the
                    // vector-rounded width (the scores past the tile's keys are overwritten here, never read as keys).
                    int tileCount = elementWise ? 0 : OnlineSoftmax.TileCount(view.Path, count);
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

                        if (live > before && elementWise)
                        {
                            view.ApplySoftcapAndMasks(b, h, blockStart + row, keyStart + before, new Span<float>(rowScores + before, live - before));
                        }

                        if (tileCount > 0)
                        {
                            new Span<float>(rowScores + live, tileCount - live).Fill(float.NegativeInfinity);
                        }
                        else
                        {
                            rescale[r] = OnlineSoftmax.Update(view.Path, rowScores, live, count, ref runningMax[row], ref runningSum[row]);
                        }

                        liveFrom[r] = before;
                        liveTo[r] = live;
                    }

                    if (tileCount > 0)
                    {
                        OnlineSoftmax.UpdateTile(view.Path, scores, KeyTile, tileRows, tileCount, runningMax + tileFirst, runningSum + tileFirst, rescale);
                    }

                    Accumulate<TKernels>(view.Path, scores, tileValues, count, accumulators + tileFirst * valueDimHead,
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
    private static unsafe void Accumulate<TKernels>(KernelPath path, float* weights, float* values, int count, float* accumulators,
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
        TKernels.AccumulateTile(path, ref weights[commonFrom], KeyTile, ref values[(nint)commonFrom * valueDimHead], valueDimHead,
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
    /// Packs the keys of (batch, key/value head) that some query row of the batch can see, for the score tile, into
    /// <paramref name="keys"/> (room for <paramref name="keyCapacity"/>), and copies their values densely.
    /// </summary>
    private static unsafe void PackPair<TKernels>(in AttentionView view, int b, int kvHead, int keyCapacity, float* keys, float* values)
        where TKernels : struct, IAttentionHeadKernels
    {
        int count = 0;
        for (int i = 0; i < view.QueryLength && count < view.KeyLength; i++)
        {
            count = Math.Max(count, view.RowLimit(b, i));
        }

        if (count == 0)
        {
            return;
        }

        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        int keyBlock = TKernels.TileShape(view.Path).KeyBlock;

        // Block by block: the rows are gathered (from the cached past or the new keys, wherever each is) into a dense
        // block, then transposed from there. The source rows are far apart (a row stride of E or 3E floats puts each in
        // its own page, where the hardware prefetcher stops), so the next block's rows are prefetched while this one is
        // copied: measured, packing was mostly waiting for memory.
        // Where the rows' widths allow, KeyPacking transposes straight from the rows, 8 × 8 in registers; otherwise the
        // rows are gathered and the emitted PackKeys transposes them. Both write the same floats.
        bool transposeInRegisters = KeyPacking.CanPack(dimHead, keyBlock) && keyBlock <= MaxKeyBlock;
        float** keyRows = stackalloc float*[MaxKeyBlock];
        float* gathered = transposeInRegisters ? null : AttentionScratch.Current.Scores.Get(keyBlock * dimHead);
        PrefetchRows(in view, b, kvHead, 0, Math.Min(count, keyBlock));
        for (int start = 0; start < count; start += keyBlock)
        {
            int end = Math.Min(count, start + keyBlock);
            PrefetchRows(in view, b, kvHead, end, Math.Min(count, end + keyBlock));
            for (int j = start; j < end; j++)
            {
                new ReadOnlySpan<float>(view.ValueRow(b, kvHead, j), valueDimHead).CopyTo(new Span<float>(values + (nint)j * valueDimHead, valueDimHead));
            }

            if (transposeInRegisters)
            {
                for (int j = start; j < end; j++)
                {
                    keyRows[j - start] = view.KeyRow(b, kvHead, j);
                }

                KeyPacking.PackBlock(keyRows, end - start, dimHead, keyBlock, keys + (nint)start * dimHead);
                continue;
            }

            for (int j = start; j < end; j++)
            {
                new ReadOnlySpan<float>(view.KeyRow(b, kvHead, j), dimHead).CopyTo(new Span<float>(gathered + (nint)(j - start) * dimHead, dimHead));
            }

            TKernels.PackKeys(view.Path, ref gathered[0], dimHead, end - start, ref keys[(nint)start * dimHead]);
        }
    }

    /// <summary>The widest key block a path uses (Vector512: 32 keys), for the row pointers of one block.</summary>
    private const int MaxKeyBlock = 64;

    /// <summary>Asks the cache for key and value rows <c>[start, end)</c> ahead of their use.</summary>
    private static unsafe void PrefetchRows(in AttentionView view, int b, int kvHead, int start, int end)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return;
        }

        for (int j = start; j < end; j++)
        {
            PrefetchRow(view.KeyRow(b, kvHead, j), view.DimHead);
            PrefetchRow(view.ValueRow(b, kvHead, j), view.ValueDimHead);
        }
    }

    /// <summary>Prefetches the cache lines of one row of <paramref name="length"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(float* row, int length)
    {
        for (int offset = 0; offset < length; offset += 16)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + offset);
        }

        System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + length - 1); // the last line, when the row does not start one
    }
}
