using System;
using System.Runtime.InteropServices;

namespace Attend.Kernels;

/// <summary>
/// The per-axis softmax factors of <see cref="QuadraticPositionAttention"/>: for each head and query index <c>i</c>
/// along one axis of <c>n</c> pixels, <c>r[i][y] = exp(s(y − i) − mᵢ) / Σ_{ky} exp(s(ky − p − i) − mᵢ)</c> with
/// <c>s(d) = −α (d − Δ)²</c>, the denominator running over the <c>n + 2p</c> padded key positions and <c>mᵢ</c> its
/// largest score (so no exponential overflows). Layout per head: <c>[n, n]</c> weights, then <c>[n, 2]</c> bands
/// (first and last index whose weight is not exactly zero, stored as floats: exact below 2²⁴).
/// </summary>
internal static class AxisTables
{
    /// <summary>
    /// Fills <paramref name="table"/> (<c>heads · n · (n + 2)</c> floats) for <paramref name="axis"/> 0 (rows) or 1 (columns);
    /// entry <c>[query][key]</c>, or <c>[key][query]</c> (bands over queries) when <paramref name="keyMajor"/>.
    /// </summary>
    public static void Build(ReadOnlySpan<float> centers, ReadOnlySpan<float> alpha, int heads, int axis, int n, int padding, bool keyMajor, Span<float> table)
    {
        int keys = n + 2 * padding;
        for (int h = 0; h < heads; h++)
        {
            Span<float> head = table.Slice(h * n * (n + 2), n * (n + 2));
            Span<float> weights = head.Slice(0, n * n);
            double a = alpha[h], center = centers[2 * h + axis];
            for (int query = 0; query < n; query++)
            {
                // Offsets key − query over the padded keys: ky − padding − query for ky in [0, keys).
                double max = double.NegativeInfinity;
                for (int ky = 0; ky < keys; ky++) max = Math.Max(max, Score(a, ky - padding - query, center));
                double sum = 0;
                for (int ky = 0; ky < keys; ky++) sum += Math.Exp(Score(a, ky - padding - query, center) - max);
                for (int key = 0; key < n; key++)
                {
                    float w = (float)(Math.Exp(Score(a, key - query, center) - max) / sum);
                    if (keyMajor) weights[key * n + query] = w;
                    else weights[query * n + key] = w;
                }
            }

            Span<float> bands = head.Slice(n * n, 2 * n);
            for (int row = 0; row < n; row++)
            {
                Span<float> line = weights.Slice(row * n, n);
                int first = 0, last = n - 1;
                while (first < n && line[first] == 0f) first++;
                while (last >= first && line[last] == 0f) last--;
                bands[2 * row] = first;
                bands[2 * row + 1] = last;
            }
        }
    }

    /// <summary>Head <paramref name="h"/>'s part of a table.</summary>
    public static ReadOnlySpan<float> Head(ReadOnlySpan<float> table, int h, int n) => table.Slice(h * n * (n + 2), n * (n + 2));

    /// <summary>Row <paramref name="row"/> of one head's weights and its non-zero band (<paramref name="last"/> &lt; <paramref name="first"/> when all are zero).</summary>
    public static void Band(ReadOnlySpan<float> head, int n, int row, out ReadOnlySpan<float> weights, out int first, out int last)
    {
        weights = head.Slice(row * n, n);
        first = (int)head[n * n + 2 * row];
        last = (int)head[n * n + 2 * row + 1];
    }

    private static double Score(double alpha, int offset, double center)
    {
        double d = offset - center;
        return -alpha * d * d;
    }
}
