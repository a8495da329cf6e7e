using System;

namespace Attend.Kernels;

/// <summary>
/// Folds an eval-mode <c>BatchNorm</c> into the convolution (or linear layer) before it, at load time:
/// <c>bn(conv(x)) = γ·(W·x + b − μ)/√(σ² + ε) + β = (s·W)·x + (s·(b − μ) + β)</c> with <c>s = γ/√(σ² + ε)</c> per
/// output channel. The layers of the External-Attention family (SK, BAM, CoordAtt, Triplet) store conv and BatchNorm
/// separately; folded, a forward pass runs one convolution and no normalization.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// Reads <c>{prefix}{convolution}.weight</c> of shape <paramref name="weightShape"/> (output channels first), its
    /// <c>.bias</c> when <paramref name="hasBias"/>, and <c>{prefix}{batchNorm}.weight/.bias/.running_mean/.running_var</c>
    /// (PyTorch's names), and returns the folded weight and bias. <c>num_batches_tracked</c> is not read (unused in eval).
    /// </summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">A tensor has the wrong shape, or a running variance is negative or not finite.</exception>
    public static (float[] Weight, float[] Bias) ReadFolded(
        IWeightSource source, string prefix, string convolution, bool hasBias, string batchNorm, float epsilon, params long[] weightShape)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(weightShape);
        if (weightShape.Length == 0) throw new ArgumentException("The weight shape needs at least the output-channel dimension.", nameof(weightShape));
        long outputs = weightShape[0];
        float[] weight = WeightLoading.Read(source, prefix, convolution + ".weight", weightShape);
        float[] bias = hasBias ? WeightLoading.Read(source, prefix, convolution + ".bias", outputs) : new float[outputs];
        float[] gamma = WeightLoading.Read(source, prefix, batchNorm + ".weight", outputs);
        float[] beta = WeightLoading.Read(source, prefix, batchNorm + ".bias", outputs);
        float[] mean = WeightLoading.Read(source, prefix, batchNorm + ".running_mean", outputs);
        float[] variance = WeightLoading.Read(source, prefix, batchNorm + ".running_var", outputs);
        for (int c = 0; c < variance.Length; c++)
        {
            if (!(variance[c] >= 0f) || float.IsInfinity(variance[c]))
            {
                throw new System.IO.InvalidDataException(
                    $"Weight '{prefix}{batchNorm}.running_var' has {variance[c]} at channel {c}; a running variance must be finite and ≥ 0.");
            }
        }

        Fold(weight, bias, gamma, beta, mean, variance, epsilon);
        return (weight, bias);
    }

    /// <summary>
    /// In place: scales each output channel's slice of <paramref name="weight"/> (<c>weight.Length / bias.Length</c>
    /// floats, output channels first) and rewrites <paramref name="bias"/> so the layer computes conv followed by the
    /// batch norm. Scale and shift are formed in double so folding adds one float rounding per weight.
    /// </summary>
    public static void Fold(Span<float> weight, Span<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon)
    {
        int outputs = bias.Length;
        if (outputs == 0 || weight.Length % outputs != 0)
        {
            throw new ArgumentException($"weight holds {weight.Length} floats; expected a multiple of the {outputs} output channels.", nameof(weight));
        }

        SpanChecks.Exact(gamma.Length, outputs, nameof(gamma), "one per output channel");
        SpanChecks.Exact(beta.Length, outputs, nameof(beta), "one per output channel");
        SpanChecks.Exact(mean.Length, outputs, nameof(mean), "one per output channel");
        SpanChecks.Exact(variance.Length, outputs, nameof(variance), "one per output channel");
        int perOutput = weight.Length / outputs;
        for (int c = 0; c < outputs; c++)
        {
            double scale = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
            Span<float> row = weight.Slice(c * perOutput, perOutput);
            for (int i = 0; i < row.Length; i++) row[i] = (float)(row[i] * scale);
            bias[c] = (float)((bias[c] - (double)mean[c]) * scale + beta[c]);
        }
    }
}
