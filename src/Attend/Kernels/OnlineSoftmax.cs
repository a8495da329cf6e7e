using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// The online softmax of flash attention, one row of one key tile at a time: the tile's logits become weights
/// <c>e^(s − m)</c> against the running maximum <c>m</c>, and the factor that rescales what was accumulated against
/// the previous maximum is returned.
/// </summary>
internal static unsafe partial class OnlineSoftmax
{
    /// <summary>
    /// Folds the logits <c>row[0, live)</c> (finite or −∞) into the running maximum and sum of their query row,
    /// overwrites them with their weights, zeroes <c>row[live, count)</c>, and returns the rescale factor
    /// <c>e^(m_old − m_new)</c> for the row's accumulators: 0 when nothing was seen before, 1 when the maximum held.
    /// While every logit so far is −∞ the row stays empty (maximum −∞, sum 0, all weights 0, factor 1), so a fully
    /// masked row never produces NaN.
    /// </summary>
    public static float Update(KernelPath path, float* row, int live, int count, ref float runningMax, ref float runningSum)
    {
        float tileMax = Max(path, row, live);
        float newMax = Math.Max(runningMax, tileMax);
        if (float.IsNegativeInfinity(newMax))
        {
            new Span<float>(row, count).Clear();
            return 1f;
        }

        // e^0 is exactly 1 in VectorExp, so skipping the call when the maximum held changes no bit.
        float rescale = newMax == runningMax ? 1f : VectorExp.Exp(runningMax - newMax);
        float sum = ExpAndSum(path, row, live, newMax);
        if (count > live)
        {
            new Span<float>(row + live, count - live).Clear();
        }

        runningSum = runningSum * rescale + sum;
        runningMax = newMax;
        return rescale;
    }

    /// <summary>
    /// How many logits per row <see cref="UpdateTile"/> takes in one call on <paramref name="path"/> for a tile of
    /// <paramref name="count"/> keys: <paramref name="count"/> rounded up to the vector block (64 on Vector512, 32 on
    /// Vector256), or 0 where the path has no tile kernel and rows go one by one through <see cref="Update"/>.
    /// </summary>
    public static int TileCount(KernelPath path, int count) => path switch
    {
        KernelPath.Vector512 => RoundUp(count, TileBlock<TileLanes512>()),
        KernelPath.Vector256 => RoundUp(count, TileBlock<TileLanes256>()),
        _ => 0,
    };

    private static int RoundUp(int count, int block) => (count + block - 1) / block * block;

    /// <summary>
    /// <see cref="Update"/> for <paramref name="rows"/> rows (stride <paramref name="stride"/>) whose <paramref name="count"/>
    /// logits are all live, in one call: the fast path of an unmasked key tile. Writes each row's rescale factor.
    /// </summary>
    public static void UpdateTile(KernelPath path, float* scores, int stride, int rows, int count, float* runningMax, float* runningSum, float* rescale)
    {
        if (path == KernelPath.Vector512 && count % TileBlock<TileLanes512>() == 0 && rows <= MaxTileRows)
        {
            UpdateTileRows<Vector512<float>, TileLanes512>(scores, stride, rows, count, runningMax, runningSum, rescale);
            return;
        }

        if (path == KernelPath.Vector256 && count % TileBlock<TileLanes256>() == 0 && rows <= MaxTileRows)
        {
            UpdateTileRows<Vector256<float>, TileLanes256>(scores, stride, rows, count, runningMax, runningSum, rescale);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            rescale[r] = Update(path, scores + r * stride, count, count, ref runningMax[r], ref runningSum[r]);
        }
    }

    /// <summary>
    /// The maximum of <c>row[0, count)</c> (−∞ when empty; NaN when any is NaN, as <see cref="TensorPrimitives.Max(ReadOnlySpan{float})"/>),
    /// without the span machinery: a key tile's row is short (128), so the call overhead was most of the cost.
    /// </summary>
    public static float Max(KernelPath path, float* row, int count) => path switch
    {
        KernelPath.Vector512 => Max512(row, count),
        KernelPath.Vector256 => Max256(row, count),
        _ => count > 0 ? TensorPrimitives.Max(new ReadOnlySpan<float>(row, count)) : float.NegativeInfinity,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Max512(float* row, int count)
    {
        int j = 0;
        float max = float.NegativeInfinity;
        if (count >= 16)
        {
            Vector512<float> a = Vector512.Create(float.NegativeInfinity), b = a;
            for (; j + 32 <= count; j += 32)
            {
                a = Vector512.Max(a, Vector512.Load(row + j));
                b = Vector512.Max(b, Vector512.Load(row + j + 16));
            }

            if (j + 16 <= count)
            {
                a = Vector512.Max(a, Vector512.Load(row + j));
                j += 16;
            }

            a = Vector512.Max(a, b);
            max = MaxAcross(Vector256.Max(a.GetLower(), a.GetUpper()));
        }

        return MaxScalar(row, j, count, max);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Max256(float* row, int count)
    {
        int j = 0;
        float max = float.NegativeInfinity;
        if (count >= 8)
        {
            Vector256<float> a = Vector256.Create(float.NegativeInfinity), b = a;
            for (; j + 16 <= count; j += 16)
            {
                a = Vector256.Max(a, Vector256.Load(row + j));
                b = Vector256.Max(b, Vector256.Load(row + j + 8));
            }

            if (j + 8 <= count)
            {
                a = Vector256.Max(a, Vector256.Load(row + j));
                j += 8;
            }

            max = MaxAcross(Vector256.Max(a, b));
        }

        return MaxScalar(row, j, count, max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAcross(Vector256<float> v)
    {
        Vector128<float> q = Vector128.Max(v.GetLower(), v.GetUpper());
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
        return q.ToScalar();
    }

    private static float MaxScalar(float* row, int start, int count, float max)
    {
        for (int j = start; j < count; j++)
        {
            max = Math.Max(max, row[j]); // Math.Max propagates NaN, as the vector Max does
        }

        return max;
    }

    /// <summary><c>row[j] = e^(row[j] − max)</c> for <c>j &lt; count</c>; returns their sum.</summary>
    public static float ExpAndSum(KernelPath path, float* row, int count, float max) => path switch
    {
        KernelPath.Vector512 => ExpAndSum512(row, count, max),
        KernelPath.Vector256 => ExpAndSum256(row, count, max),
        KernelPath.Vector128 => ExpAndSum128(row, count, max),
        _ => ExpAndSumScalar(row, 0, count, max),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpAndSum512(float* row, int count, float max)
    {
        Vector512<float> shift = Vector512.Create(max);
        Vector512<float> sumA = Vector512<float>.Zero, sumB = Vector512<float>.Zero;
        int j = 0;
        for (; j + 32 <= count; j += 32)
        {
            Vector512<float> a = VectorExp.Exp(Vector512.Load(row + j) - shift);
            Vector512<float> b = VectorExp.Exp(Vector512.Load(row + j + 16) - shift);
            a.Store(row + j);
            b.Store(row + j + 16);
            sumA += a;
            sumB += b;
        }

        for (; j + 16 <= count; j += 16)
        {
            Vector512<float> a = VectorExp.Exp(Vector512.Load(row + j) - shift);
            a.Store(row + j);
            sumA += a;
        }

        return Vector512.Sum(sumA + sumB) + ExpAndSumScalar(row, j, count, max);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpAndSum256(float* row, int count, float max)
    {
        Vector256<float> shift = Vector256.Create(max);
        Vector256<float> sumA = Vector256<float>.Zero, sumB = Vector256<float>.Zero;
        int j = 0;
        for (; j + 16 <= count; j += 16)
        {
            Vector256<float> a = VectorExp.Exp(Vector256.Load(row + j) - shift);
            Vector256<float> b = VectorExp.Exp(Vector256.Load(row + j + 8) - shift);
            a.Store(row + j);
            b.Store(row + j + 8);
            sumA += a;
            sumB += b;
        }

        for (; j + 8 <= count; j += 8)
        {
            Vector256<float> a = VectorExp.Exp(Vector256.Load(row + j) - shift);
            a.Store(row + j);
            sumA += a;
        }

        return Vector256.Sum(sumA + sumB) + ExpAndSumScalar(row, j, count, max);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpAndSum128(float* row, int count, float max)
    {
        Vector128<float> shift = Vector128.Create(max);
        Vector128<float> sum = Vector128<float>.Zero;
        int j = 0;
        for (; j + 4 <= count; j += 4)
        {
            Vector128<float> a = VectorExp.Exp(Vector128.Load(row + j) - shift);
            a.Store(row + j);
            sum += a;
        }

        return Vector128.Sum(sum) + ExpAndSumScalar(row, j, count, max);
    }

    private static float ExpAndSumScalar(float* row, int start, int count, float max)
    {
        float sum = 0f;
        for (int j = start; j < count; j++)
        {
            float weight = VectorExp.Exp(row[j] - max);
            row[j] = weight;
            sum += weight;
        }

        return sum;
    }
}
