using System;

namespace Attend.Kernels;

/// <summary>
/// The projection <c>y = x·Wᵀ + b</c> of a PyTorch <c>nn.Linear</c>, the kernel generated layers call for
/// their query/key/value and output projections.
/// </summary>
/// <remarks>
/// <para>
/// Weights arrive as <c>[outFeatures, inFeatures]</c> (PyTorch layout) and are rearranged once, at load time,
/// by <see cref="Pack"/> into column panels of 16 output features: panel <c>p</c>
/// holds <c>Wᵀ[k, 16p .. 16p + 16)</c> for every <c>k</c>, one 16-float row per input feature, zero-padded past
/// <c>outFeatures</c>. One layout serves every <see cref="KernelPath"/>: 16 floats are two Vector256
/// registers (the Vector256 tile is one panel wide), a Vector512 tile takes two adjacent panels, a
/// Vector128 tile each half of one. The inner loop of every path therefore broadcasts one input element
/// and multiply-adds it into a row of the panel read sequentially.
/// </para>
/// <para>
/// Every output element is computed the same way on every path and any thread count: start from the
/// bias (or zero), then one fused multiply-add per input feature in increasing order. Tiling, cache
/// blocking over the input features (partial sums are stored as floats and reloaded, which is exact) and
/// the split across threads change only which element is computed when, so results are bit-identical
/// across paths and across <c>maxDegreeOfParallelism</c>.
/// </para>
/// </remarks>
public static partial class LinearKernels
{
    /// <summary>Output features per packed column panel: two Vector256 registers.</summary>
    internal const int PanelWidth = 16;

    /// <summary>The number of floats <see cref="Pack"/> writes for a layer of this shape.</summary>
    /// <param name="inFeatures">Input features (the inner dimension), at least 1.</param>
    /// <param name="outFeatures">Output features, at least 1.</param>
    /// <returns><c>ceil(outFeatures / 16) · 16 · inFeatures</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the packed length exceeds an array's.</exception>
    public static int PackedLength(int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        long length = (long)PanelCount(outFeatures) * PanelWidth * inFeatures;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures,
                $"The packed weight of {outFeatures}×{inFeatures} needs {length} floats, more than an array holds.");
        }

        return (int)length;
    }

    /// <summary>Rearranges a PyTorch <c>nn.Linear</c> weight into the panel layout <see cref="Forward"/> streams.</summary>
    /// <param name="weight">The weight, <c>[outFeatures, inFeatures]</c> row-major: exactly <c>outFeatures · inFeatures</c> floats.</param>
    /// <param name="inFeatures">Input features, at least 1.</param>
    /// <param name="outFeatures">Output features, at least 1.</param>
    /// <param name="packed">Receives exactly <see cref="PackedLength"/> floats.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Pack(ReadOnlySpan<float> weight, int inFeatures, int outFeatures, Span<float> packed)
    {
        int packedLength = PackedLength(inFeatures, outFeatures);
        if (weight.Length != (long)inFeatures * outFeatures)
        {
            throw new ArgumentException(
                $"Expected outFeatures × inFeatures = {outFeatures} × {inFeatures} = {(long)inFeatures * outFeatures} floats ([outFeatures, inFeatures], PyTorch layout), got {weight.Length}.",
                nameof(weight));
        }

        if (packed.Length != packedLength)
        {
            throw new ArgumentException(
                $"Expected PackedLength({inFeatures}, {outFeatures}) = {packedLength} floats, got {packed.Length}.", nameof(packed));
        }

        int panels = PanelCount(outFeatures);
        for (int panel = 0; panel < panels; panel++)
        {
            Span<float> panelData = packed.Slice(panel * PanelWidth * inFeatures, PanelWidth * inFeatures);
            if ((panel + 1) * PanelWidth <= outFeatures)
            {
                // A full panel is the transpose of its PanelWidth weight rows: cache-blocked, so each write lands in
                // L1 (a column at a time would touch a new 64-byte line per element, 16 times over the panel).
                MatrixLayout.Transpose(weight.Slice(panel * PanelWidth * inFeatures, PanelWidth * inFeatures), PanelWidth, inFeatures, panelData);
                continue;
            }

            for (int j = 0; j < PanelWidth; j++)
            {
                int n = panel * PanelWidth + j;
                if (n >= outFeatures)
                {
                    // Zero padding: the edge panel's extra columns compute zeros that are never stored.
                    for (int k = 0; k < inFeatures; k++)
                    {
                        panelData[k * PanelWidth + j] = 0f;
                    }

                    continue;
                }

                ReadOnlySpan<float> row = weight.Slice(n * inFeatures, inFeatures);
                for (int k = 0; k < inFeatures; k++)
                {
                    panelData[k * PanelWidth + j] = row[k];
                }
            }
        }
    }

    /// <summary>
    /// <c>output[r · outputStride + n] = bias[n] + Σ_k input[r · inputStride + k] · weight[n, k]</c> for
    /// <c>r &lt; rows</c> and <c>n &lt; outFeatures</c>; nothing else in <paramref name="output"/> is written, so
    /// callers may place several projections side by side (Q, K and V in one <c>[rows, 3E]</c> buffer).
    /// </summary>
    /// <param name="path">The instruction-set path; <see cref="KernelPath.Auto"/> picks <see cref="KernelPaths.Best"/>.</param>
    /// <param name="input">Rows of <paramref name="inFeatures"/> floats, <paramref name="inputStride"/> apart.</param>
    /// <param name="rows">Number of rows, at least 0.</param>
    /// <param name="inputStride">Floats between consecutive input rows, at least <paramref name="inFeatures"/>.</param>
    /// <param name="packedWeight">The weight as written by <see cref="Pack"/>: exactly <see cref="PackedLength"/> floats.</param>
    /// <param name="bias">Empty (no bias) or exactly <paramref name="outFeatures"/> floats.</param>
    /// <param name="inFeatures">Input features, at least 1.</param>
    /// <param name="outFeatures">Output features, at least 1.</param>
    /// <param name="output">Rows of <paramref name="outFeatures"/> floats, <paramref name="outputStride"/> apart; must not overlap the inputs.</param>
    /// <param name="outputStride">Floats between consecutive output rows, at least <paramref name="outFeatures"/>.</param>
    /// <param name="maxDegreeOfParallelism">Most threads to use, at least 1; large problems are split over row blocks and column panels.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, stride, path or thread count is out of range.</exception>
    /// <exception cref="ArgumentException">A span is too short, has the wrong length, or overlaps <paramref name="output"/>.</exception>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism = 1)
    {
        if (path is < KernelPath.Auto or > KernelPath.Vector512)
        {
            throw new ArgumentOutOfRangeException(nameof(path), path, "Expected Auto, Scalar, Vector128, Vector256 or Vector512.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int packedLength = PackedLength(inFeatures, outFeatures);
        if (inputStride < inFeatures)
        {
            throw new ArgumentOutOfRangeException(nameof(inputStride), inputStride, $"Expected at least inFeatures = {inFeatures}.");
        }

        if (outputStride < outFeatures)
        {
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, $"Expected at least outFeatures = {outFeatures}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        if (packedWeight.Length != packedLength)
        {
            throw new ArgumentException(
                $"Expected PackedLength({inFeatures}, {outFeatures}) = {packedLength} floats (see LinearKernels.Pack), got {packedWeight.Length}.",
                nameof(packedWeight));
        }

        if (bias.Length != 0 && bias.Length != outFeatures)
        {
            throw new ArgumentException($"Expected 0 (no bias) or outFeatures = {outFeatures} floats, got {bias.Length}.", nameof(bias));
        }

        long inputNeeded = rows == 0 ? 0 : ((long)rows - 1) * inputStride + inFeatures;
        if (input.Length < inputNeeded)
        {
            throw new ArgumentException(
                $"Expected at least (rows - 1) · inputStride + inFeatures = {inputNeeded} floats, got {input.Length}.", nameof(input));
        }

        long outputNeeded = rows == 0 ? 0 : ((long)rows - 1) * outputStride + outFeatures;
        if (output.Length < outputNeeded)
        {
            throw new ArgumentException(
                $"Expected at least (rows - 1) · outputStride + outFeatures = {outputNeeded} floats, got {output.Length}.", nameof(output));
        }

        if (rows == 0)
        {
            return;
        }

        // Only the parts actually read or written matter: the caller may slice Q, K, V out of one buffer.
        Span<float> written = output[..(int)outputNeeded];
        if (written.Overlaps(input[..(int)inputNeeded]) || written.Overlaps(packedWeight) || written.Overlaps(bias))
        {
            throw new ArgumentException("The output must not overlap the input, the weight or the bias.", nameof(output));
        }

        Run(KernelPaths.Resolve(path), input, rows, inputStride, packedWeight, bias, inFeatures, outFeatures, output, outputStride, maxDegreeOfParallelism);
    }

    /// <summary>Number of 16-wide column panels covering <paramref name="outFeatures"/>.</summary>
    internal static int PanelCount(int outFeatures) => (int)(((long)outFeatures + PanelWidth - 1) / PanelWidth);
}
