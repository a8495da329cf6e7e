using System;
using System.Buffers;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Attend.Kernels;

/// <summary>
/// Runs encoder-decoder attention with a generated score function row by row: score the keys the row may see,
/// select (softmax, hard or top-k), apply local-p's Gaussian, and sum the values. Instantiated over the generated
/// <see cref="IScoreAttentionKernels"/> struct, so the JIT specializes it for the declaration's sizes.
/// </summary>
/// <remarks>
/// <para>The keys a row sees are those below its valid length, not padded, and (local attention) inside the
/// window <c>[p - Window, p + Window]</c>; the others get weight 0 and score −∞. A row that sees no key yields
/// zeros (d2l's masked softmax, which fills with −10⁶, would spread the weight uniformly instead).</para>
/// <para>Every row is computed by the same code whichever thread takes it, so results do not depend on
/// <see cref="ScoreAttentionProblem.MaxDegreeOfParallelism"/>.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class ScoreAttention
{
    /// <summary>Below this many multiply-adds threads cost more than they save.</summary>
    internal const long ParallelWorkThreshold = 1L << 16;

    /// <summary>Smallest norm cosine scores divide by, as <c>torch.nn.functional.cosine_similarity</c>'s <c>eps</c>.</summary>
    public const float CosineEpsilon = 1e-8f;

    /// <summary>Computes <see cref="ScoreAttentionProblem.Output"/> and the optional weights and scores.</summary>
    /// <exception cref="ArgumentException">A size is out of range or a span has the wrong length; thrown before any output is written.</exception>
    public static unsafe void Run<TKernels>(scoped in ScoreAttentionProblem problem)
        where TKernels : struct, IScoreAttentionKernels
    {
        Validate<TKernels>(problem);
        fixed (float* queries = problem.Queries)
        fixed (float* keys = problem.Keys)
        fixed (float* values = problem.Values)
        fixed (float* scoreWeights = problem.ScoreWeights)
        fixed (float* output = problem.Output)
        fixed (int* validLengths = problem.ValidLengths)
        fixed (bool* keyPadding = problem.KeyPaddingMask)
        fixed (int* positions = problem.Positions)
        fixed (float* fractions = problem.PositionFractions)
        fixed (float* weights = problem.AttentionWeights)
        fixed (float* scores = problem.Scores)
        {
            var rows = new RowContext
            {
                Path = KernelPaths.Resolve(problem.Path),
                QueryLength = problem.QueryLength,
                KeyLength = problem.KeyLength,
                Queries = queries,
                Keys = keys,
                Values = values,
                ScoreWeights = scoreWeights,
                ScoreWeightCount = problem.ScoreWeights.Length,
                Output = output,
                ValidLengths = problem.ValidLengths.IsEmpty ? null : validLengths,
                ValidLengthPerQuery = problem.ValidLengths.Length != problem.Batch,
                KeyPadding = problem.KeyPaddingMask.IsEmpty ? null : keyPadding,
                Selection = problem.Selection,
                TopK = problem.TopK,
                Local = problem.Local,
                Window = problem.Window,
                Positions = problem.Positions.IsEmpty ? null : positions,
                Fractions = problem.PositionFractions.IsEmpty ? null : fractions,
                Weights = problem.AttentionWeights.IsEmpty ? null : weights,
                Scores = problem.Scores.IsEmpty ? null : scores,
            };
            Schedule<TKernels>(rows, problem.Batch * problem.QueryLength, problem.MaxDegreeOfParallelism);
        }
    }

    /// <summary>
    /// local-p's predicted fraction of the key range per query row: <c>fractions[r] = sigmoid(Σ_h v[h] · tanh(hidden[r, h]))</c>,
    /// where <paramref name="hidden"/> holds <c>W_p q</c> for each row.
    /// </summary>
    public static void PredictPositionFractions(ReadOnlySpan<float> hidden, ReadOnlySpan<float> v, Span<float> fractions)
    {
        int width = v.Length;
        for (int r = 0; r < fractions.Length; r++)
        {
            ReadOnlySpan<float> row = hidden.Slice(r * width, width);
            float sum = 0f;
            for (int h = 0; h < width; h++) sum += v[h] * MathF.Tanh(row[h]);
            fractions[r] = VectorMath.Sigmoid(sum);
        }
    }

    /// <summary>Writes each row of <paramref name="rows"/> divided by <c>max(|row|, 1e-8)</c> into <paramref name="output"/>.</summary>
    public static void NormalizeRows(ReadOnlySpan<float> rows, int width, Span<float> output)
    {
        for (int start = 0; start < rows.Length; start += width)
        {
            ReadOnlySpan<float> row = rows.Slice(start, width);
            float norm = MathF.Max(TensorPrimitives.Norm(row), CosineEpsilon);
            TensorPrimitives.Divide(row, norm, output.Slice(start, width));
        }
    }

    private static void Validate<TKernels>(scoped in ScoreAttentionProblem p)
        where TKernels : struct, IScoreAttentionKernels
    {
        ArgumentChecks.Positive(p.Batch, "batch");
        ArgumentChecks.Positive(p.QueryLength, "queryLength");
        ArgumentChecks.Positive(p.KeyLength, "keyLength");
        ArgumentOutOfRangeException.ThrowIfLessThan(p.MaxDegreeOfParallelism, 1, "MaxDegreeOfParallelism");
        long queryRows = (long)p.Batch * p.QueryLength;
        long keyRows = (long)p.Batch * p.KeyLength;
        ArgumentChecks.Length(p.Queries.Length, queryRows * TKernels.QueryWidth, "queries", $"batch × queryLength × {TKernels.QueryWidth} = {p.Batch} × {p.QueryLength} × {TKernels.QueryWidth}");
        ArgumentChecks.Length(p.Keys.Length, keyRows * TKernels.KeyWidth, "keys", $"batch × keyLength × {TKernels.KeyWidth} = {p.Batch} × {p.KeyLength} × {TKernels.KeyWidth}");
        ArgumentChecks.Length(p.Values.Length, keyRows * TKernels.ValueSize, "values", $"batch × keyLength × ValueSize = {p.Batch} × {p.KeyLength} × {TKernels.ValueSize}");
        ArgumentChecks.Length(p.Output.Length, queryRows * TKernels.ValueSize, "output", $"batch × queryLength × ValueSize = {p.Batch} × {p.QueryLength} × {TKernels.ValueSize}");
        if (!p.ValidLengths.IsEmpty)
        {
            if (p.ValidLengths.Length != p.Batch && p.ValidLengths.Length != queryRows)
            {
                throw new ArgumentException($"validLengths must hold batch = {p.Batch} or batch × queryLength = {queryRows} lengths (d2l's valid_lens, 1-D or 2-D); it holds {p.ValidLengths.Length}.", "validLengths");
            }

            foreach (int length in p.ValidLengths)
            {
                if ((uint)length > (uint)p.KeyLength)
                {
                    throw new ArgumentException($"validLengths holds {length}; each valid length must be in [0, keyLength = {p.KeyLength}].", "validLengths");
                }
            }
        }

        if (!p.KeyPaddingMask.IsEmpty) ArgumentChecks.Length(p.KeyPaddingMask.Length, keyRows, "keyPaddingMask", $"batch × keyLength = {p.Batch} × {p.KeyLength}");
        if (!p.AttentionWeights.IsEmpty) ArgumentChecks.Length(p.AttentionWeights.Length, queryRows * p.KeyLength, "attentionWeights", $"batch × queryLength × keyLength = {p.Batch} × {p.QueryLength} × {p.KeyLength}");
        if (!p.Scores.IsEmpty) ArgumentChecks.Length(p.Scores.Length, queryRows * p.KeyLength, "scores", $"batch × queryLength × keyLength = {p.Batch} × {p.QueryLength} × {p.KeyLength}");
        if (p.Selection is < AttentionSelection.Soft or > AttentionSelection.TopK) throw new ArgumentOutOfRangeException("Selection", p.Selection, "Expected Soft, Hard or TopK.");
        if (p.Selection == AttentionSelection.TopK) ArgumentChecks.Positive(p.TopK, "TopK");
        if (p.Local is < LocalAttention.None or > LocalAttention.Predictive) throw new ArgumentOutOfRangeException("Local", p.Local, "Expected None, Monotonic or Predictive.");
        if (p.Local != LocalAttention.None) ArgumentChecks.Positive(p.Window, "Window");
        if (!p.Positions.IsEmpty)
        {
            if (p.Local != LocalAttention.Monotonic) throw new ArgumentException("positions are read only by local-m (LocalAttention.Monotonic) attention; pass none.", "positions");
            ArgumentChecks.Length(p.Positions.Length, queryRows, "positions", $"batch × queryLength = {p.Batch} × {p.QueryLength}");
        }

        if (p.Local == LocalAttention.Predictive) ArgumentChecks.Length(p.PositionFractions.Length, queryRows, "PositionFractions", $"batch × queryLength = {p.Batch} × {p.QueryLength}");
    }

    private static void Schedule<TKernels>(RowContext rows, int rowCount, int maxDegreeOfParallelism)
        where TKernels : struct, IScoreAttentionKernels
    {
        int scratchLength = 2 * rows.KeyLength;
        long work = (long)rowCount * rows.KeyLength * (TKernels.QueryWidth + TKernels.ValueSize);
        if (maxDegreeOfParallelism <= 1 || work < ParallelWorkThreshold || rowCount == 1)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(scratchLength);
            try
            {
                rows.RunRows<TKernels>(0, rowCount, scratch);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }

            return;
        }

        int blocks = Math.Min(rowCount, 4 * maxDegreeOfParallelism);
        int blockRows = (rowCount + blocks - 1) / blocks;
        blocks = (rowCount + blockRows - 1) / blockRows;
        Parallel.For(
            0,
            blocks,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => ArrayPool<float>.Shared.Rent(scratchLength),
            (block, _, scratch) =>
            {
                int first = block * blockRows;
                rows.RunRows<TKernels>(first, Math.Min(first + blockRows, rowCount), scratch);
                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    /// <summary>The validated problem as raw pointers: what one worker needs to compute any row.</summary>
    private unsafe struct RowContext
    {
        public KernelPath Path;
        public int QueryLength;
        public int KeyLength;
        public float* Queries;
        public float* Keys;
        public float* Values;
        public float* ScoreWeights;
        public int ScoreWeightCount;
        public float* Output;
        public int* ValidLengths;
        public bool ValidLengthPerQuery;
        public bool* KeyPadding;
        public AttentionSelection Selection;
        public int TopK;
        public LocalAttention Local;
        public int Window;
        public int* Positions;
        public float* Fractions;
        public float* Weights;
        public float* Scores;

        public readonly void RunRows<TKernels>(int firstRow, int endRow, float[] scratch)
            where TKernels : struct, IScoreAttentionKernels
        {
            Span<float> row = scratch.AsSpan(0, KeyLength);
            Span<float> sortScratch = scratch.AsSpan(KeyLength, KeyLength);
            for (int r = firstRow; r < endRow; r++) ComputeRow<TKernels>(r, row, sortScratch);
        }

        /// <summary>One query row (flattened index <c>r = b · QueryLength + i</c>).</summary>
        private readonly void ComputeRow<TKernels>(int r, Span<float> row, Span<float> sortScratch)
            where TKernels : struct, IScoreAttentionKernels
        {
            int b = r / QueryLength;
            int i = r - b * QueryLength;
            int valueSize = TKernels.ValueSize;

            // The keys this row may see form one range [first, end): below the valid length, inside the window.
            int visible = ValidLengths == null ? KeyLength : ValidLengths[ValidLengthPerQuery ? r : b];
            long first = 0, end = visible;
            float centre = 0f;
            if (Local == LocalAttention.Monotonic)
            {
                long position = Positions == null ? i : Positions[r];
                first = Math.Max(first, position - Window);
                end = Math.Min(end, position + Window + 1);
            }
            else if (Local == LocalAttention.Predictive)
            {
                centre = visible * Fractions[r];
                first = Math.Max(first, (long)MathF.Ceiling(centre - Window));
                end = Math.Min(end, (long)MathF.Floor(centre + Window) + 1);
            }

            int lo = (int)first;
            int count = (int)Math.Max(end - first, 0);
            Span<float> scores = row.Slice(count > 0 ? lo : 0, count);
            if (count > 0)
            {
                float* keys = Keys + ((nint)b * KeyLength + lo) * TKernels.KeyWidth;
                TKernels.Scores(Path,
                    new ReadOnlySpan<float>(Queries + (nint)r * TKernels.QueryWidth, TKernels.QueryWidth),
                    new ReadOnlySpan<float>(keys, count * TKernels.KeyWidth),
                    count,
                    new ReadOnlySpan<float>(ScoreWeights, ScoreWeightCount),
                    scores);
                if (KeyPadding != null)
                {
                    bool* padding = KeyPadding + (nint)b * KeyLength + lo;
                    for (int j = 0; j < count; j++)
                    {
                        if (padding[j]) scores[j] = float.NegativeInfinity;
                    }
                }
            }

            if (Scores != null)
            {
                var scoreRow = new Span<float>(Scores + (nint)r * KeyLength, KeyLength);
                scoreRow.Fill(float.NegativeInfinity);
                scores.CopyTo(scoreRow.Slice(count > 0 ? lo : 0));
            }

            var outputRow = new Span<float>(Output + (nint)r * valueSize, valueSize);
            bool any = count > 0 && Select(scores, sortScratch);
            if (any)
            {
                if (Local == LocalAttention.Predictive)
                {
                    // σ = Window / 2, so 2σ² = Window² / 2.
                    float twoSigmaSquared = 0.5f * Window * Window;
                    for (int j = 0; j < count; j++)
                    {
                        float distance = lo + j - centre;
                        scores[j] *= MathF.Exp(-distance * distance / twoSigmaSquared);
                    }
                }

                TKernels.WeightedSum(Path, scores,
                    new ReadOnlySpan<float>(Values + ((nint)b * KeyLength + lo) * valueSize, count * valueSize),
                    valueSize, count, outputRow);
            }
            else
            {
                outputRow.Clear();
            }

            if (Weights != null)
            {
                var weightRow = new Span<float>(Weights + (nint)r * KeyLength, KeyLength);
                weightRow.Clear();
                if (any) scores.CopyTo(weightRow.Slice(lo));
            }
        }

        /// <summary>Turns scores into weights in place; false when every score is −∞ (nothing visible).</summary>
        private readonly bool Select(Span<float> scores, Span<float> sortScratch)
        {
            switch (Selection)
            {
                case AttentionSelection.Hard:
                    {
                        // Strictly greater: the first of equal maxima (lowest key index) wins.
                        int best = 0;
                        for (int j = 1; j < scores.Length; j++)
                        {
                            if (scores[j] > scores[best]) best = j;
                        }

                        if (float.IsNegativeInfinity(scores[best])) return false;
                        scores.Clear();
                        scores[best] = 1f;
                        return true;
                    }

                case AttentionSelection.TopK:
                    KeepTopK(scores, sortScratch);
                    return Softmax(scores);

                default:
                    return Softmax(scores);
            }
        }

        /// <summary>Sets every score outside the <see cref="TopK"/> largest to −∞; ties at the boundary keep the lowest indices.</summary>
        private readonly void KeepTopK(Span<float> scores, Span<float> sortScratch)
        {
            int finite = 0;
            foreach (float s in scores)
            {
                if (!float.IsNegativeInfinity(s)) sortScratch[finite++] = s;
            }

            if (finite <= TopK) return;
            Span<float> sorted = sortScratch.Slice(0, finite);
            sorted.Sort();
            float threshold = sorted[finite - TopK];
            int above = 0;
            foreach (float s in sorted)
            {
                if (s > threshold) above++;
            }

            int tiesKept = TopK - above;
            for (int j = 0; j < scores.Length; j++)
            {
                if (scores[j] > threshold) continue;
                if (scores[j] == threshold && tiesKept > 0)
                {
                    tiesKept--;
                    continue;
                }

                scores[j] = float.NegativeInfinity;
            }
        }

        private static bool Softmax(Span<float> scores)
        {
            float max = TensorPrimitives.Max(scores);
            if (float.IsNegativeInfinity(max)) return false;
            TensorPrimitives.Subtract(scores, max, scores);
            TensorPrimitives.Exp(scores, scores);
            TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
            return true;
        }
    }
}
