using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One sample of Selective Kernel attention (Li et al. 2019; External-Attention-pytorch <c>SKAttention</c>):
/// branch <c>i</c>, <c>U_i = relu(conv_{k_i}(x))</c> with its BatchNorm folded in, through <see cref="Convolution2d"/>
/// (1×1 branches as a matrix product); <c>s = Σ_i mean_hw(U_i)</c>; <c>z = fc(s)</c>; all <c>a_i = fcs_i(z)</c> in one
/// stacked product; softmax over the branches per channel; <c>y = Σ_i a_i[c] · U_i[c]</c>. Generated
/// <c>[SelectiveKernelAttention]</c> layers call it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SelectiveKernelKernels
{
    /// <summary>Floats of scratch <see cref="Apply"/> needs: every branch's output, the means, <c>z</c> and the logits.</summary>
    public static int ScratchLength(int branches, int channels, int hidden, int height, int width) =>
        branches * channels * height * width + 2 * channels + hidden + branches * channels;

    /// <summary>
    /// Computes one sample (<paramref name="input"/> and <paramref name="output"/> <c>[channels, height, width]</c>, validated
    /// by the caller; they may be the same memory).
    /// </summary>
    public static void Apply(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int channels, int height, int width,
        ReadOnlySpan<int> kernelSizes, int groups, int hidden, SelectiveKernelWeights weights, Span<float> scratch)
    {
        int plane = height * width;
        int branches = kernelSizes.Length;
        int branchLength = channels * plane;
        Span<float> branchOutputs = scratch.Slice(0, branches * branchLength);
        Span<float> means = scratch.Slice(branches * branchLength, channels);
        Span<float> meanSum = scratch.Slice(branches * branchLength + channels, channels);
        Span<float> z = scratch.Slice(branches * branchLength + 2 * channels, hidden);
        Span<float> logits = scratch.Slice(branches * branchLength + 2 * channels + hidden, branches * channels);

        // Each branch: one grouped convolution (bias = folded BatchNorm), ReLU, its plane means summed into s.
        for (int i = 0; i < branches; i++)
        {
            Span<float> branch = branchOutputs.Slice(i * branchLength, branchLength);
            int k = kernelSizes[i];
            Convolution2d.Same(path, input, channels, height, width, weights.BranchWeights[i], weights.BranchBiases[i], channels, k, k, 1, groups, branch);
            Activations.Relu(path, branch, branch);
            FeatureMapKernels.ChannelMeans(path, branch, channels, plane, i == 0 ? meanSum : means);
            if (i > 0)
            {
                for (int c = 0; c < channels; c++) meanSum[c] += means[c];
            }
        }

        LinearKernels.Forward(path, meanSum, 1, channels, weights.FcPacked, weights.FcBias, channels, hidden, z, hidden);
        LinearKernels.Forward(path, z, 1, hidden, weights.FcsPacked, weights.FcsBias, hidden, branches * channels, logits, branches * channels);

        // Softmax over the branches of each channel, the largest logit subtracted first.
        for (int c = 0; c < channels; c++)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < branches; i++) max = MathF.Max(max, logits[i * channels + c]);
            float sum = 0f;
            for (int i = 0; i < branches; i++) sum += logits[i * channels + c] = MathF.Exp(logits[i * channels + c] - max);
            float inverse = 1f / sum;
            for (int i = 0; i < branches; i++) logits[i * channels + c] *= inverse;
        }

        // y = Σ_i a_i[c] · U_i[c], one fused multiply-add pass per branch over each channel plane.
        for (int c = 0; c < channels; c++)
        {
            Span<float> row = output.Slice(c * plane, plane);
            row.Clear();
            for (int i = 0; i < branches; i++)
            {
                FeatureMapRows.AddScaled(path, branchOutputs.Slice((i * channels + c) * plane, plane), logits[i * channels + c], row);
            }
        }
    }
}
