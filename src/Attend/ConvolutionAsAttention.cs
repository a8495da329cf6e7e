using System;

namespace Attend;

/// <summary>
/// Builds, from a K×K convolution, the weights of a <c>[ConvolutionalSelfAttention]</c> layer that computes the same
/// output: Cordonnier, Loukas &amp; Jaggi (ICLR 2020), Theorem 1. Head <c>h = (dy + p)·K + (dx + p)</c> attends to
/// the offset <c>Δₕ = (dy, dx)</c> (<c>p = K / 2</c>) with a width α large enough that its softmax is one-hot in float,
/// its value projection is the kernel slice <c>conv.weight[:, :, dy + p, dx + p]</c> (head width = out channels), and
/// the output projection sums the heads (<c>[I … I]</c>) and adds <c>conv.bias</c>.
/// </summary>
public static class ConvolutionAsAttention
{
    /// <summary>The α <see cref="Weights"/> uses by default: the neighbouring offsets then weigh e⁻³⁰ ≈ 9·10⁻¹⁴.</summary>
    public const float DefaultAlpha = 30f;

    /// <summary>
    /// The attention layer's tensors under the names its <c>LoadWeights</c> reads (<c>centers</c> <c>[K², 2]</c>,
    /// <c>alpha</c> <c>[K²]</c>, <c>value.weight</c> <c>[K² · out, in]</c>, <c>out.weight</c> <c>[out, K² · out]</c>,
    /// <c>out.bias</c> <c>[out]</c>), each prefixed by <paramref name="prefix"/>.
    /// </summary>
    /// <param name="convWeight">The convolution's <c>weight</c>, <c>[outChannels, inChannels, K, K]</c> row-major (PyTorch's <c>nn.Conv2d</c>, padding K / 2).</param>
    /// <param name="convBias">Its <c>bias</c>, <c>[outChannels]</c>; empty for none.</param>
    /// <param name="outChannels">Output channels of the convolution.</param>
    /// <param name="inChannels">Input channels of the convolution.</param>
    /// <param name="kernelSize">K, odd.</param>
    /// <param name="alpha">Every head's width α.</param>
    /// <param name="prefix">Prepended to each name, e.g. <c>"attn."</c>.</param>
    /// <exception cref="ArgumentException">A size is not positive, K is even, or a span has the wrong length.</exception>
    public static WeightDictionary Weights(ReadOnlySpan<float> convWeight, ReadOnlySpan<float> convBias, int outChannels, int inChannels, int kernelSize,
        float alpha = DefaultAlpha, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Kernels.ArgumentChecks.Positive(outChannels, nameof(outChannels));
        Kernels.ArgumentChecks.Positive(inChannels, nameof(inChannels));
        Kernels.ArgumentChecks.Positive(kernelSize, nameof(kernelSize));
        if (kernelSize % 2 == 0) throw new ArgumentException($"kernelSize must be odd (padding K / 2 keeps the image size); got {kernelSize}.", nameof(kernelSize));
        int heads = kernelSize * kernelSize, padding = kernelSize / 2;
        Kernels.ArgumentChecks.Length(convWeight.Length, (long)outChannels * inChannels * heads, nameof(convWeight),
            $"outChannels × inChannels × K × K = {outChannels} × {inChannels} × {kernelSize} × {kernelSize}");
        if (!convBias.IsEmpty) Kernels.ArgumentChecks.Length(convBias.Length, outChannels, nameof(convBias), $"outChannels = {outChannels}");

        var centers = new float[heads * 2];
        var alphas = new float[heads];
        var value = new float[heads * outChannels * inChannels];
        var output = new float[outChannels * heads * outChannels];
        var bias = new float[outChannels];
        for (int h = 0; h < heads; h++)
        {
            int ky = h / kernelSize, kx = h % kernelSize;
            centers[2 * h] = ky - padding;
            centers[2 * h + 1] = kx - padding;
            alphas[h] = alpha;
            for (int o = 0; o < outChannels; o++)
            {
                for (int c = 0; c < inChannels; c++)
                {
                    value[(h * outChannels + o) * inChannels + c] = convWeight[((o * inChannels + c) * kernelSize + ky) * kernelSize + kx];
                }

                output[o * heads * outChannels + h * outChannels + o] = 1f;
            }
        }

        convBias.CopyTo(bias);
        var weights = new WeightDictionary();
        weights.Add(prefix + "centers", centers, heads, 2);
        weights.Add(prefix + "alpha", alphas, heads);
        weights.Add(prefix + "value.weight", value, heads * outChannels, inChannels);
        weights.Add(prefix + "out.weight", output, outChannels, heads * outChannels);
        weights.Add(prefix + "out.bias", bias, outChannels);
        return weights;
    }
}
