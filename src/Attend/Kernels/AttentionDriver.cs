using System;

namespace Attend.Kernels;

/// <summary>
/// Runs scaled dot-product attention over a generated <see cref="IAttentionHeadKernels"/> struct. Instantiated over
/// that struct, the JIT specializes the whole driver, so the head widths stay constants.
/// </summary>
/// <remarks>
/// <para>Three strategies, chosen per call; each computes a row the same way whatever thread runs it:</para>
/// <list type="bullet">
/// <item><b>Tiled</b> (the default): flash attention. Blocks of query rows stream over tiles of packed keys and
/// values; register-blocked score and value tiles; an online softmax; tiles above the causal diagonal skipped.
/// Extra memory per thread: the packed keys and values of one head, and tiles.</item>
/// <item><b>Split keys</b>: a query length below <see cref="SplitKeyMaxQueries"/> (decoding one token against a
/// KV cache) splits each row's keys into chunks of <see cref="SplitKeyChunk"/>, computed in parallel and merged
/// with their log-sum-exp; keys are read in place, never packed.</item>
/// <item><b>Rows</b>: when probabilities or scores are asked for, the whole score row of each query is kept
/// and written out.</item>
/// </list>
/// </remarks>
public static partial class AttentionDriver
{
    /// <summary>
    /// Below this many multiply-adds (about <c>B·H·Sq·T·(D + Dv)</c>) threads cost more than they save, so the call
    /// runs on the calling thread whatever <see cref="AttentionProblem.MaxDegreeOfParallelism"/> says.
    /// </summary>
    internal const long ParallelWorkThreshold = 1L << 16;

    /// <summary>
    /// Query lengths below this use the split-key strategy, whatever the key length: a row or three per (batch, head) read
    /// their keys in place, where the tiled strategy would pack every key and value of the head for them (a TinyDecoder
    /// decode step at batch 64, ≤ 17 keys of 16: 0.39 → 0.22 ms).
    /// </summary>
    internal const int SplitKeyMaxQueries = 4;

    /// <summary>
    /// Keys per chunk of the split-key strategy: fixed, not derived from the thread count, so the chunks (and the
    /// merged results) are the same on any number of threads.
    /// </summary>
    internal const int SplitKeyChunk = 256;

    /// <summary>
    /// Computes <c>softmax(bias + softcap(Scale · Q·Kᵀ)) · V</c> for every batch, head and query row of
    /// <paramref name="problem"/> into <see cref="AttentionProblem.Output"/>, and the optional probabilities
    /// and scores.
    /// </summary>
    /// <typeparam name="TKernels">The generated kernels; their <c>DimHead</c>/<c>ValueDimHead</c> fix the head widths.</typeparam>
    /// <param name="problem">Shapes, strided tensors, masks and options; see <see cref="AttentionProblem"/>.</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape and strides need, or a dense span has the
    /// wrong length, or a dimension, stride or option is out of range; thrown before any output is written.</exception>
    public static unsafe void Run<TKernels>(scoped in AttentionProblem problem)
        where TKernels : struct, IAttentionHeadKernels
    {
        problem.Validate(TKernels.DimHead, TKernels.ValueDimHead);
        if (problem.Batch == 0 || problem.QueryLength == 0)
        {
            return;
        }

        fixed (float* pastKey = problem.PastKey)
        fixed (float* pastValue = problem.PastValue)
        {
            Execute<TKernels>(in problem, new PastRows { Key = pastKey, Value = pastValue, Length = problem.PastLength, RowsPerHead = problem.PastLength });
        }
    }

    /// <summary>Where the past key/value rows of a validated problem lie: dense float rows, or a KV cache's (float or bfloat16).</summary>
    private unsafe struct PastRows
    {
        public float* Key;
        public float* Value;
        public ushort* KeyBits;
        public ushort* ValueBits;
        public int Length;
        public nint RowsPerHead;
    }

    /// <summary>Pins the problem's spans, builds the view over them and <paramref name="past"/>, and runs the strategy that fits.</summary>
    private static unsafe void Execute<TKernels>(scoped in AttentionProblem problem, in PastRows past)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        fixed (float* query = problem.Query)
        fixed (float* key = problem.Key)
        fixed (float* value = problem.Value)
        fixed (float* output = problem.Output)
        fixed (float* additiveMask = problem.AdditiveMask)
        fixed (bool* booleanMask = problem.BooleanMask)
        fixed (bool* keyPadding = problem.KeyPaddingMask)
        fixed (long* validLengths = problem.KeyValidLengths)
        fixed (long* causalOffsets = problem.CausalOffsets)
        fixed (float* probabilities = problem.Probabilities)
        fixed (float* scores = problem.Scores)
        {
            var view = new AttentionView
            {
                Path = KernelPaths.Resolve(problem.Path),
                Batch = problem.Batch,
                Heads = problem.Heads,
                GroupSize = problem.Heads / problem.ResolvedKvHeads,
                QueryLength = problem.QueryLength,
                KeyLength = problem.KeyLength,
                PastLength = past.Length,
                DimHead = dimHead,
                ValueDimHead = valueDimHead,
                Query = query,
                QueryBatchStride = problem.QueryBatchStride,
                QueryHeadStride = problem.QueryHeadStride,
                QueryRowStride = problem.QueryRowStride,
                Key = key,
                KeyBatchStride = problem.KeyBatchStride,
                KeyHeadStride = problem.KeyHeadStride,
                KeyRowStride = problem.KeyRowStride,
                Value = value,
                ValueBatchStride = problem.ValueBatchStride,
                ValueHeadStride = problem.ValueHeadStride,
                ValueRowStride = problem.ValueRowStride,
                PastKey = past.Key,
                PastValue = past.Value,
                PastRowsPerHead = past.RowsPerHead,
                PastKeyBits = past.KeyBits,
                PastValueBits = past.ValueBits,
                Output = output,
                OutputBatchStride = problem.OutputBatchStride,
                OutputHeadStride = problem.OutputHeadStride,
                OutputRowStride = problem.OutputRowStride,
                Scale = problem.Scale,
                Softcap = problem.Softcap,
                Causal = problem.Causal,
                Window = problem.Window,
                CausalOffset = problem.CausalOffset,
                CausalOffsets = problem.CausalOffsets.IsEmpty ? null : causalOffsets,
                KeyPadding = problem.KeyPaddingMask.IsEmpty ? null : keyPadding,
                ValidLengths = problem.KeyValidLengths.IsEmpty ? null : validLengths,
                AdditiveMask = problem.AdditiveMask.IsEmpty ? null : additiveMask,
                BooleanMask = problem.BooleanMask.IsEmpty ? null : booleanMask,
                MaskBatchStride = problem.MaskBatchStride,
                MaskHeadStride = problem.MaskHeadStride,
                MaskRowStride = problem.MaskRowStride,
                MaskLength = problem.MaskLength,
                Probabilities = problem.Probabilities.IsEmpty ? null : probabilities,
                Scores = problem.Scores.IsEmpty ? null : scores,
                ScoresMode = problem.ScoresMode,
            };

            long work = (long)problem.Batch * problem.Heads * problem.QueryLength * Math.Max(problem.KeyLength, 1) * (dimHead + valueDimHead);
            int threads = work < ParallelWorkThreshold ? 1 : Math.Max(1, problem.MaxDegreeOfParallelism);
            if (view.Probabilities != null || view.Scores != null)
            {
                RunRows<TKernels>(in view, threads);
            }
            else if (view.QueryLength < SplitKeyMaxQueries)
            {
                RunSplitKeys<TKernels>(in view, threads);
            }
            else
            {
                // A key padding mask that pads only each sequence's tail (what a tokenizer writes) is the same mask as
                // per-batch valid lengths, which the tiled kernels turn into keys never scored nor packed, instead of
                // scores set to −∞ one by one on a slower per-row path.
                if (view.KeyPadding != null && view.ValidLengths == null && view.Batch <= MaxTailPaddingBatch)
                {
                    long* lengths = stackalloc long[view.Batch];
                    if (TailPaddingLengths(view.KeyPadding, view.Batch, view.KeyLength, lengths))
                    {
                        view.KeyPadding = null;
                        view.ValidLengths = lengths;
                    }
                }

                RunTiled<TKernels>(in view, threads);
            }
        }
    }

    /// <summary>Most sequences whose tail-padding lengths are kept on the stack (8 KB); larger batches keep the mask.</summary>
    internal const int MaxTailPaddingBatch = 1024;

    /// <summary>
    /// Whether every row of <paramref name="padding"/> <c>[batch, keyLength]</c> is real keys then padded ones only
    /// (true = padded); if so, <paramref name="lengths"/> receives each row's count of real keys.
    /// </summary>
    private static unsafe bool TailPaddingLengths(bool* padding, int batch, int keyLength, long* lengths)
    {
        for (int b = 0; b < batch; b++)
        {
            var row = new ReadOnlySpan<byte>(padding + (nint)b * keyLength, keyLength);
            int firstPadded = row.IndexOfAnyExcept((byte)0);
            if (firstPadded < 0)
            {
                lengths[b] = keyLength;
                continue;
            }

            if (row[firstPadded..].Contains((byte)0))
            {
                return false; // a real key after a padded one: the mask is not a tail
            }

            lengths[b] = firstPadded;
        }

        return true;
    }
}
