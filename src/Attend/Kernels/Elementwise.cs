using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>Element-wise arithmetic generated blocks use for residual connections and position embeddings.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class Elementwise
{
    /// <summary><c>output[i] = a[i] + b[i]</c>; <paramref name="output"/> may be <paramref name="a"/> or <paramref name="b"/> itself.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or the output partially overlaps an input.</exception>
    public static void Add(KernelPath path, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        SpanChecks.Exact(b.Length, a.Length, nameof(b), "a.Length");
        SpanChecks.Exact(output.Length, a.Length, nameof(output), "a.Length");
        SpanChecks.SameOrDisjoint(a, output, nameof(a), nameof(output));
        SpanChecks.SameOrDisjoint(b, output, nameof(b), nameof(output));
        ref float x = ref MemoryMarshal.GetReference(a);
        ref float y = ref MemoryMarshal.GetReference(b);
        ref float z = ref MemoryMarshal.GetReference(output);
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: RowKernels.Add<Lanes512, Vector512<float>>(ref x, ref y, ref z, a.Length); break;
            case KernelPath.Vector256: RowKernels.Add<Lanes256, Vector256<float>>(ref x, ref y, ref z, a.Length); break;
            case KernelPath.Vector128: RowKernels.Add<Lanes128, Vector128<float>>(ref x, ref y, ref z, a.Length); break;
            default: RowKernels.Add<ScalarLanes, float>(ref x, ref y, ref z, a.Length); break;
        }
    }

    /// <summary>
    /// Adds one row pattern to every row: <c>output[r, i] = input[r, i] + rowValues[r mod period, i]</c>, the way a
    /// position table <c>[period, features]</c> is added to <c>[batch, period, features]</c> tokens.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="input"><c>[rows, features]</c>.</param>
    /// <param name="rowValues"><c>[period, features]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Elements per row.</param>
    /// <param name="output"><c>[rows, features]</c>; may be <paramref name="input"/> itself.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the period does not divide the rows.</exception>
    public static void AddPerRow(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> rowValues, int rows, int features, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        SpanChecks.Exact(input.Length, (long)rows * features, nameof(input), $"rows × features = {rows} × {features}");
        SpanChecks.Exact(output.Length, (long)rows * features, nameof(output), $"rows × features = {rows} × {features}");
        if (rowValues.Length == 0 || rowValues.Length % features != 0 || rows % (rowValues.Length / features) != 0)
        {
            throw new ArgumentException($"rowValues must be [period, features = {features}] with period dividing rows = {rows}; it holds {rowValues.Length} floats.", nameof(rowValues));
        }

        int period = rowValues.Length / features;
        for (int r = 0; r < rows; r += period)
        {
            int length = period * features;
            Add(path, input.Slice(r * features, length), rowValues, output.Slice(r * features, length));
        }
    }
}
