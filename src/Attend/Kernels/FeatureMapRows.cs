using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Row loops the External-Attention layers (BAM, Triplet, SK) and <see cref="Convolution2d"/> finish with, written once over
/// <see cref="IFloatLanes{TVector}"/> and instantiated per path. Callers validate lengths; output may be the input
/// itself (each element is read before the same index is written).
/// </summary>
internal static class FeatureMapRows
{
    /// <summary><c>values[i] = sigmoid(values[i])</c>.</summary>
    public static void Sigmoid(KernelPath path, Span<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        switch (path)
        {
            case KernelPath.Vector512: Sigmoid<Lanes512, Vector512<float>>(ref v, values.Length); break;
            case KernelPath.Vector256: Sigmoid<Lanes256, Vector256<float>>(ref v, values.Length); break;
            case KernelPath.Vector128: Sigmoid<Lanes128, Vector128<float>>(ref v, values.Length); break;
            default: Sigmoid<ScalarLanes, float>(ref v, values.Length); break;
        }
    }

    /// <summary>BAM's output row: <c>y[i] = x[i] · (1 + sigmoid(channelLogit + spatialLogits[i]))</c>.</summary>
    public static void ResidualGate(KernelPath path, ReadOnlySpan<float> x, float channelLogit, ReadOnlySpan<float> spatialLogits, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float s = ref MemoryMarshal.GetReference(spatialLogits);
        ref float ys = ref MemoryMarshal.GetReference(y);
        switch (path)
        {
            case KernelPath.Vector512: ResidualGate<Lanes512, Vector512<float>>(ref xs, channelLogit, ref s, ref ys, x.Length); break;
            case KernelPath.Vector256: ResidualGate<Lanes256, Vector256<float>>(ref xs, channelLogit, ref s, ref ys, x.Length); break;
            case KernelPath.Vector128: ResidualGate<Lanes128, Vector128<float>>(ref xs, channelLogit, ref s, ref ys, x.Length); break;
            default: ResidualGate<ScalarLanes, float>(ref xs, channelLogit, ref s, ref ys, x.Length); break;
        }
    }

    /// <summary>
    /// Triplet's output row: <c>y[i] = x[i] · (a[i] + b[i] + c) · factor</c>, or <c>x[i] · (b[i] + c) · factor</c> when
    /// <paramref name="a"/> is empty.
    /// </summary>
    public static void ScaleBySum(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float c, float factor, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float bs = ref MemoryMarshal.GetReference(b);
        ref float ys = ref MemoryMarshal.GetReference(y);
        bool hasA = !a.IsEmpty;
        ref float @as = ref hasA ? ref MemoryMarshal.GetReference(a) : ref bs;
        switch (path)
        {
            case KernelPath.Vector512: ScaleBySum<Lanes512, Vector512<float>>(ref xs, ref @as, hasA, ref bs, c, factor, ref ys, x.Length); break;
            case KernelPath.Vector256: ScaleBySum<Lanes256, Vector256<float>>(ref xs, ref @as, hasA, ref bs, c, factor, ref ys, x.Length); break;
            case KernelPath.Vector128: ScaleBySum<Lanes128, Vector128<float>>(ref xs, ref @as, hasA, ref bs, c, factor, ref ys, x.Length); break;
            default: ScaleBySum<ScalarLanes, float>(ref xs, ref @as, hasA, ref bs, c, factor, ref ys, x.Length); break;
        }
    }

    /// <summary><c>y[i] += factor · x[i]</c> (SK's weighted sum of the branches).</summary>
    public static void AddScaled(KernelPath path, ReadOnlySpan<float> x, float factor, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        switch (path)
        {
            case KernelPath.Vector512: AddScaled<Lanes512, Vector512<float>>(ref xs, factor, ref ys, x.Length); break;
            case KernelPath.Vector256: AddScaled<Lanes256, Vector256<float>>(ref xs, factor, ref ys, x.Length); break;
            case KernelPath.Vector128: AddScaled<Lanes128, Vector128<float>>(ref xs, factor, ref ys, x.Length); break;
            default: AddScaled<ScalarLanes, float>(ref xs, factor, ref ys, x.Length); break;
        }
    }

    /// <summary><c>row[i] += value</c> (a convolution's bias after its matrix product).</summary>
    public static void AddConstant(KernelPath path, Span<float> row, float value)
    {
        ref float start = ref MemoryMarshal.GetReference(row);
        switch (path)
        {
            case KernelPath.Vector512: AddConstant<Lanes512, Vector512<float>>(ref start, row.Length, value); break;
            case KernelPath.Vector256: AddConstant<Lanes256, Vector256<float>>(ref start, row.Length, value); break;
            case KernelPath.Vector128: AddConstant<Lanes128, Vector128<float>>(ref start, row.Length, value); break;
            default: AddConstant<ScalarLanes, float>(ref start, row.Length, value); break;
        }
    }

    private static void AddConstant<TLanes, TVector>(ref float row, int length, float value)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector shift = TLanes.Broadcast(value);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.Add(TLanes.Load(ref row, (nuint)i), shift), ref row, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref row, i) += value;
    }

    // 1 / (1 + e^(−t)): e^(−t) overflows to +∞ for t below about −88 and the quotient is then exactly 0, never NaN.
    private static TVector SigmoidOf<TLanes, TVector>(TVector t)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector one = TLanes.Broadcast(1f);
        return TLanes.Divide(one, TLanes.Add(one, TLanes.Exp(TLanes.Subtract(TLanes.Broadcast(0f), t))));
    }

    private static void Sigmoid<TLanes, TVector>(ref float v, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(SigmoidOf<TLanes, TVector>(TLanes.Load(ref v, (nuint)i)), ref v, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref v, i) = SigmoidOf<ScalarLanes, float>(Unsafe.Add(ref v, i));
    }

    private static void ResidualGate<TLanes, TVector>(ref float x, float channelLogit, ref float spatial, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector logit = TLanes.Broadcast(channelLogit);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector gate = SigmoidOf<TLanes, TVector>(TLanes.Add(logit, TLanes.Load(ref spatial, (nuint)i)));
            TVector value = TLanes.Load(ref x, (nuint)i);
            TLanes.Store(TLanes.MultiplyAdd(value, gate, value), ref y, (nuint)i);
        }

        for (; i < length; i++)
        {
            float gate = SigmoidOf<ScalarLanes, float>(channelLogit + Unsafe.Add(ref spatial, i));
            float value = Unsafe.Add(ref x, i);
            Unsafe.Add(ref y, i) = float.MultiplyAddEstimate(value, gate, value);
        }
    }

    private static void ScaleBySum<TLanes, TVector>(ref float x, ref float a, bool hasA, ref float b, float c, float factor, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector constant = TLanes.Broadcast(c);
        TVector scale = TLanes.Broadcast(factor);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector sum = TLanes.Add(TLanes.Load(ref b, (nuint)i), constant);
            if (hasA) sum = TLanes.Add(TLanes.Load(ref a, (nuint)i), sum);
            TLanes.Store(TLanes.Multiply(TLanes.Multiply(TLanes.Load(ref x, (nuint)i), sum), scale), ref y, (nuint)i);
        }

        for (; i < length; i++)
        {
            float sum = Unsafe.Add(ref b, i) + c;
            if (hasA) sum = Unsafe.Add(ref a, i) + sum;
            Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) * sum * factor;
        }
    }

    private static void AddScaled<TLanes, TVector>(ref float x, float factor, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector f = TLanes.Broadcast(factor);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.MultiplyAdd(f, TLanes.Load(ref x, (nuint)i), TLanes.Load(ref y, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = float.MultiplyAddEstimate(factor, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }
}
