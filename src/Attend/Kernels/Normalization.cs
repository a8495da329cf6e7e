using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Layer normalization and RMS normalization over the last <c>features</c> elements of each row, as
/// <c>torch.nn.LayerNorm</c> / ONNX <c>LayerNormalization</c> and ONNX <c>RMSNormalization</c> define them.
/// One body per <see cref="KernelPath"/>; every statistic is computed in float32 (ONNX <c>stash_type = 1</c>).
/// </summary>
/// <remarks>
/// The ONNX <c>axis</c> attribute maps onto these kernels by flattening: <c>rows</c> is the product of the
/// dimensions before <c>axis</c>, <c>features</c> the product of those from <c>axis</c> on, and
/// <c>Scale</c>/<c>B</c> (shaped like the normalized dimensions) are <c>features</c> floats.
/// </remarks>
public static class Normalization
{
    /// <summary>
    /// <c>output[r, :] = (x − mean) / √(var + ε) · scale + bias</c> with <c>x = input[r, :]</c> and the mean and
    /// (biased) variance taken over the row, two passes so the variance loses no precision.
    /// </summary>
    /// <param name="path">The instruction-set path; <see cref="KernelPath.Auto"/> picks the widest accelerated one.</param>
    /// <param name="input"><c>[rows, features]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Elements per row (the normalized size), at least 1.</param>
    /// <param name="scale"><c>[features]</c> (PyTorch <c>weight</c>, ONNX <c>Scale</c>).</param>
    /// <param name="bias"><c>[features]</c>, or empty for none.</param>
    /// <param name="epsilon">Added to the variance; PyTorch's default is 1e-5.</param>
    /// <param name="output"><c>[rows, features]</c>; may be <paramref name="input"/> itself.</param>
    /// <param name="mean">Optional <c>[rows]</c>: receives each row's mean (ONNX output <c>Mean</c>).</param>
    /// <param name="inverseStdDev">Optional <c>[rows]</c>: receives <c>1 / √(var + ε)</c> (ONNX output <c>InvStdDev</c>).</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the output partially overlaps the input.</exception>
    public static void LayerNorm(KernelPath path, ReadOnlySpan<float> input, int rows, int features,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, Span<float> output,
        Span<float> mean = default, Span<float> inverseStdDev = default)
    {
        Validate(input, rows, features, scale, bias, output, mean, inverseStdDev);
        Dispatch(path, input, default, rows, features, scale, bias, epsilon, output, mean, inverseStdDev);
    }

    /// <summary>
    /// The post-norm residual step fused into one pass over memory:
    /// <c>output[r, :] = LayerNorm(input[r, :] + residual[r, :])</c>.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="input"><c>[rows, features]</c>.</param>
    /// <param name="residual"><c>[rows, features]</c>, added to <paramref name="input"/> before normalizing.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Elements per row, at least 1.</param>
    /// <param name="scale"><c>[features]</c>.</param>
    /// <param name="bias"><c>[features]</c>, or empty.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <param name="output"><c>[rows, features]</c>; may be <paramref name="input"/> or <paramref name="residual"/> itself.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the output partially overlaps an input.</exception>
    public static void AddLayerNorm(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> residual, int rows, int features,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, Span<float> output)
    {
        Validate(input, rows, features, scale, bias, output, default, default);
        SpanChecks.Exact(residual.Length, (long)rows * features, nameof(residual), $"rows × features = {rows} × {features}");
        SpanChecks.SameOrDisjoint(residual, output, nameof(residual), nameof(output));
        if (rows == 0) return;
        Dispatch(path, input, residual, rows, features, scale, bias, epsilon, output, default, default);
    }

    /// <summary>
    /// <c>output[r, :] = x / √(mean(x²) + ε) · scale</c> with <c>x = input[r, :]</c> (ONNX <c>RMSNormalization</c>).
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="input"><c>[rows, features]</c>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Elements per row, at least 1.</param>
    /// <param name="scale"><c>[features]</c>.</param>
    /// <param name="epsilon">Added to the mean square.</param>
    /// <param name="output"><c>[rows, features]</c>; may be <paramref name="input"/> itself.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or the output partially overlaps the input.</exception>
    public static void RmsNorm(KernelPath path, ReadOnlySpan<float> input, int rows, int features,
        ReadOnlySpan<float> scale, float epsilon, Span<float> output)
    {
        Validate(input, rows, features, scale, default, output, default, default);
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: RmsRows<Lanes512, Vector512<float>>(input, rows, features, scale, epsilon, output); break;
            case KernelPath.Vector256: RmsRows<Lanes256, Vector256<float>>(input, rows, features, scale, epsilon, output); break;
            case KernelPath.Vector128: RmsRows<Lanes128, Vector128<float>>(input, rows, features, scale, epsilon, output); break;
            default: RmsRows<ScalarLanes, float>(input, rows, features, scale, epsilon, output); break;
        }
    }

    private static void Validate(ReadOnlySpan<float> input, int rows, int features, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias,
        Span<float> output, Span<float> mean, Span<float> inverseStdDev)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        SpanChecks.Exact(input.Length, (long)rows * features, nameof(input), $"rows × features = {rows} × {features}");
        SpanChecks.Exact(output.Length, (long)rows * features, nameof(output), $"rows × features = {rows} × {features}");
        SpanChecks.Exact(scale.Length, features, nameof(scale), "features");
        SpanChecks.ExactOrEmpty(bias.Length, features, nameof(bias), "features");
        SpanChecks.ExactOrEmpty(mean.Length, rows, nameof(mean), "rows");
        SpanChecks.ExactOrEmpty(inverseStdDev.Length, rows, nameof(inverseStdDev), "rows");
        SpanChecks.SameOrDisjoint(input, output, nameof(input), nameof(output));
    }

    private static void Dispatch(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> residual, int rows, int features,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, Span<float> output, Span<float> mean, Span<float> inverseStdDev)
    {
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: LayerNormRows<Lanes512, Vector512<float>>(input, residual, rows, features, scale, bias, epsilon, output, mean, inverseStdDev); break;
            case KernelPath.Vector256: LayerNormRows<Lanes256, Vector256<float>>(input, residual, rows, features, scale, bias, epsilon, output, mean, inverseStdDev); break;
            case KernelPath.Vector128: LayerNormRows<Lanes128, Vector128<float>>(input, residual, rows, features, scale, bias, epsilon, output, mean, inverseStdDev); break;
            default: LayerNormRows<ScalarLanes, float>(input, residual, rows, features, scale, bias, epsilon, output, mean, inverseStdDev); break;
        }
    }

    private static void LayerNormRows<TLanes, TVector>(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, int rows, int features,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon, Span<float> output, Span<float> mean, Span<float> inverseStdDev)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        ref float g = ref MemoryMarshal.GetReference(scale);
        ref float beta = ref MemoryMarshal.GetReference(bias);
        bool hasBias = !bias.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            ref float x = ref MemoryMarshal.GetReference(input.Slice(r * features, features));
            ref float y = ref MemoryMarshal.GetReference(output.Slice(r * features, features));
            float rowMean;
            if (residual.IsEmpty)
            {
                rowMean = RowKernels.Sum<TLanes, TVector>(ref x, features) / features;
            }
            else
            {
                // The sum is written to the output first, so the remaining passes read one row, not two.
                ref float added = ref MemoryMarshal.GetReference(residual.Slice(r * features, features));
                RowKernels.Add<TLanes, TVector>(ref x, ref added, ref y, features);
                x = ref y;
                rowMean = RowKernels.Sum<TLanes, TVector>(ref x, features) / features;
            }

            float variance = RowKernels.SumSquaredDeviation<TLanes, TVector>(ref x, features, rowMean) / features;
            float inverse = 1f / MathF.Sqrt(variance + epsilon);
            if (!mean.IsEmpty) mean[r] = rowMean;
            if (!inverseStdDev.IsEmpty) inverseStdDev[r] = inverse;

            TVector meanVector = TLanes.Broadcast(rowMean);
            TVector inverseVector = TLanes.Broadcast(inverse);
            int i = 0;
            for (; i <= features - TLanes.Count; i += TLanes.Count)
            {
                TVector normalized = TLanes.Multiply(TLanes.Subtract(TLanes.Load(ref x, (nuint)i), meanVector), inverseVector);
                TVector shift = hasBias ? TLanes.Load(ref beta, (nuint)i) : TLanes.Broadcast(0f);
                TLanes.Store(TLanes.MultiplyAdd(normalized, TLanes.Load(ref g, (nuint)i), shift), ref y, (nuint)i);
            }

            for (; i < features; i++)
            {
                float normalized = (Unsafe.Add(ref x, i) - rowMean) * inverse;
                Unsafe.Add(ref y, i) = float.MultiplyAddEstimate(normalized, Unsafe.Add(ref g, i), hasBias ? Unsafe.Add(ref beta, i) : 0f);
            }
        }
    }

    private static void RmsRows<TLanes, TVector>(ReadOnlySpan<float> input, int rows, int features, ReadOnlySpan<float> scale, float epsilon, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        ref float g = ref MemoryMarshal.GetReference(scale);
        for (int r = 0; r < rows; r++)
        {
            ref float x = ref MemoryMarshal.GetReference(input.Slice(r * features, features));
            ref float y = ref MemoryMarshal.GetReference(output.Slice(r * features, features));
            float meanSquare = RowKernels.SumSquaredDeviation<TLanes, TVector>(ref x, features, 0f) / features;
            float inverse = 1f / MathF.Sqrt(meanSquare + epsilon);
            TVector inverseVector = TLanes.Broadcast(inverse);
            int i = 0;
            for (; i <= features - TLanes.Count; i += TLanes.Count)
            {
                TLanes.Store(TLanes.Multiply(TLanes.Multiply(TLanes.Load(ref x, (nuint)i), inverseVector), TLanes.Load(ref g, (nuint)i)), ref y, (nuint)i);
            }

            for (; i < features; i++)
            {
                Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) * inverse * Unsafe.Add(ref g, i);
            }
        }
    }
}
