using System;
using System.Numerics.Tensors;

namespace Attend.Kernels;

public static partial class AttentionDriver
{
    /// <summary>Floats per partial result: the chunk's maximum, its sum of weights, then its unnormalized output row.</summary>
    private static int PartialLength(int valueDimHead) => valueDimHead + 2;

    /// <summary>
    /// The split-key strategy (decoding): item <c>n</c> is one chunk of <see cref="SplitKeyChunk"/> keys of one query
    /// row of one (batch, head). Each writes its partial softmax (maximum, sum, weighted values against its own
    /// maximum) to its own slot; the caller merges the slots in chunk order afterwards.
    /// </summary>
    private sealed unsafe class SplitKeyWork<TKernels> : ParallelWork
        where TKernels : struct, IAttentionHeadKernels
    {
        public AttentionView View;
        public int Chunks;
        public float* Partials;

        public override void RunItem(int item)
        {
            int rowIndex = item / Chunks;
            int chunk = item - rowIndex * Chunks;
            int pair = rowIndex / View.QueryLength;
            int i = rowIndex - pair * View.QueryLength;
            int b = pair / View.Heads;
            int h = pair - b * View.Heads;
            ComputeChunk<TKernels>(in View, b, h, i, chunk * SplitKeyChunk, Partials + (nint)item * PartialLength(TKernels.ValueDimHead));
        }
    }

    private static unsafe void RunSplitKeys<TKernels>(in AttentionView view, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueDimHead = TKernels.ValueDimHead;
        int chunks = (view.KeyLength + SplitKeyChunk - 1) / SplitKeyChunk;
        int rows = view.Batch * view.Heads * view.QueryLength;
        int items = rows * chunks;
        float* partials = AttentionScratch.Current.Partials.Get(items * PartialLength(valueDimHead));

        SplitKeyWork<TKernels> work = PerThreadCache<SplitKeyWork<TKernels>>.Rent();
        work.View = view;
        work.Chunks = chunks;
        work.Partials = partials;
        try
        {
            WorkerPool.Run(work, items, maxDegreeOfParallelism);
        }
        finally
        {
            work.View = default;
            work.Partials = null;
            PerThreadCache<SplitKeyWork<TKernels>>.Return(work);
        }

        // Merge each row's chunks in order: weights e^(m_c − M) put every chunk on the row's overall maximum M.
        for (int row = 0; row < rows; row++)
        {
            int pair = row / view.QueryLength;
            int i = row - pair * view.QueryLength;
            int b = pair / view.Heads;
            int h = pair - b * view.Heads;
            float* slots = partials + (nint)row * chunks * PartialLength(valueDimHead);
            var output = new Span<float>(view.OutputRow(b, h, i), valueDimHead);
            float max = float.NegativeInfinity;
            for (int c = 0; c < chunks; c++)
            {
                max = Math.Max(max, slots[c * PartialLength(valueDimHead)]);
            }

            output.Clear();
            if (float.IsNegativeInfinity(max))
            {
                continue; // every key masked: zeros
            }

            float sum = 0f;
            for (int c = 0; c < chunks; c++)
            {
                float* slot = slots + c * PartialLength(valueDimHead);
                if (float.IsNegativeInfinity(slot[0]))
                {
                    continue;
                }

                float factor = VectorExp.Exp(slot[0] - max);
                sum += factor * slot[1];
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(slot + 2, valueDimHead), factor, output, output);
            }

            TensorPrimitives.Divide(output, sum, output);
        }
    }

    /// <summary>
    /// Keys <c>[firstKey, firstKey + SplitKeyChunk)</c> (those row <paramref name="i"/> may see) of one query row:
    /// writes <c>[m, l, o…]</c> to <paramref name="slot"/>, with <c>m</c> the chunk's maximum logit (−∞ if all masked),
    /// <c>l = Σ e^(s − m)</c> and <c>o = Σ e^(s − m) · v</c>.
    /// </summary>
    private static unsafe void ComputeChunk<TKernels>(in AttentionView view, int b, int h, int i, int firstKey, float* slot)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueDimHead = TKernels.ValueDimHead;
        int limit = view.RowLimit(b, i);
        int endKey = Math.Min(firstKey + SplitKeyChunk, limit);
        firstKey = Math.Max(firstKey, view.RowStart(b, i, limit)); // a sliding window starts later
        int count = endKey - firstKey;
        slot[0] = float.NegativeInfinity;
        slot[1] = 0f;
        if (count <= 0)
        {
            new Span<float>(slot + 2, valueDimHead).Clear();
            return;
        }

        float* scores = AttentionScratch.Current.Scores.Get(SplitKeyChunk);
        var row = new Span<float>(scores, count);
        ScoreRange<TKernels>(in view, b, h, i, firstKey, endKey, row);
        view.ApplySoftcapAndMasks(b, h, i, firstKey, row);
        float max = TensorPrimitives.Max(row);
        if (float.IsNegativeInfinity(max))
        {
            new Span<float>(slot + 2, valueDimHead).Clear();
            return;
        }

        slot[0] = max;
        slot[1] = OnlineSoftmax.ExpAndSum(view.Path, scores, count, max);
        WeightedSumRange<TKernels>(in view, b, h / view.GroupSize, firstKey, endKey, row, new Span<float>(slot + 2, valueDimHead));
    }
}
