using System;
using System.Buffers;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Attend.Kernels;

/// <summary>
/// Runs scaled dot-product attention row by row over a generated <see cref="IAttentionHeadKernels"/> struct.
/// Instantiated over that struct, the JIT specializes the whole driver, so the head widths stay constants.
/// </summary>
public static class AttentionDriver
{
    /// <summary>
    /// Below this many multiply-adds (about <c>B·H·Sq·T·(D + Dv)</c>) threads cost more than they save, so the call
    /// runs on the calling thread whatever <see cref="AttentionProblem.MaxDegreeOfParallelism"/> says.
    /// </summary>
    internal const long ParallelWorkThreshold = 1L << 16;

    /// <summary>Parallel work items aimed for per allowed thread, so uneven (causal) rows still balance.</summary>
    private const int ItemsPerThread = 4;

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
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        problem.Validate(dimHead, valueDimHead);
        if (problem.Batch == 0 || problem.QueryLength == 0)
        {
            return;
        }

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
            // A ref struct cannot cross into Parallel.For's delegate, so the pinned pointers travel in a plain struct.
            var rows = new RowContext
            {
                Path = KernelPaths.Resolve(problem.Path),
                Heads = problem.Heads,
                GroupSize = problem.Heads / problem.ResolvedKvHeads,
                QueryLength = problem.QueryLength,
                KeyLength = problem.KeyLength,
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

            Schedule<TKernels>(in rows, problem.Batch, problem.MaxDegreeOfParallelism, dimHead + valueDimHead);
        }
    }

    /// <summary>
    /// Splits the rows into work items (batch × head × query block) and runs them on the calling thread or with
    /// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>. Every row is computed by the same code
    /// whichever thread takes it, so the results do not depend on the split.
    /// </summary>
    private static void Schedule<TKernels>(in RowContext rows, int batch, int maxDegreeOfParallelism, int widths)
        where TKernels : struct, IAttentionHeadKernels
    {
        int headsTotal = batch * rows.Heads;
        int scratchLength = Math.Max(rows.KeyLength, 1);
        long work = (long)headsTotal * rows.QueryLength * Math.Max(rows.KeyLength, 1) * widths;
        if (maxDegreeOfParallelism <= 1 || work < ParallelWorkThreshold || (headsTotal == 1 && rows.QueryLength == 1))
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(scratchLength);
            try
            {
                rows.RunRows<TKernels>(0, headsTotal, 0, rows.QueryLength, scratch);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }

            return;
        }

        // Too few (batch, head) pairs to feed every thread: cut each head's query rows into blocks too.
        long wanted = (long)ItemsPerThread * maxDegreeOfParallelism;
        int blocks = headsTotal >= wanted ? 1 : (int)Math.Min(rows.QueryLength, (wanted + headsTotal - 1) / headsTotal);
        int blockRows = (rows.QueryLength + blocks - 1) / blocks;
        blocks = (rows.QueryLength + blockRows - 1) / blockRows;

        RowContext context = rows;
        Parallel.For(
            0,
            headsTotal * blocks,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => ArrayPool<float>.Shared.Rent(scratchLength),
            (item, _, scratch) =>
            {
                int pair = item / blocks;
                int firstRow = (item - pair * blocks) * blockRows;
                context.RunRows<TKernels>(pair, pair + 1, firstRow, Math.Min(firstRow + blockRows, context.QueryLength), scratch);
                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    /// <summary>The validated problem as raw pointers and strides: what one worker needs to compute any row.</summary>
    private unsafe struct RowContext
    {
        public KernelPath Path;
        public int Heads;
        public int GroupSize;
        public int QueryLength;
        public int KeyLength;
        public float* Query;
        public nint QueryBatchStride;
        public nint QueryHeadStride;
        public nint QueryRowStride;
        public float* Key;
        public nint KeyBatchStride;
        public nint KeyHeadStride;
        public int KeyRowStride;
        public float* Value;
        public nint ValueBatchStride;
        public nint ValueHeadStride;
        public int ValueRowStride;
        public float* Output;
        public nint OutputBatchStride;
        public nint OutputHeadStride;
        public nint OutputRowStride;
        public float Scale;
        public float Softcap;
        public bool Causal;
        public int Window;
        public long CausalOffset;
        public long* CausalOffsets;
        public bool* KeyPadding;
        public long* ValidLengths;
        public float* AdditiveMask;
        public bool* BooleanMask;
        public nint MaskBatchStride;
        public nint MaskHeadStride;
        public nint MaskRowStride;
        public int MaskLength;
        public float* Probabilities;
        public float* Scores;
        public QkMatMulOutputMode ScoresMode;

        /// <summary>Computes query rows <c>[firstRow, endRow)</c> of the flattened (batch, head) pairs <c>[firstPair, endPair)</c>.</summary>
        public readonly void RunRows<TKernels>(int firstPair, int endPair, int firstRow, int endRow, float[] scratch)
            where TKernels : struct, IAttentionHeadKernels
        {
            Span<float> row = scratch.AsSpan(0, KeyLength);
            for (int pair = firstPair; pair < endPair; pair++)
            {
                int b = pair / Heads;
                int h = pair - b * Heads;
                for (int i = firstRow; i < endRow; i++)
                {
                    ComputeRow<TKernels>(b, h, i, row);
                }
            }
        }

        /// <summary>One query row: scores, softcap, bias, softmax, weighted sum, and the optional outputs.</summary>
        private readonly void ComputeRow<TKernels>(int b, int h, int i, Span<float> row)
            where TKernels : struct, IAttentionHeadKernels
        {
            int dimHead = TKernels.DimHead;
            int valueDimHead = TKernels.ValueDimHead;
            int kvHead = h / GroupSize;
            int keyLength = KeyLength;

            // Keys past `limit` are masked for this row by a rule that needs no score: causal, valid length, short mask.
            // They are never computed unless a raw score output asks for them.
            long limit = keyLength;
            if (Causal)
            {
                long offset = CausalOffsets != null ? CausalOffsets[b] : CausalOffset;
                limit = Math.Min(limit, i + offset + 1);
            }

            if (ValidLengths != null)
            {
                limit = Math.Min(limit, ValidLengths[b]);
            }

            if (AdditiveMask != null || BooleanMask != null)
            {
                limit = Math.Min(limit, MaskLength);
            }

            // A sliding window also masks keys before `start` (and, without causal, from i + offset + Window on):
            // the row's live keys are [start, live), and only those are scored, normalized and summed.
            long start = 0;
            if (Window > 0)
            {
                long center = i + (CausalOffsets != null ? CausalOffsets[b] : CausalOffset);
                start = Math.Max(center - Window + 1, 0);
                if (!Causal)
                {
                    limit = Math.Min(limit, center + Window);
                }
            }

            int live = (int)Math.Max(limit, 0);
            int first = (int)Math.Min(start, live);
            float* scoreOut = Scores == null ? null : Scores + (((nint)b * Heads + h) * QueryLength + i) * (nint)keyLength;
            bool rawOut = scoreOut != null && ScoresMode <= QkMatMulOutputMode.AfterSoftcap;
            int computed = rawOut ? keyLength : live;

            if (computed > first)
            {
                float* q = Query + b * QueryBatchStride + h * QueryHeadStride + i * QueryRowStride;
                float* k = Key + b * KeyBatchStride + kvHead * KeyHeadStride + (nint)first * KeyRowStride;
                TKernels.Scores(Path,
                    new ReadOnlySpan<float>(q, dimHead),
                    new ReadOnlySpan<float>(k, (computed - first - 1) * KeyRowStride + dimHead),
                    KeyRowStride, computed - first, Scale, row[first..computed]);
            }

            if (rawOut && ScoresMode == QkMatMulOutputMode.RawScores)
            {
                row.CopyTo(new Span<float>(scoreOut, keyLength));
            }

            if (Softcap > 0 && computed > first)
            {
                Span<float> capped = row[first..computed];
                TensorPrimitives.Divide(capped, Softcap, capped);
                TensorPrimitives.Tanh(capped, capped);
                TensorPrimitives.Multiply(capped, Softcap, capped);
            }

            if (rawOut && ScoresMode == QkMatMulOutputMode.AfterSoftcap)
            {
                row.CopyTo(new Span<float>(scoreOut, keyLength));
            }

            Span<float> weights = row[first..live];
            ApplyBias(b, h, i, first, weights);

            if (scoreOut != null && ScoresMode == QkMatMulOutputMode.AfterMask)
            {
                weights.CopyTo(new Span<float>(scoreOut, live));
                new Span<float>(scoreOut + live, keyLength - live).Fill(float.NegativeInfinity);
            }

            float* outputRow = Output + b * OutputBatchStride + h * OutputHeadStride + i * OutputRowStride;
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
                float* v = Value + b * ValueBatchStride + kvHead * ValueHeadStride + (nint)first * ValueRowStride;
                TKernels.WeightedSum(Path, weights,
                    new ReadOnlySpan<float>(v, (live - first - 1) * ValueRowStride + valueDimHead),
                    ValueRowStride, live - first, new Span<float>(outputRow, valueDimHead));
            }

            float* probabilityOut = Probabilities == null ? null : Probabilities + (((nint)b * Heads + h) * QueryLength + i) * (nint)keyLength;
            if (probabilityOut != null)
            {
                WriteProbabilities(row, first, live, new Span<float>(probabilityOut, keyLength));
            }

            if (scoreOut != null && ScoresMode == QkMatMulOutputMode.AfterSoftmax)
            {
                WriteProbabilities(row, first, live, new Span<float>(scoreOut, keyLength));
            }
        }

        /// <summary>Adds the explicit mask and masks padded keys, over the keys still live for row <c>i</c>.</summary>
        private readonly void ApplyBias(int b, int h, int i, int first, Span<float> weights)
        {
            nint maskOffset = b * MaskBatchStride + h * MaskHeadStride + i * MaskRowStride + first;
            if (AdditiveMask != null)
            {
                TensorPrimitives.Add(weights, new ReadOnlySpan<float>(AdditiveMask + maskOffset, weights.Length), weights);
            }
            else if (BooleanMask != null)
            {
                bool* allowed = BooleanMask + maskOffset;
                for (int j = 0; j < weights.Length; j++)
                {
                    if (!allowed[j])
                    {
                        weights[j] = float.NegativeInfinity;
                    }
                }
            }

            if (KeyPadding != null)
            {
                bool* padded = KeyPadding + (nint)b * KeyLength + first;
                for (int j = 0; j < weights.Length; j++)
                {
                    if (padded[j])
                    {
                        weights[j] = float.NegativeInfinity;
                    }
                }
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
}
