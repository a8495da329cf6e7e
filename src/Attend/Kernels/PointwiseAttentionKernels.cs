using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// The per-pixel and per-channel passes of the External-Attention modules whose work is element-wise or a reduction
/// along one axis (SimAM, Shuffle Attention, Coordinate Attention, Polarized Self-Attention, External Attention,
/// MobileViTv2's separable attention); their matrix products run on <see cref="LinearKernels"/>. Each pass is written
/// once over <see cref="IFloatLanes{TVector}"/> and instantiated per <see cref="KernelPath"/>; generated layers pass
/// their declaration's constants in. Callers have validated every length; <c>path</c> is resolved (never Auto).
/// </summary>
/// <remarks>Input and output may be the same memory wherever a method reads an element before writing it.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PointwiseAttentionKernels
{
    /// <summary>GroupNorm's default ε, which Shuffle Attention's <c>nn.GroupNorm</c> keeps.</summary>
    public const float GroupNormEpsilon = 1e-5f;

    /// <summary>
    /// SimAM on each channel plane: <c>d = (x − μ)²</c>, <c>y = x · σ(d / (4 (Σd / (plane − 1) + λ)) + ½)</c>, μ the
    /// plane's mean (two passes for the mean and the deviation, a third writes). A 1×1 map divides by zero as PyTorch does.
    /// </summary>
    public static void SimAm(KernelPath path, ReadOnlySpan<float> input, int channels, int plane, float lambda, Span<float> output)
    {
        switch (path)
        {
            case KernelPath.Vector512: SimAm<Lanes512, Vector512<float>>(input, channels, plane, lambda, output); break;
            case KernelPath.Vector256: SimAm<Lanes256, Vector256<float>>(input, channels, plane, lambda, output); break;
            case KernelPath.Vector128: SimAm<Lanes128, Vector128<float>>(input, channels, plane, lambda, output); break;
            default: SimAm<ScalarLanes, float>(input, channels, plane, lambda, output); break;
        }
    }

    /// <summary>
    /// Shuffle Attention on one sample: channels are cut into <paramref name="groups"/> groups, each into a channel half
    /// (<c>x · σ(cweight · mean(x) + cbias)</c>) and a spatial half (<c>x · σ(sweight · GroupNorm(x) + sbias)</c>, GroupNorm
    /// per channel); input channel <c>k = i·C/2 + j</c> lands on output channel <c>2j + i</c> (channel_shuffle with 2 groups).
    /// <paramref name="output"/> must not overlap <paramref name="input"/> (the shuffle moves channels).
    /// </summary>
    /// <remarks><c>halfGroupWeights</c>: The six <c>[C / 2G]</c> parameters side by side: cweight, cbias, sweight, sbias, gn.weight, gn.bias.</remarks>
    public static void ShuffleAttention(KernelPath path, ReadOnlySpan<float> input, int channels, int groups, int plane, ReadOnlySpan<float> halfGroupWeights, Span<float> output)
    {
        switch (path)
        {
            case KernelPath.Vector512: ShuffleAttention<Lanes512, Vector512<float>>(input, channels, groups, plane, halfGroupWeights, output); break;
            case KernelPath.Vector256: ShuffleAttention<Lanes256, Vector256<float>>(input, channels, groups, plane, halfGroupWeights, output); break;
            case KernelPath.Vector128: ShuffleAttention<Lanes128, Vector128<float>>(input, channels, groups, plane, halfGroupWeights, output); break;
            default: ShuffleAttention<ScalarLanes, float>(input, channels, groups, plane, halfGroupWeights, output); break;
        }
    }

    /// <summary>
    /// Coordinate Attention's two directional poolings of a <c>[channels, height, width]</c> sample, written token-major for
    /// the 1×1 convolution that follows: <c>pooled[h, c] = mean_w x[c, h, w]</c>, then <c>pooled[height + w, c] = mean_h x[c, h, w]</c>.
    /// </summary>
    /// <remarks><c>columnSums</c>: <paramref name="width"/> floats of scratch.</remarks>
    public static void DirectionalMeans(KernelPath path, ReadOnlySpan<float> input, int channels, int height, int width, Span<float> pooled, Span<float> columnSums)
    {
        switch (path)
        {
            case KernelPath.Vector512: DirectionalMeans<Lanes512, Vector512<float>>(input, channels, height, width, pooled, columnSums); break;
            case KernelPath.Vector256: DirectionalMeans<Lanes256, Vector256<float>>(input, channels, height, width, pooled, columnSums); break;
            case KernelPath.Vector128: DirectionalMeans<Lanes128, Vector128<float>>(input, channels, height, width, pooled, columnSums); break;
            default: DirectionalMeans<ScalarLanes, float>(input, channels, height, width, pooled, columnSums); break;
        }
    }

    /// <summary>
    /// <c>output[c, h, w] = input[c, h, w] · rowFactors[h, c] · columnFactors[w, c]</c> (Coordinate Attention's
    /// <c>x · a_w · a_h</c>, the factors token-major as the convolutions wrote them).
    /// </summary>
    /// <remarks><c>columnScratch</c>: <paramref name="width"/> floats: one channel's column factors, gathered contiguous.</remarks>
    public static void ScaleByRowsAndColumns(KernelPath path, ReadOnlySpan<float> input, int channels, int height, int width,
        ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> columnScratch, Span<float> output)
    {
        switch (path)
        {
            case KernelPath.Vector512: ScaleByRowsAndColumns<Lanes512, Vector512<float>>(input, channels, height, width, rowFactors, columnFactors, columnScratch, output); break;
            case KernelPath.Vector256: ScaleByRowsAndColumns<Lanes256, Vector256<float>>(input, channels, height, width, rowFactors, columnFactors, columnScratch, output); break;
            case KernelPath.Vector128: ScaleByRowsAndColumns<Lanes128, Vector128<float>>(input, channels, height, width, rowFactors, columnFactors, columnScratch, output); break;
            default: ScaleByRowsAndColumns<ScalarLanes, float>(input, channels, height, width, rowFactors, columnFactors, columnScratch, output); break;
        }
    }

    /// <summary><c>output[r, i] = input[r, i] · rowFactors[r] · columnFactors[i]</c> over <c>rowFactors.Length</c> rows of <c>columnFactors.Length</c>.</summary>
    public static void ScaleByOuterProduct(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> output) =>
        ScaleByOuter<Product>(path, input, rowFactors, columnFactors, output);

    /// <summary><c>output[r, i] = input[r, i] · (rowFactors[r] + columnFactors[i])</c>.</summary>
    public static void ScaleByOuterSum(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> output) =>
        ScaleByOuter<Sum>(path, input, rowFactors, columnFactors, output);

    /// <summary><c>matrix[r, i] *= columnFactors[i]</c> for every row, in place (one gating vector across all tokens).</summary>
    public static void ScaleColumns(KernelPath path, Span<float> matrix, ReadOnlySpan<float> columnFactors)
    {
        switch (path)
        {
            case KernelPath.Vector512: ScaleColumns<Lanes512, Vector512<float>>(matrix, columnFactors); break;
            case KernelPath.Vector256: ScaleColumns<Lanes256, Vector256<float>>(matrix, columnFactors); break;
            case KernelPath.Vector128: ScaleColumns<Lanes128, Vector128<float>>(matrix, columnFactors); break;
            default: ScaleColumns<ScalarLanes, float>(matrix, columnFactors); break;
        }
    }

    /// <summary><c>result[i] = initial + Σ_r weights[r] · matrix[r, i]</c> for a <c>[weights.Length, result.Length]</c> matrix (a weighted sum of rows: a 1×N convolution over the channels, or attention-weighted pooling of tokens).</summary>
    public static void WeightedRowSum(KernelPath path, ReadOnlySpan<float> matrix, ReadOnlySpan<float> weights, float initial, Span<float> result)
    {
        switch (path)
        {
            case KernelPath.Vector512: WeightedRowSum<Lanes512, Vector512<float>>(matrix, weights, initial, result); break;
            case KernelPath.Vector256: WeightedRowSum<Lanes256, Vector256<float>>(matrix, weights, initial, result); break;
            case KernelPath.Vector128: WeightedRowSum<Lanes128, Vector128<float>>(matrix, weights, initial, result); break;
            default: WeightedRowSum<ScalarLanes, float>(matrix, weights, initial, result); break;
        }
    }

    /// <summary><c>dots[r] = initial + Σ_i matrix[r, i] · vector[i]</c> for a <c>[dots.Length, vector.Length]</c> matrix.</summary>
    public static void RowDots(KernelPath path, ReadOnlySpan<float> matrix, ReadOnlySpan<float> vector, float initial, Span<float> dots)
    {
        switch (path)
        {
            case KernelPath.Vector512: RowDots<Lanes512, Vector512<float>>(matrix, vector, initial, dots); break;
            case KernelPath.Vector256: RowDots<Lanes256, Vector256<float>>(matrix, vector, initial, dots); break;
            case KernelPath.Vector128: RowDots<Lanes128, Vector128<float>>(matrix, vector, initial, dots); break;
            default: RowDots<ScalarLanes, float>(matrix, vector, initial, dots); break;
        }
    }

    /// <summary>
    /// External Attention's double normalisation of <c>[batch, tokens, units]</c> in place: a softmax over the tokens of
    /// each sequence (down each column), then each token's row divided by its sum over the units (no ε, as the module).
    /// The column maxima and sums are accumulated a row at a time with vectors across the units, and the softmax's
    /// division is fused into the row normalisation: three sequential passes, one exponential per element.
    /// </summary>
    public static void TokenSoftmaxThenRowSums(KernelPath path, Span<float> scores, int batch, int tokens, int units)
    {
        switch (path)
        {
            case KernelPath.Vector512: TokenSoftmaxThenRowSums<Lanes512, Vector512<float>>(scores, batch, tokens, units); break;
            case KernelPath.Vector256: TokenSoftmaxThenRowSums<Lanes256, Vector256<float>>(scores, batch, tokens, units); break;
            case KernelPath.Vector128: TokenSoftmaxThenRowSums<Lanes128, Vector128<float>>(scores, batch, tokens, units); break;
            default: TokenSoftmaxThenRowSums<ScalarLanes, float>(scores, batch, tokens, units); break;
        }
    }

    /// <summary>The logistic sigmoid <c>1 / (1 + e^(−x))</c> of every element, in place.</summary>
    public static void Sigmoid(KernelPath path, Span<float> values) => Map<LogisticSigmoid>(path, values);

    /// <summary>PyTorch's hard swish <c>x · relu6(x + 3) / 6</c> of every element, in place.</summary>
    public static void HardSwish(KernelPath path, Span<float> values) => Map<HardSwishFunction>(path, values);

    private static void SimAm<TLanes, TVector>(ReadOnlySpan<float> input, int channels, int plane, float lambda, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        float inversePlane = 1f / plane;
        float inverseDegrees = 1f / (plane - 1);
        for (int c = 0; c < channels; c++)
        {
            ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), c * plane);
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), c * plane);
            float mean = RowKernels.Sum<TLanes, TVector>(ref x, plane) * inversePlane;
            float deviation = RowKernels.SumSquaredDeviation<TLanes, TVector>(ref x, plane, mean);
            float inverse = 1f / (4f * (deviation * inverseDegrees + lambda));
            GateQuadratic<TLanes, TVector>(ref x, plane, mean, inverse, ref y);
        }
    }

    /// <summary><c>y = x · σ((x − center)² · scale + ½)</c>.</summary>
    private static void GateQuadratic<TLanes, TVector>(ref float x, int length, float center, float scale, ref float y)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        TVector centerVector = TLanes.Broadcast(center), scaleVector = TLanes.Broadcast(scale), half = TLanes.Broadcast(0.5f);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector value = TLanes.Load(ref x, (nuint)i);
            TVector deviation = TLanes.Subtract(value, centerVector);
            TVector energy = TLanes.MultiplyAdd(TLanes.Multiply(deviation, deviation), scaleVector, half);
            TLanes.Store(TLanes.Multiply(value, LogisticSigmoid.Invoke<TLanes, TVector>(energy)), ref y, (nuint)i);
        }

        for (; i < length; i++)
        {
            float value = Unsafe.Add(ref x, i);
            float deviation = value - center;
            Unsafe.Add(ref y, i) = value * LogisticSigmoid.Invoke<ScalarLanes, float>(float.MultiplyAddEstimate(deviation * deviation, scale, 0.5f));
        }
    }

    /// <summary><c>y = x · σ(slope · (x − center) + offset)</c>.</summary>
    private static void GateAffine<TLanes, TVector>(ref float x, int length, float center, float slope, float offset, ref float y)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        TVector centerVector = TLanes.Broadcast(center), slopeVector = TLanes.Broadcast(slope), offsetVector = TLanes.Broadcast(offset);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector value = TLanes.Load(ref x, (nuint)i);
            TVector logit = TLanes.MultiplyAdd(TLanes.Subtract(value, centerVector), slopeVector, offsetVector);
            TLanes.Store(TLanes.Multiply(value, LogisticSigmoid.Invoke<TLanes, TVector>(logit)), ref y, (nuint)i);
        }

        for (; i < length; i++)
        {
            float value = Unsafe.Add(ref x, i);
            Unsafe.Add(ref y, i) = value * LogisticSigmoid.Invoke<ScalarLanes, float>(float.MultiplyAddEstimate(value - center, slope, offset));
        }
    }

    private static void ShuffleAttention<TLanes, TVector>(ReadOnlySpan<float> input, int channels, int groups, int plane, ReadOnlySpan<float> weights, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int groupChannels = channels / groups, half = groupChannels / 2, halfChannels = channels / 2;
        ReadOnlySpan<float> channelWeight = weights.Slice(0, half), channelBias = weights.Slice(half, half);
        ReadOnlySpan<float> spatialWeight = weights.Slice(2 * half, half), spatialBias = weights.Slice(3 * half, half);
        ReadOnlySpan<float> normWeight = weights.Slice(4 * half, half), normBias = weights.Slice(5 * half, half);
        float inversePlane = 1f / plane;
        for (int k = 0; k < channels; k++)
        {
            // channel_shuffle(o, 2): o's channel k = i·C/2 + j becomes channel 2j + i.
            int target = 2 * (k % halfChannels) + k / halfChannels;
            ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), k * plane);
            ref float y = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), target * plane);
            int j = k % groupChannels;
            float mean = RowKernels.Sum<TLanes, TVector>(ref x, plane) * inversePlane;
            if (j < half)
            {
                float gate = LogisticSigmoid.Invoke<ScalarLanes, float>(float.MultiplyAddEstimate(channelWeight[j], mean, channelBias[j]));
                RowKernels.Scale<TLanes, TVector>(ref x, gate, ref y, plane);
                continue;
            }

            // sweight · GroupNorm(x) + sbias = slope · (x − μ) + offset, GroupNorm with one channel per group (biased variance).
            j -= half;
            float variance = RowKernels.SumSquaredDeviation<TLanes, TVector>(ref x, plane, mean) * inversePlane;
            float slope = spatialWeight[j] * normWeight[j] / MathF.Sqrt(variance + GroupNormEpsilon);
            float offset = float.MultiplyAddEstimate(spatialWeight[j], normBias[j], spatialBias[j]);
            GateAffine<TLanes, TVector>(ref x, plane, mean, slope, offset, ref y);
        }
    }

    private static void DirectionalMeans<TLanes, TVector>(ReadOnlySpan<float> input, int channels, int height, int width, Span<float> pooled, Span<float> columnSums)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        float inverseWidth = 1f / width, inverseHeight = 1f / height;
        ref float sums = ref MemoryMarshal.GetReference(columnSums);
        for (int c = 0; c < channels; c++)
        {
            ref float map = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), c * height * width);
            columnSums.Slice(0, width).Clear();
            for (int h = 0; h < height; h++)
            {
                ref float row = ref Unsafe.Add(ref map, h * width);
                pooled[h * channels + c] = RowKernels.Sum<TLanes, TVector>(ref row, width) * inverseWidth;
                RowKernels.Add<TLanes, TVector>(ref sums, ref row, ref sums, width);
            }

            for (int w = 0; w < width; w++) pooled[(height + w) * channels + c] = columnSums[w] * inverseHeight;
        }
    }

    private static void ScaleByRowsAndColumns<TLanes, TVector>(ReadOnlySpan<float> input, int channels, int height, int width,
        ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> columnScratch, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        ref float columns = ref MemoryMarshal.GetReference(columnScratch);
        for (int c = 0; c < channels; c++)
        {
            for (int w = 0; w < width; w++) columnScratch[w] = columnFactors[w * channels + c];
            for (int h = 0; h < height; h++)
            {
                int offset = (c * height + h) * width;
                ScaleRow<TLanes, TVector, Product>(ref Unsafe.Add(ref MemoryMarshal.GetReference(input), offset), rowFactors[h * channels + c], ref columns,
                    ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset), width);
            }
        }
    }

    private static void ScaleByOuter<TCombine>(KernelPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> output)
        where TCombine : struct, ICombine
    {
        switch (path)
        {
            case KernelPath.Vector512: ScaleByOuter<Lanes512, Vector512<float>, TCombine>(input, rowFactors, columnFactors, output); break;
            case KernelPath.Vector256: ScaleByOuter<Lanes256, Vector256<float>, TCombine>(input, rowFactors, columnFactors, output); break;
            case KernelPath.Vector128: ScaleByOuter<Lanes128, Vector128<float>, TCombine>(input, rowFactors, columnFactors, output); break;
            default: ScaleByOuter<ScalarLanes, float, TCombine>(input, rowFactors, columnFactors, output); break;
        }
    }

    private static void ScaleByOuter<TLanes, TVector, TCombine>(ReadOnlySpan<float> input, ReadOnlySpan<float> rowFactors, ReadOnlySpan<float> columnFactors, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TCombine : struct, ICombine
    {
        int length = columnFactors.Length;
        ref float columns = ref MemoryMarshal.GetReference(columnFactors);
        for (int r = 0; r < rowFactors.Length; r++)
        {
            ScaleRow<TLanes, TVector, TCombine>(ref Unsafe.Add(ref MemoryMarshal.GetReference(input), r * length), rowFactors[r], ref columns,
                ref Unsafe.Add(ref MemoryMarshal.GetReference(output), r * length), length);
        }
    }

    /// <summary><c>y[i] = x[i] · combine(factor, columns[i])</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    private static void ScaleRow<TLanes, TVector, TCombine>(ref float x, float factor, ref float columns, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TCombine : struct, ICombine
    {
        int i = 0;
        TVector factorVector = TLanes.Broadcast(factor);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TVector scale = TCombine.Invoke<TLanes, TVector>(factorVector, TLanes.Load(ref columns, (nuint)i));
            TLanes.Store(TLanes.Multiply(TLanes.Load(ref x, (nuint)i), scale), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) * TCombine.Invoke<ScalarLanes, float>(factor, Unsafe.Add(ref columns, i));
    }

    private static void ScaleColumns<TLanes, TVector>(Span<float> matrix, ReadOnlySpan<float> columnFactors)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int length = columnFactors.Length;
        ref float columns = ref MemoryMarshal.GetReference(columnFactors);
        for (int offset = 0; offset < matrix.Length; offset += length)
        {
            // 1 · f is exact, so this is matrix · f.
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), offset);
            ScaleRow<TLanes, TVector, Product>(ref row, 1f, ref columns, ref row, length);
        }
    }

    private static void WeightedRowSum<TLanes, TVector>(ReadOnlySpan<float> matrix, ReadOnlySpan<float> weights, float initial, Span<float> result)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int length = result.Length;
        ref float sums = ref MemoryMarshal.GetReference(result);
        result.Fill(initial);
        for (int r = 0; r < weights.Length; r++)
        {
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), r * length);
            float weight = weights[r];
            TVector weightVector = TLanes.Broadcast(weight);
            int i = 0;
            for (; i <= length - TLanes.Count; i += TLanes.Count)
            {
                TLanes.Store(TLanes.MultiplyAdd(TLanes.Load(ref row, (nuint)i), weightVector, TLanes.Load(ref sums, (nuint)i)), ref sums, (nuint)i);
            }

            for (; i < length; i++) Unsafe.Add(ref sums, i) = float.MultiplyAddEstimate(Unsafe.Add(ref row, i), weight, Unsafe.Add(ref sums, i));
        }
    }

    private static void RowDots<TLanes, TVector>(ReadOnlySpan<float> matrix, ReadOnlySpan<float> vector, float initial, Span<float> dots)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int length = vector.Length;
        ref float v = ref MemoryMarshal.GetReference(vector);
        for (int r = 0; r < dots.Length; r++)
        {
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), r * length);
            float dot = 0f;
            int i = 0;
            if (length >= TLanes.Count)
            {
                TVector accumulator = TLanes.Broadcast(0f);
                for (; i <= length - TLanes.Count; i += TLanes.Count)
                {
                    accumulator = TLanes.MultiplyAdd(TLanes.Load(ref row, (nuint)i), TLanes.Load(ref v, (nuint)i), accumulator);
                }

                dot = TLanes.Sum(accumulator);
            }

            for (; i < length; i++) dot = float.MultiplyAddEstimate(Unsafe.Add(ref row, i), Unsafe.Add(ref v, i), dot);
            dots[r] = initial + dot;
        }
    }

    private static void TokenSoftmaxThenRowSums<TLanes, TVector>(Span<float> scores, int batch, int tokens, int units)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        float[] rented = ArrayPool<float>.Shared.Rent(2 * units);
        try
        {
            ref float maxima = ref MemoryMarshal.GetArrayDataReference(rented);
            ref float inverseSums = ref Unsafe.Add(ref maxima, units);
            for (int b = 0; b < batch; b++)
            {
                ref float sequence = ref Unsafe.Add(ref MemoryMarshal.GetReference(scores), (nint)b * tokens * units);
                Softmax.ColumnExponentials<TLanes, TVector>(ref sequence, ref sequence, tokens, units, ref maxima, ref inverseSums);
                for (int t = 0; t < tokens; t++)
                {
                    ref float row = ref Unsafe.Add(ref sequence, (nint)t * units);
                    RowKernels.Multiply<TLanes, TVector>(ref row, ref inverseSums, ref row, units);
                    RowKernels.Scale<TLanes, TVector>(ref row, 1f / RowKernels.Sum<TLanes, TVector>(ref row, units), ref row, units);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static void Map<TFunction>(KernelPath path, Span<float> values)
        where TFunction : struct, IElementFunction
    {
        switch (path)
        {
            case KernelPath.Vector512: Map<Lanes512, Vector512<float>, TFunction>(values); break;
            case KernelPath.Vector256: Map<Lanes256, Vector256<float>, TFunction>(values); break;
            case KernelPath.Vector128: Map<Lanes128, Vector128<float>, TFunction>(values); break;
            default: Map<ScalarLanes, float, TFunction>(values); break;
        }
    }

    private static void Map<TLanes, TVector, TFunction>(Span<float> values)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TFunction : struct, IElementFunction
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i <= values.Length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TFunction.Invoke<TLanes, TVector>(TLanes.Load(ref x, (nuint)i)), ref x, (nuint)i);
        }

        for (; i < values.Length; i++) Unsafe.Add(ref x, i) = TFunction.Invoke<ScalarLanes, float>(Unsafe.Add(ref x, i));
    }

    /// <summary>One function of one register, written once so the vector body and the scalar remainder agree.</summary>
    private interface IElementFunction
    {
        static abstract TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct;
    }

    private readonly struct LogisticSigmoid : IElementFunction
    {
        // e^(−x) overflows to +∞ for very negative x, and 1 / (1 + ∞) is the limit 0: no NaN.
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector one = TLanes.Broadcast(1f);
            return TLanes.Divide(one, TLanes.Add(one, TLanes.Exp(TLanes.Subtract(TLanes.Broadcast(0f), x))));
        }
    }

    private readonly struct HardSwishFunction : IElementFunction
    {
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            // relu6(x + 3) = min(max(x + 3, 0), 6), written with Max only: 6 − max(6 − max(x + 3, 0), 0).
            TVector zero = TLanes.Broadcast(0f), six = TLanes.Broadcast(6f);
            TVector shifted = TLanes.Max(TLanes.Add(x, TLanes.Broadcast(3f)), zero);
            TVector clamped = TLanes.Subtract(six, TLanes.Max(TLanes.Subtract(six, shifted), zero));
            return TLanes.Divide(TLanes.Multiply(x, clamped), six);
        }
    }

    /// <summary>How a row's factor and a column's factor make one scale.</summary>
    private interface ICombine
    {
        static abstract TVector Invoke<TLanes, TVector>(TVector row, TVector column)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct;
    }

    private readonly struct Product : ICombine
    {
        public static TVector Invoke<TLanes, TVector>(TVector row, TVector column)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct => TLanes.Multiply(row, column);
    }

    private readonly struct Sum : ICombine
    {
        public static TVector Invoke<TLanes, TVector>(TVector row, TVector column)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct => TLanes.Add(row, column);
    }
}
