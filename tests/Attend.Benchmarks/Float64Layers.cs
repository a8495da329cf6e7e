using System;

namespace Attend.Benchmarks;

/// <summary>
/// The layers of the float64 references the peer commands check every engine against, written plainly from float32
/// weights: a PyTorch <c>nn.Linear</c> row, <c>nn.LayerNorm</c> (ε 1e-5) and exact (erf) GELU.
/// </summary>
internal static class Float64Layers
{
    /// <summary><c>weight [outFeatures, input.Length] · input + bias</c>; no bias when <paramref name="bias"/> is null.</summary>
    public static double[] Linear(double[] input, float[] weight, float[]? bias, int outFeatures)
    {
        var output = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            double sum = bias is null ? 0 : bias[o];
            for (int i = 0; i < input.Length; i++) sum += weight[o * input.Length + i] * input[i];
            output[o] = sum;
        }

        return output;
    }

    public static double[] LayerNorm(double[] x, float[] scale, float[] shift)
    {
        double mean = 0, variance = 0;
        foreach (double v in x) mean += v / x.Length;
        foreach (double v in x) variance += (v - mean) * (v - mean) / x.Length;
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = (x[i] - mean) / Math.Sqrt(variance + 1e-5) * scale[i] + shift[i];
        return y;
    }

    /// <summary><c>x · Φ(x) = x/2 · (1 + erf(x/√2))</c>, PyTorch's default GELU.</summary>
    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>
    /// erf to double precision: its Maclaurin series for |x| ≤ 3 (terms shrink below 1e-17 relative before 60), the
    /// continued fraction of erfc beyond (.NET has no erf).
    /// </summary>
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        if (a <= 3)
        {
            double term = a, sum = a, square = a * a;
            for (int n = 1; n < 100 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -square / n;
                sum += term / (2 * n + 1);
            }

            return Math.Sign(x) * sum * 2 / Math.Sqrt(Math.PI);
        }

        // erfc(a) = exp(−a²)/√π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + 2/(a + …))))), evaluated from the tail.
        double fraction = a;
        for (int k = 60; k >= 1; k--) fraction = a + k / 2.0 / fraction;
        double complement = Math.Exp(-a * a) / Math.Sqrt(Math.PI) / fraction;
        return Math.Sign(x) * (1 - complement);
    }
}
