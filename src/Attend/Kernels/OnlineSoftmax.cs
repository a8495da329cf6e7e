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
internal static unsafe class OnlineSoftmax
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
        float tileMax = live > 0 ? TensorPrimitives.Max(new ReadOnlySpan<float>(row, live)) : float.NegativeInfinity;
        float newMax = Math.Max(runningMax, tileMax);
        if (float.IsNegativeInfinity(newMax))
        {
            new Span<float>(row, count).Clear();
            return 1f;
        }

        float rescale = VectorExp.Exp(runningMax - newMax);
        float sum = ExpAndSum(path, row, live, newMax);
        if (count > live)
        {
            new Span<float>(row + live, count - live).Clear();
        }

        runningSum = runningSum * rescale + sum;
        runningMax = newMax;
        return rescale;
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
