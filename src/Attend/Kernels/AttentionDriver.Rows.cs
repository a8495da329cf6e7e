using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace Attend.Kernels;

[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static partial class AttentionDriver
{
    /// <summary>Work items aimed for per allowed thread, so uneven (causal) rows still balance.</summary>
    private const int ItemsPerThread = 4;

    /// <summary>
    /// The row strategy, for calls that want probabilities or scores: each query row's whole score row is computed,
    /// normalized and written out. Item <c>n</c> is one block of rows of one (batch, head).
    /// </summary>
    private sealed class RowWork<TKernels> : ParallelWork
        where TKernels : struct, IAttentionHeadKernels
    {
        public AttentionView View;
        public int Blocks;
        public int BlockRows;

        public override unsafe void RunItem(int item)
        {
            int pair = item / Blocks;
            int firstRow = (item - pair * Blocks) * BlockRows;
            int endRow = Math.Min(firstRow + BlockRows, View.QueryLength);
            int b = pair / View.Heads;
            int h = pair - b * View.Heads;
            var row = new Span<float>(AttentionScratch.Current.Scores.Get(Math.Max(View.KeyLength, 1)), View.KeyLength);
            for (int i = firstRow; i < endRow; i++)
            {
                ComputeRow<TKernels>(in View, b, h, i, row);
            }
        }
    }

    private static void RunRows<TKernels>(in AttentionView view, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        int pairs = view.Batch * view.Heads;
        long wanted = (long)ItemsPerThread * maxDegreeOfParallelism;
        int blocks = maxDegreeOfParallelism <= 1 || pairs >= wanted ? 1 : (int)Math.Min(view.QueryLength, (wanted + pairs - 1) / pairs);
        int blockRows = (view.QueryLength + blocks - 1) / blocks;
        blocks = (view.QueryLength + blockRows - 1) / blockRows;

        // The optional outputs are a slow path: a fresh work object per call is fine here.
        var work = new RowWork<TKernels> { View = view, Blocks = blocks, BlockRows = blockRows };
        WorkerPool.Run(work, pairs * blocks, maxDegreeOfParallelism);
    }

    /// <summary>One query row: scores, softcap, bias, softmax, weighted sum, and the optional outputs.</summary>
    private static unsafe void ComputeRow<TKernels>(in AttentionView view, int b, int h, int i, Span<float> row)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueDimHead = TKernels.ValueDimHead;
        int kvHead = h / view.GroupSize;
        int keyLength = view.KeyLength;

        // Keys past `live` are masked by a rule that needs no score; they are computed only if a raw score output asks.
        // A sliding window also masks the keys before `first`: the row's live keys are [first, live).
        int live = view.RowLimit(b, i);
        int first = view.RowStart(b, i, live);
        float* scoreOut = view.Scores == null ? null : view.Scores + (((nint)b * view.Heads + h) * view.QueryLength + i) * (nint)keyLength;
        bool rawOut = scoreOut != null && view.ScoresMode <= QkMatMulOutputMode.AfterSoftcap;
        int computed = rawOut ? keyLength : live;

        ScoreRange<TKernels>(in view, b, h, i, first, computed, row[first..]);

        if (rawOut && view.ScoresMode == QkMatMulOutputMode.RawScores)
        {
            row.CopyTo(new Span<float>(scoreOut, keyLength));
        }

        if (view.Softcap > 0 && computed > first)
        {
            Span<float> capped = row[first..computed];
            TensorPrimitives.Divide(capped, view.Softcap, capped);
            TensorPrimitives.Tanh(capped, capped);
            TensorPrimitives.Multiply(capped, view.Softcap, capped);
        }

        if (rawOut && view.ScoresMode == QkMatMulOutputMode.AfterSoftcap)
        {
            row.CopyTo(new Span<float>(scoreOut, keyLength));
        }

        Span<float> weights = row[first..live];
        view.ApplyMasks(b, h, i, first, weights);

        if (scoreOut != null && view.ScoresMode == QkMatMulOutputMode.AfterMask)
        {
            weights.CopyTo(new Span<float>(scoreOut, live));
            new Span<float>(scoreOut + live, keyLength - live).Fill(float.NegativeInfinity);
        }

        float* outputRow = view.OutputRow(b, h, i);
        float max = live > first ? TensorPrimitives.Max(weights) : float.NegativeInfinity;
        if (float.IsNegativeInfinity(max))
        {
            // Every key is masked: exp(-inf - -inf) would be NaN; the row attends to nothing and yields zeros.
            live = first;
            new Span<float>(outputRow, valueDimHead).Clear();
        }
        else
        {
            TensorPrimitives.Subtract(weights, max, weights);
            TensorPrimitives.Exp(weights, weights);
            TensorPrimitives.Divide(weights, TensorPrimitives.Sum(weights), weights);
            WeightedSumRange<TKernels>(in view, b, kvHead, first, live, weights, new Span<float>(outputRow, valueDimHead));
        }

        float* probabilityOut = view.Probabilities == null ? null : view.Probabilities + (((nint)b * view.Heads + h) * view.QueryLength + i) * (nint)keyLength;
        if (probabilityOut != null)
        {
            WriteProbabilities(row, first, live, new Span<float>(probabilityOut, keyLength));
        }

        if (scoreOut != null && view.ScoresMode == QkMatMulOutputMode.AfterSoftmax)
        {
            WriteProbabilities(row, first, live, new Span<float>(scoreOut, keyLength));
        }
    }

    /// <summary>
    /// <c>scores[j − firstKey] = Scale · q·k_j</c> for keys <c>[firstKey, endKey)</c> of query row <paramref name="i"/>,
    /// one kernel call per key segment (cached past, new keys).
    /// </summary>
    private static unsafe void ScoreRange<TKernels>(in AttentionView view, int b, int h, int i, int firstKey, int endKey, Span<float> scores)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int kvHead = h / view.GroupSize;
        var query = new ReadOnlySpan<float>(view.QueryRow(b, h, i), dimHead);
        for (int start = firstKey, end; start < endKey; start = end)
        {
            end = Math.Min(endKey, view.SegmentEnd(start));
            int count = end - start;
            if (view.IsBFloat16(start))
            {
                BFloat16AttentionKernels.Scores(view.Path, query, new ReadOnlySpan<ushort>(view.PastKeyBitsRow(b, kvHead, start), count * dimHead),
                    dimHead, count, view.Scale, scores.Slice(start - firstKey, count));
                continue;
            }

            int stride = (int)view.KeyStrideAt(start);
            TKernels.Scores(view.Path, query, new ReadOnlySpan<float>(view.KeyRow(b, kvHead, start), (count - 1) * stride + dimHead),
                stride, count, view.Scale, scores.Slice(start - firstKey, count));
        }
    }

    /// <summary>
    /// <c>output = Σ weights[j − firstKey] · v_j</c> over keys <c>[firstKey, endKey)</c>, one kernel call per key segment;
    /// overwrites <paramref name="output"/>.
    /// </summary>
    private static unsafe void WeightedSumRange<TKernels>(in AttentionView view, int b, int kvHead, int firstKey, int endKey,
        ReadOnlySpan<float> weights, Span<float> output)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueDimHead = TKernels.ValueDimHead;
        if (endKey <= firstKey)
        {
            output.Clear();
            return;
        }

        Span<float> part = valueDimHead <= 256 ? stackalloc float[valueDimHead] : new float[valueDimHead];
        bool first = true;
        for (int start = firstKey, end; start < endKey; start = end)
        {
            end = Math.Min(endKey, view.SegmentEnd(start));
            int count = end - start;
            Span<float> target = first ? output : part;
            if (view.IsBFloat16(start))
            {
                BFloat16AttentionKernels.WeightedSum(view.Path, weights.Slice(start - firstKey, count),
                    new ReadOnlySpan<ushort>(view.PastValueBitsRow(b, kvHead, start), count * valueDimHead), valueDimHead, count, target);
            }
            else
            {
                int stride = (int)view.ValueStrideAt(start);
                TKernels.WeightedSum(view.Path, weights.Slice(start - firstKey, count),
                    new ReadOnlySpan<float>(view.ValueRow(b, kvHead, start), (count - 1) * stride + valueDimHead), stride, count, target);
            }

            if (!first)
            {
                TensorPrimitives.Add(output, part, output);
            }

            first = false;
        }
    }

    /// <summary>Writes the weights of keys <c>[first, live)</c> and zeros for every other key.</summary>
    private static void WriteProbabilities(ReadOnlySpan<float> row, int first, int live, Span<float> destination)
    {
        destination[..first].Clear();
        row[first..live].CopyTo(destination[first..]);
        destination[live..].Clear();
    }
}
