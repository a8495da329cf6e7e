using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Softmax along one axis, as ONNX <c>Softmax</c> (opset 13) and <c>torch.softmax</c>: each slice has its maximum
/// subtracted before the exponential, and a slice that is entirely negative infinity (fully masked) becomes
/// zeros rather than NaN.
/// </summary>
public static class Softmax
{
    /// <summary>Softmax of each contiguous row: <c>output[r, j] = exp(x[r, j] − max_r) / Σ_k exp(x[r, k] − max_r)</c>.</summary>
    /// <param name="path">The instruction-set path; <see cref="KernelPath.Auto"/> picks the widest accelerated one.</param>
    /// <param name="input"><c>[rows, length]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="length">Elements per row, at least 1.</param>
    /// <param name="output"><c>[rows, length]</c>; may be <paramref name="input"/> itself.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the output partially overlaps the input.</exception>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int rows, int length, Span<float> output) =>
        Forward(path, input, rows, length, 1, output);

    /// <summary>
    /// Softmax along the middle axis of <c>[outer, axisLength, inner]</c>: the ONNX <c>axis</c> attribute with
    /// <c>outer</c> the product of the dimensions before it and <c>inner</c> the product of those after it.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="input"><c>[outer, axisLength, inner]</c>.</param>
    /// <param name="outer">Product of the dimensions before the axis.</param>
    /// <param name="axisLength">Length of the softmax axis, at least 1.</param>
    /// <param name="inner">Product of the dimensions after the axis, at least 1.</param>
    /// <param name="output">Same shape; may be <paramref name="input"/> itself.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the output partially overlaps the input.</exception>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int outer, int axisLength, int inner, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(axisLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inner);
        long total = (long)outer * axisLength * inner;
        SpanChecks.Exact(input.Length, total, nameof(input), $"outer × axisLength × inner = {outer} × {axisLength} × {inner}");
        SpanChecks.Exact(output.Length, total, nameof(output), $"outer × axisLength × inner = {outer} × {axisLength} × {inner}");
        SpanChecks.SameOrDisjoint(input, output, nameof(input), nameof(output));
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: Slices<Lanes512, Vector512<float>>(input, outer, axisLength, inner, output); break;
            case KernelPath.Vector256: Slices<Lanes256, Vector256<float>>(input, outer, axisLength, inner, output); break;
            case KernelPath.Vector128: Slices<Lanes128, Vector128<float>>(input, outer, axisLength, inner, output); break;
            default: Slices<ScalarLanes, float>(input, outer, axisLength, inner, output); break;
        }
    }

    private static void Slices<TLanes, TVector>(ReadOnlySpan<float> input, int outer, int axisLength, int inner, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        if (inner == 1)
        {
            for (int r = 0; r < outer; r++)
            {
                Row<TLanes, TVector>(ref MemoryMarshal.GetReference(input.Slice(r * axisLength, axisLength)),
                    ref MemoryMarshal.GetReference(output.Slice(r * axisLength, axisLength)), axisLength);
            }

            return;
        }

        // A strided slice is a column of a [axisLength, inner] matrix: every pass runs along its rows, a vector of
        // neighbouring columns at a time, so nothing is gathered and each element's exponential is taken once.
        float[] rented = ArrayPool<float>.Shared.Rent(2 * inner);
        try
        {
            ref float maxima = ref MemoryMarshal.GetArrayDataReference(rented);
            ref float inverseSums = ref Unsafe.Add(ref maxima, inner);
            for (int o = 0; o < outer; o++)
            {
                int start = o * axisLength * inner;
                ref float y = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), start);
                ColumnExponentials<TLanes, TVector>(ref Unsafe.Add(ref MemoryMarshal.GetReference(input), start), ref y, axisLength, inner, ref maxima, ref inverseSums);
                for (int j = 0; j < axisLength; j++)
                {
                    ref float row = ref Unsafe.Add(ref y, (nint)j * inner);
                    RowKernels.Multiply<TLanes, TVector>(ref row, ref inverseSums, ref row, inner);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The first two passes of a softmax down each column of <c>[rows, columns]</c>: <c>y = exp(x − max_c)</c> (not yet
    /// divided) and <c>inverseSums[c] = 1 / Σ_r y[r, c]</c>, 0 for a column that is entirely −∞ (its <c>y</c> are 0).
    /// <paramref name="y"/> may be <paramref name="x"/>; <paramref name="maxima"/> and <paramref name="inverseSums"/> hold <paramref name="columns"/> floats.
    /// </summary>
    internal static void ColumnExponentials<TLanes, TVector>(ref float x, ref float y, int rows, int columns, ref float maxima, ref float inverseSums)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        MemoryMarshal.CreateSpan(ref maxima, columns).Fill(float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref x, (nint)r * columns);
            int c = 0;
            for (; c <= columns - TLanes.Count; c += TLanes.Count)
            {
                TLanes.Store(TLanes.Max(TLanes.Load(ref maxima, (nuint)c), TLanes.Load(ref row, (nuint)c)), ref maxima, (nuint)c);
            }

            for (; c < columns; c++) Unsafe.Add(ref maxima, c) = MathF.Max(Unsafe.Add(ref maxima, c), Unsafe.Add(ref row, c));
        }

        // A fully masked column subtracts 0 instead of −∞: its exponentials are exp(−∞) = 0, not NaN.
        for (int c = 0; c < columns; c++)
        {
            if (float.IsNegativeInfinity(Unsafe.Add(ref maxima, c))) Unsafe.Add(ref maxima, c) = 0f;
        }

        MemoryMarshal.CreateSpan(ref inverseSums, columns).Clear();
        for (int r = 0; r < rows; r++)
        {
            ref float source = ref Unsafe.Add(ref x, (nint)r * columns);
            ref float target = ref Unsafe.Add(ref y, (nint)r * columns);
            int c = 0;
            for (; c <= columns - TLanes.Count; c += TLanes.Count)
            {
                TVector e = ShiftedExp<TLanes, TVector>(TLanes.Subtract(TLanes.Load(ref source, (nuint)c), TLanes.Load(ref maxima, (nuint)c)));
                TLanes.Store(e, ref target, (nuint)c);
                TLanes.Store(TLanes.Add(TLanes.Load(ref inverseSums, (nuint)c), e), ref inverseSums, (nuint)c);
            }

            for (; c < columns; c++)
            {
                float e = MathF.Exp(Unsafe.Add(ref source, c) - Unsafe.Add(ref maxima, c));
                Unsafe.Add(ref target, c) = e;
                Unsafe.Add(ref inverseSums, c) += e;
            }
        }

        for (int c = 0; c < columns; c++)
        {
            float sum = Unsafe.Add(ref inverseSums, c);
            Unsafe.Add(ref inverseSums, c) = sum == 0f ? 0f : 1f / sum;
        }
    }

    /// <summary>
    /// <c>e^x</c> for <c>x = s − max ≤ 0</c>: <see cref="VectorExp"/> on the vector paths (single-precision arithmetic,
    /// a few ulps; the runtime's <c>Vector256.Exp</c> computes in double and costs about twice as much), the
    /// lanes' own exponential on the scalar reference path. The type tests are constants the JIT folds away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ShiftedExp<TLanes, TVector>(TVector x)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector256<float>)) return (TVector)(object)VectorExp.Exp((Vector256<float>)(object)x);
        if (typeof(TVector) == typeof(Vector128<float>)) return (TVector)(object)VectorExp.Exp((Vector128<float>)(object)x);
        if (typeof(TVector) == typeof(Vector512<float>)) return (TVector)(object)VectorExp.Exp((Vector512<float>)(object)x);
        return TLanes.Exp(x);
    }

    /// <summary>Softmax of one contiguous row; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    internal static void Row<TLanes, TVector>(ref float x, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        float max = RowKernels.Max<TLanes, TVector>(ref x, length);
        if (float.IsNegativeInfinity(max))
        {
            // Every element is masked: exp(−∞ − (−∞)) would be NaN; the row attends to nothing.
            MemoryMarshal.CreateSpan(ref y, length).Clear();
            return;
        }

        TVector maxVector = TLanes.Broadcast(max);
        TVector sumVector = TLanes.Broadcast(0f);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector e = TLanes.Exp(TLanes.Subtract(TLanes.Load(ref x, (nuint)i), maxVector));
            sumVector = TLanes.Add(sumVector, e);
            TLanes.Store(e, ref y, (nuint)i);
        }

        float sum = TLanes.Sum(sumVector);
        for (; i < length; i++)
        {
            float e = MathF.Exp(Unsafe.Add(ref x, i) - max);
            sum += e;
            Unsafe.Add(ref y, i) = e;
        }

        RowKernels.Scale<TLanes, TVector>(ref y, 1f / sum, ref y, length);
    }
}
