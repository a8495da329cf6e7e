using System;
using Attend;

namespace Attend.Samples.DigitsSqueezeExcitation;

/// <summary>The squeeze-and-excitation block of the digits CNN: 16 channels, 4 hidden; everything else on the class is generated.</summary>
[SqueezeExcitation(Channels = 16, Reduction = 4)]
public sealed partial class DigitsSqueeze;

/// <summary>
/// The digits CNN of <c>train.py</c>: <c>conv1</c> (3×3, 1 → 16, zero padding 1) → ReLU → <c>se</c> → 2×2 max pool →
/// <c>fc</c> (256 → 10). The convolution, pooling and classifier are plain loops here, small on purpose; the
/// squeeze-and-excitation block is Attend's generated layer, loaded from the same <c>state_dict</c> under <c>se.</c>.
/// </summary>
public sealed class DigitsNet
{
    public const int Side = 8;
    public const int Classes = 10;
    private const int Channels = DigitsSqueeze.Channels;
    private const int Pooled = Side / 2;
    private const int Features = Channels * Pooled * Pooled;

    private readonly float[] _convWeight;
    private readonly float[] _convBias;
    private readonly float[] _fcWeight;
    private readonly float[] _fcBias;
    private readonly DigitsSqueeze _squeeze = new();

    /// <summary>Loads <c>conv1.*</c>, <c>se.fc1.*</c>, <c>se.fc2.*</c> and <c>fc.*</c> from a <c>state_dict</c>.</summary>
    public DigitsNet(IWeightSource weights)
    {
        _convWeight = Kernels.WeightLoading.Read(weights, "", "conv1.weight", Channels, 1, 3, 3);
        _convBias = Kernels.WeightLoading.Read(weights, "", "conv1.bias", Channels);
        _fcWeight = Kernels.WeightLoading.Read(weights, "", "fc.weight", Classes, Features);
        _fcBias = Kernels.WeightLoading.Read(weights, "", "fc.bias", Classes);
        _squeeze.LoadWeights(weights, prefix: "se.");
    }

    /// <summary>The instruction-set path of the squeeze-and-excitation block.</summary>
    public KernelPath Path
    {
        get => _squeeze.Path;
        set => _squeeze.Path = value;
    }

    /// <summary>Class scores <c>[count, 10]</c> for images <c>[count, 1, 8, 8]</c> with values in [0, 1].</summary>
    public float[] Logits(ReadOnlySpan<float> images, int count)
    {
        if (images.Length != count * Side * Side) throw new ArgumentException($"images must hold count × 1 × 8 × 8 = {count * Side * Side} floats; it holds {images.Length}.", nameof(images));
        var maps = new float[count * Channels * Side * Side];
        for (int n = 0; n < count; n++) ConvolveRelu(images.Slice(n * Side * Side, Side * Side), maps.AsSpan(n * Channels * Side * Side, Channels * Side * Side));

        // The attention block re-weights every channel of every image, in place.
        _squeeze.Forward(maps, maps, count, Side, Side);

        var logits = new float[count * Classes];
        Span<float> features = stackalloc float[Features];
        for (int n = 0; n < count; n++)
        {
            MaxPool(maps.AsSpan(n * Channels * Side * Side, Channels * Side * Side), features);
            for (int k = 0; k < Classes; k++)
            {
                float sum = _fcBias[k];
                for (int i = 0; i < Features; i++) sum += _fcWeight[k * Features + i] * features[i];
                logits[n * Classes + k] = sum;
            }
        }

        return logits;
    }

    /// <summary>3×3 convolution with zero padding 1 (cross-correlation, as PyTorch), bias, ReLU.</summary>
    private void ConvolveRelu(ReadOnlySpan<float> image, Span<float> output)
    {
        for (int c = 0; c < Channels; c++)
        {
            ReadOnlySpan<float> kernel = _convWeight.AsSpan(c * 9, 9);
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    float sum = _convBias[c];
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int row = y + dy, column = x + dx;
                            if ((uint)row < Side && (uint)column < Side) sum += kernel[(dy + 1) * 3 + dx + 1] * image[row * Side + column];
                        }
                    }

                    output[(c * Side + y) * Side + x] = MathF.Max(sum, 0f);
                }
            }
        }
    }

    /// <summary>2×2 max pooling, stride 2, flattened as PyTorch's <c>flatten(1)</c>: channel, then row, then column.</summary>
    private static void MaxPool(ReadOnlySpan<float> maps, Span<float> features)
    {
        for (int c = 0; c < Channels; c++)
        {
            for (int y = 0; y < Pooled; y++)
            {
                for (int x = 0; x < Pooled; x++)
                {
                    int at = (c * Side + 2 * y) * Side + 2 * x;
                    features[(c * Pooled + y) * Pooled + x] = MathF.Max(MathF.Max(maps[at], maps[at + 1]), MathF.Max(maps[at + Side], maps[at + Side + 1]));
                }
            }
        }
    }
}
