using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The weights of one Selective Kernel layer: each branch's convolution with its BatchNorm folded in, <c>fc</c> packed,
/// and every <c>fcs.i</c> stacked into one packed <c>[branches · Channels, Hidden]</c> product. Never written once built.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SelectiveKernelWeights
{
    /// <summary>Each branch's folded convolution <c>[Channels, Channels / groups, k, k]</c>.</summary>
    public float[][] BranchWeights { get; }

    /// <summary>Each branch's folded bias <c>[Channels]</c>.</summary>
    public float[][] BranchBiases { get; }

    /// <summary><c>fc</c> packed (<c>[Hidden, Channels]</c>) and its bias.</summary>
    public float[] FcPacked { get; }

    /// <inheritdoc cref="FcPacked"/>
    public float[] FcBias { get; }

    /// <summary>Every <c>fcs.i</c> stacked, packed (<c>[branches · Channels, Hidden]</c>), and their biases.</summary>
    public float[] FcsPacked { get; }

    /// <inheritdoc cref="FcsPacked"/>
    public float[] FcsBias { get; }

    /// <summary>Zero weights until a set is loaded.</summary>
    public SelectiveKernelWeights(int channels, ReadOnlySpan<int> kernelSizes, int groups, int hidden)
    {
        ArgumentChecks.Positive(channels, nameof(channels));
        ArgumentChecks.Positive(groups, nameof(groups));
        ArgumentChecks.Positive(hidden, nameof(hidden));
        int branches = kernelSizes.Length;
        BranchWeights = new float[branches][];
        BranchBiases = new float[branches][];
        for (int i = 0; i < branches; i++)
        {
            BranchWeights[i] = new float[channels * (channels / groups) * kernelSizes[i] * kernelSizes[i]];
            BranchBiases[i] = new float[channels];
        }

        FcPacked = new float[LinearKernels.PackedLength(channels, hidden)];
        FcBias = new float[hidden];
        FcsPacked = new float[LinearKernels.PackedLength(hidden, branches * channels)];
        FcsBias = new float[branches * channels];
    }

    /// <summary>
    /// Reads <c>SKAttention</c>'s <c>state_dict</c> under <paramref name="prefix"/>: <c>convs.{i}.conv.weight/.bias</c> with
    /// <c>convs.{i}.bn.*</c> (folded, eps 1e-5), <c>fc.weight/.bias</c>, <c>fcs.{i}.weight/.bias</c>.
    /// </summary>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">A tensor has the wrong shape or a running variance is invalid.</exception>
    public static SelectiveKernelWeights Read(IWeightSource source, string prefix, int channels, ReadOnlySpan<int> kernelSizes, int groups, int hidden)
    {
        var set = new SelectiveKernelWeights(channels, kernelSizes, groups, hidden);
        int branches = kernelSizes.Length;
        float[] fcs = new float[branches * channels * hidden];
        for (int i = 0; i < branches; i++)
        {
            int k = kernelSizes[i];
            (float[] weight, float[] bias) = BatchNormFolding.ReadFolded(source, prefix, $"convs.{i}.conv", true, $"convs.{i}.bn", 1e-5f, channels, channels / groups, k, k);
            set.BranchWeights[i] = weight;
            set.BranchBiases[i] = bias;
            WeightLoading.Read(source, prefix, $"fcs.{i}.weight", channels, hidden).CopyTo(fcs, i * channels * hidden);
            WeightLoading.Read(source, prefix, $"fcs.{i}.bias", channels).CopyTo(set.FcsBias, i * channels);
        }

        LinearKernels.Pack(WeightLoading.Read(source, prefix, "fc.weight", hidden, channels), channels, hidden, set.FcPacked);
        WeightLoading.Read(source, prefix, "fc.bias", hidden).CopyTo(set.FcBias, 0);
        LinearKernels.Pack(fcs, hidden, branches * channels, set.FcsPacked);
        return set;
    }
}
