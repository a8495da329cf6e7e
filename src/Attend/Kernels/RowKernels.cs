using System;
using System.Runtime.CompilerServices;

namespace Attend.Kernels;

/// <summary>
/// Loops over one contiguous row, written once over <see cref="IFloatLanes{TVector}"/>: full registers first,
/// then the remainder one float at a time. Callers have validated the lengths.
/// </summary>
internal static class RowKernels
{
    /// <summary><c>Σ x[i]</c>.</summary>
    public static float Sum<TLanes, TVector>(ref float x, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        float sum = 0f;
        if (length >= TLanes.Count)
        {
            TVector accumulator = TLanes.Broadcast(0f);
            for (; i <= length - TLanes.Count; i += TLanes.Count)
            {
                accumulator = TLanes.Add(accumulator, TLanes.Load(ref x, (nuint)i));
            }

            sum = TLanes.Sum(accumulator);
        }

        for (; i < length; i++) sum += Unsafe.Add(ref x, i);
        return sum;
    }

    /// <summary><c>Σ (x[i] − center)²</c>.</summary>
    public static float SumSquaredDeviation<TLanes, TVector>(ref float x, int length, float center)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        float sum = 0f;
        if (length >= TLanes.Count)
        {
            TVector centerVector = TLanes.Broadcast(center);
            TVector accumulator = TLanes.Broadcast(0f);
            for (; i <= length - TLanes.Count; i += TLanes.Count)
            {
                TVector deviation = TLanes.Subtract(TLanes.Load(ref x, (nuint)i), centerVector);
                accumulator = TLanes.MultiplyAdd(deviation, deviation, accumulator);
            }

            sum = TLanes.Sum(accumulator);
        }

        for (; i < length; i++)
        {
            float deviation = Unsafe.Add(ref x, i) - center;
            sum = float.MultiplyAddEstimate(deviation, deviation, sum);
        }

        return sum;
    }

    /// <summary><c>max x[i]</c>; negative infinity for an empty row.</summary>
    public static float Max<TLanes, TVector>(ref float x, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (length >= TLanes.Count)
        {
            TVector accumulator = TLanes.Load(ref x, 0);
            for (i = TLanes.Count; i <= length - TLanes.Count; i += TLanes.Count)
            {
                accumulator = TLanes.Max(accumulator, TLanes.Load(ref x, (nuint)i));
            }

            max = TLanes.MaxAcross(accumulator);
        }

        for (; i < length; i++) max = MathF.Max(max, Unsafe.Add(ref x, i));
        return max;
    }

    /// <summary><c>y[i] = a[i] + b[i]</c>; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Add<TLanes, TVector>(ref float a, ref float b, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.Add(TLanes.Load(ref a, (nuint)i), TLanes.Load(ref b, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref a, i) + Unsafe.Add(ref b, i);
    }

    /// <summary><c>y[i] = a[i] · b[i]</c>; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Multiply<TLanes, TVector>(ref float a, ref float b, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.Multiply(TLanes.Load(ref a, (nuint)i), TLanes.Load(ref b, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
    }

    /// <summary><c>y[i] = x[i] · factor</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Scale<TLanes, TVector>(ref float x, float factor, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector factorVector = TLanes.Broadcast(factor);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.Multiply(TLanes.Load(ref x, (nuint)i), factorVector), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) * factor;
    }
}
