using System;

namespace Attend.Kernels;

/// <summary>
/// The per-axis softmax factors of <see cref="QuadraticPositionAttention"/>: for each head and query index <c>q</c>
/// along one axis of <c>n</c> pixels, <c>r[q][k] = exp(s(k − q) − m_q) / Σ_{kp} exp(s(kp − p − q) − m_q)</c> with
/// <c>s(d) = −α (d − Δ)²</c>, the denominator running over the <c>n + 2p</c> padded key positions and <c>m_q</c> its
/// largest score (so no exponential overflows). Two layouts, each followed per head by a band (first and last index
/// whose weights are not all exactly zero, stored as floats: exact below 2²⁴):
/// rows query-major (<c>[n, n]</c> then <c>[n, 2]</c>: a band of key rows per query row), columns by diagonal
/// (<c>[2n − 1, n]</c>, diagonal <c>t</c> holding <c>r[q][q + t]</c> over <c>q</c>, then one band of offsets <c>t</c>).
/// </summary>
internal static class AxisTables
{
    /// <summary>Floats of one head's query-major table.</summary>
    public static int QueryMajorLength(int n) => n * (n + 2);

    /// <summary>Floats of one head's diagonal table.</summary>
    public static int DiagonalLength(int n) => (2 * n - 1) * n + 2;

    /// <summary>Fills <paramref name="table"/> (<c>heads · QueryMajorLength(n)</c> floats) for <paramref name="axis"/> 0 (rows) or 1 (columns).</summary>
    public static void BuildQueryMajor(ReadOnlySpan<float> centers, ReadOnlySpan<float> alpha, int heads, int axis, int n, int padding, Span<float> table)
    {
        for (int h = 0; h < heads; h++)
        {
            Span<float> head = table.Slice(h * QueryMajorLength(n), QueryMajorLength(n));
            double a = alpha[h], center = centers[2 * h + axis];
            for (int query = 0; query < n; query++)
            {
                (double max, double sum) = Normalizer(a, center, query, n, padding);
                Span<float> line = head.Slice(query * n, n);
                for (int key = 0; key < n; key++) line[key] = Weight(a, center, key - query, max, sum);
                (int first, int last) = Band(line);
                head[n * n + 2 * query] = first;
                head[n * n + 2 * query + 1] = last;
            }
        }
    }

    /// <summary>Fills <paramref name="table"/> (<c>heads · DiagonalLength(n)</c> floats) for <paramref name="axis"/> 0 (rows) or 1 (columns).</summary>
    public static void BuildDiagonals(ReadOnlySpan<float> centers, ReadOnlySpan<float> alpha, int heads, int axis, int n, int padding, Span<float> table)
    {
        int diagonals = 2 * n - 1;
        for (int h = 0; h < heads; h++)
        {
            Span<float> head = table.Slice(h * DiagonalLength(n), DiagonalLength(n));
            double a = alpha[h], center = centers[2 * h + axis];
            head.Slice(0, diagonals * n).Clear();
            for (int query = 0; query < n; query++)
            {
                (double max, double sum) = Normalizer(a, center, query, n, padding);
                for (int key = 0; key < n; key++) head[(key - query + n - 1) * n + query] = Weight(a, center, key - query, max, sum);
            }

            int first = diagonals, last = -1;
            for (int t = 0; t < diagonals; t++)
            {
                (int f, int l) = Band(head.Slice(t * n, n));
                if (l < f) continue;
                first = Math.Min(first, t);
                last = t;
            }

            head[diagonals * n] = first - (n - 1);
            head[diagonals * n + 1] = last - (n - 1);
        }
    }

    /// <summary>Head <paramref name="h"/>'s part of a table whose heads are <paramref name="headLength"/> floats.</summary>
    public static ReadOnlySpan<float> Head(ReadOnlySpan<float> table, int h, int headLength) => table.Slice(h * headLength, headLength);

    /// <summary>Row <paramref name="row"/> of a query-major head and its band (<paramref name="last"/> &lt; <paramref name="first"/> when all are zero).</summary>
    public static void RowBand(ReadOnlySpan<float> head, int n, int row, out ReadOnlySpan<float> weights, out int first, out int last)
    {
        weights = head.Slice(row * n, n);
        first = (int)head[n * n + 2 * row];
        last = (int)head[n * n + 2 * row + 1];
    }

    /// <summary>Diagonal <paramref name="offset"/> (key − query, in <c>−(n − 1) .. n − 1</c>) of a diagonal head: its weights over the queries.</summary>
    public static ReadOnlySpan<float> Diagonal(ReadOnlySpan<float> head, int n, int offset) => head.Slice((offset + n - 1) * n, n);

    /// <summary>The offsets of a diagonal head with any non-zero weight (<paramref name="last"/> &lt; <paramref name="first"/> when none).</summary>
    public static void DiagonalBand(ReadOnlySpan<float> head, int n, out int first, out int last)
    {
        first = (int)head[(2 * n - 1) * n];
        last = (int)head[(2 * n - 1) * n + 1];
    }

    /// <summary>The largest score over the padded keys of one query and the sum of their shifted exponentials.</summary>
    private static (double Max, double Sum) Normalizer(double alpha, double center, int query, int n, int padding)
    {
        int keys = n + 2 * padding;
        double max = double.NegativeInfinity, sum = 0;
        for (int k = 0; k < keys; k++) max = Math.Max(max, Score(alpha, k - padding - query, center));
        for (int k = 0; k < keys; k++) sum += Math.Exp(Score(alpha, k - padding - query, center) - max);
        return (max, sum);
    }

    private static float Weight(double alpha, double center, int offset, double max, double sum) =>
        (float)(Math.Exp(Score(alpha, offset, center) - max) / sum);

    private static (int First, int Last) Band(ReadOnlySpan<float> line)
    {
        int first = 0, last = line.Length - 1;
        while (first < line.Length && line[first] == 0f) first++;
        while (last >= first && line[last] == 0f) last--;
        return (first, last);
    }

    private static double Score(double alpha, int offset, double center)
    {
        double d = offset - center;
        return -alpha * d * d;
    }
}
