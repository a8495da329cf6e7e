using System;

namespace Attend.Tests.Family;

/// <summary>
/// Float64 restatements of squeeze-and-excitation, ECA and CBAM, written from the papers' formulas and the fixture README
/// (same conventions as check_fixtures.py): plain loops, no vectors, no shared code with the library.
/// </summary>
internal static class ChannelAttentionReference
{
    /// <param name="pooling">0 mean, 1 max, 2 both (the MLP on each, summed).</param>
    public static double[] SqueezeExcitation(float[] x, int batch, int channels, int height, int width,
        float[] fc1Weight, float[] fc1Bias, float[] fc2Weight, float[] fc2Bias, int pooling, bool hardSigmoid, out double[] scale)
    {
        int plane = height * width;
        int hidden = fc1Bias.Length;
        scale = new double[batch * channels];
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            var logits = new double[channels];
            foreach (bool useMax in pooling == 2 ? new[] { false, true } : new[] { pooling == 1 })
            {
                double[] pooled = Pool(x, b, channels, plane, useMax);
                var h = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double sum = fc1Bias[j];
                    for (int c = 0; c < channels; c++) sum += (double)fc1Weight[j * channels + c] * pooled[c];
                    h[j] = Math.Max(sum, 0);
                }

                for (int c = 0; c < channels; c++)
                {
                    double sum = fc2Bias[c];
                    for (int j = 0; j < hidden; j++) sum += (double)fc2Weight[c * hidden + j] * h[j];
                    logits[c] += sum;
                }
            }

            for (int c = 0; c < channels; c++)
            {
                double s = hardSigmoid ? Math.Clamp(logits[c] / 6 + 0.5, 0, 1) : Sigmoid(logits[c]);
                scale[b * channels + c] = s;
                for (int i = 0; i < plane; i++) y[(b * channels + c) * plane + i] = s * x[(b * channels + c) * plane + i];
            }
        }

        return y;
    }

    public static double[] EfficientChannelAttention(float[] x, int batch, int channels, int height, int width, float[] taps, out double[] scale)
    {
        int plane = height * width;
        int pad = (taps.Length - 1) / 2;
        scale = new double[batch * channels];
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            double[] pooled = Pool(x, b, channels, plane, useMax: false);
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int t = 0; t < taps.Length; t++)
                {
                    int source = c + t - pad;
                    if (source >= 0 && source < channels) sum += taps[t] * pooled[source];
                }

                double s = Sigmoid(sum);
                scale[b * channels + c] = s;
                for (int i = 0; i < plane; i++) y[(b * channels + c) * plane + i] = s * x[(b * channels + c) * plane + i];
            }
        }

        return y;
    }

    /// <param name="spatialWeight"><c>[1, 2, k, k]</c>: map 0 the channel mean, map 1 the channel max.</param>
    public static double[] ConvBlockAttention(float[] x, int batch, int channels, int height, int width,
        float[] fc0Weight, float[] fc2Weight, float[] spatialWeight, out double[] channelScale, out double[] spatialScale)
    {
        int plane = height * width;
        int hidden = fc0Weight.Length / channels;
        int k = (int)Math.Round(Math.Sqrt(spatialWeight.Length / 2.0));
        int pad = (k - 1) / 2;
        channelScale = new double[batch * channels];
        spatialScale = new double[batch * plane];
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            var logits = new double[channels];
            foreach (bool useMax in new[] { false, true })
            {
                double[] pooled = Pool(x, b, channels, plane, useMax);
                var h = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) sum += (double)fc0Weight[j * channels + c] * pooled[c];
                    h[j] = Math.Max(sum, 0);
                }

                for (int c = 0; c < channels; c++)
                {
                    for (int j = 0; j < hidden; j++) logits[c] += (double)fc2Weight[c * hidden + j] * h[j];
                }
            }

            var x1 = new double[channels * plane];
            for (int c = 0; c < channels; c++)
            {
                double s = Sigmoid(logits[c]);
                channelScale[b * channels + c] = s;
                for (int i = 0; i < plane; i++) x1[c * plane + i] = s * x[(b * channels + c) * plane + i];
            }

            var maps = new double[2, plane];
            for (int i = 0; i < plane; i++)
            {
                double sum = 0, max = double.NegativeInfinity;
                for (int c = 0; c < channels; c++)
                {
                    sum += x1[c * plane + i];
                    max = Math.Max(max, x1[c * plane + i]);
                }

                maps[0, i] = sum / channels;
                maps[1, i] = max;
            }

            for (int row = 0; row < height; row++)
            {
                for (int col = 0; col < width; col++)
                {
                    double sum = 0;
                    for (int m = 0; m < 2; m++)
                    {
                        for (int dy = 0; dy < k; dy++)
                        {
                            for (int dx = 0; dx < k; dx++)
                            {
                                int r = row + dy - pad, s = col + dx - pad;
                                if (r >= 0 && r < height && s >= 0 && s < width) sum += spatialWeight[(m * k + dy) * k + dx] * maps[m, r * width + s];
                            }
                        }
                    }

                    double gate = Sigmoid(sum);
                    spatialScale[b * plane + row * width + col] = gate;
                    for (int c = 0; c < channels; c++) y[(b * channels + c) * plane + row * width + col] = gate * x1[c * plane + row * width + col];
                }
            }
        }

        return y;
    }

    private static double[] Pool(float[] x, int b, int channels, int plane, bool useMax)
    {
        var pooled = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0, max = double.NegativeInfinity;
            for (int i = 0; i < plane; i++)
            {
                double v = x[(b * channels + c) * plane + i];
                sum += v;
                max = Math.Max(max, v);
            }

            pooled[c] = useMax ? max : sum / plane;
        }

        return pooled;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
