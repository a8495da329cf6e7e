using System;
using System.Collections.Generic;

namespace Attend.Tests.Blocks;

/// <summary>What a reference encoder stack computes; mirrors the <c>[TransformerEncoder]</c> options (torch.nn naming).</summary>
internal sealed record ReferenceOptions(
    int ModelDim, int Heads, int KvHeads, int DimHead, int MlpDim, int Depth,
    bool PreNorm = false, string Activation = "relu", bool Causal = false, int Window = 0, string Positions = "none",
    int MaxLength = 0, int RotaryDim = 0, double RotaryBase = 10000, int GridHeight = 0, int GridWidth = 0, bool FinalNorm = false)
{
    public int InnerDim => Heads * DimHead;

    public int KvInnerDim => KvHeads * DimHead;

    public int QkvWidth => InnerDim + 2 * KvInnerDim;

    public int RelativeRows => Positions == "relative1d" ? 2 * MaxLength - 1 : (2 * GridHeight - 1) * (2 * GridWidth - 1);
}

/// <summary>
/// A plain float64 encoder stack written from the formulas (not from the generated code): the reference for the
/// options PyTorch has no module for — rotary, ALiBi, relative biases, grouped-query heads, sliding windows.
/// </summary>
internal static class ReferenceEncoder
{
    private const double Epsilon = 1e-5;

    /// <summary>Seeded random weights under torch.nn names: weights ~ U(±1/√fan_in), biases U(±0.5), norm scales U(0.5, 1.5).</summary>
    public static WeightDictionary RandomWeights(ReferenceOptions o, int seed)
    {
        var random = new Random(seed);
        var weights = new WeightDictionary();
        void Add(string name, double range, double center, params long[] shape)
        {
            long count = 1;
            foreach (long d in shape) count *= d;
            float[] data = new float[count];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(center + range * (2 * random.NextDouble() - 1));
            weights.Add(name, data, shape);
        }

        int e = o.ModelDim;
        for (int l = 0; l < o.Depth; l++)
        {
            string p = $"layers.{l}.";
            Add(p + "self_attn.in_proj_weight", 1 / Math.Sqrt(e), 0, o.QkvWidth, e);
            Add(p + "self_attn.in_proj_bias", 0.5, 0, o.QkvWidth);
            Add(p + "self_attn.out_proj.weight", 1 / Math.Sqrt(o.InnerDim), 0, e, o.InnerDim);
            Add(p + "self_attn.out_proj.bias", 0.5, 0, e);
            if (o.Positions is "relative1d" or "relative2d") Add(p + "self_attn.relative_position_bias_table", 1, 0, o.RelativeRows, o.Heads);
            Add(p + "linear1.weight", 1 / Math.Sqrt(e), 0, o.MlpDim, e);
            Add(p + "linear1.bias", 0.5, 0, o.MlpDim);
            Add(p + "linear2.weight", 1 / Math.Sqrt(o.MlpDim), 0, e, o.MlpDim);
            Add(p + "linear2.bias", 0.5, 0, e);
            Add(p + "norm1.weight", 0.5, 1, e);
            Add(p + "norm1.bias", 0.5, 0, e);
            Add(p + "norm2.weight", 0.5, 1, e);
            Add(p + "norm2.bias", 0.5, 0, e);
        }

        if (o.FinalNorm)
        {
            Add("norm.weight", 0.5, 1, e);
            Add("norm.bias", 0.5, 0, e);
        }

        if (o.Positions == "learned") Add("pos_embedding.weight", 1, 0, o.MaxLength, e);
        return weights;
    }

    /// <summary>Seeded inputs U(±1).</summary>
    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * random.NextDouble() - 1);
        return x;
    }

    public static double[] Forward(ReferenceOptions o, IWeightSource w, float[] input, int batch, int length)
    {
        int e = o.ModelDim;
        double[] x = Array.ConvertAll(input, v => (double)v);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < length; t++)
            {
                for (int f = 0; f < e; f++) x[(b * length + t) * e + f] += InputPosition(o, w, t, f);
            }
        }

        for (int l = 0; l < o.Depth; l++)
        {
            string p = $"layers.{l}.";
            double[] attention = Attention(o, w, p, o.PreNorm ? Norm(x, w, p + "norm1", e) : x, batch, length);
            x = o.PreNorm ? Add(x, attention) : Norm(Add(x, attention), w, p + "norm1", e);
            double[] feedForward = FeedForward(o, w, p, o.PreNorm ? Norm(x, w, p + "norm2", e) : x);
            x = o.PreNorm ? Add(x, feedForward) : Norm(Add(x, feedForward), w, p + "norm2", e);
        }

        return o.FinalNorm ? Norm(x, w, "norm", e) : x;
    }

    /// <summary>The multi-head attention of one layer (projections included) over <c>[batch, length, ModelDim]</c>.</summary>
    public static double[] Attention(ReferenceOptions o, IWeightSource w, string p, double[] x, int batch, int length)
    {
        int e = o.ModelDim, d = o.DimHead;
        double[] qkv = Linear(x, Read(w, p + "self_attn.in_proj_weight"), Read(w, p + "self_attn.in_proj_bias"), e, o.QkvWidth);
        if (o.Positions is "rotary_half" or "rotary_interleaved")
        {
            for (int r = 0; r < batch * length; r++)
            {
                int position = r % length;
                for (int h = 0; h < o.Heads; h++) Rotate(o, qkv, r * o.QkvWidth + h * d, position);
                for (int h = 0; h < o.KvHeads; h++) Rotate(o, qkv, r * o.QkvWidth + o.InnerDim + h * d, position);
            }
        }

        float[]? table = o.Positions is "relative1d" or "relative2d" ? Read(w, p + "self_attn.relative_position_bias_table") : null;
        double[] context = new double[batch * length * o.InnerDim];
        double scale = 1 / Math.Sqrt(d);
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < o.Heads; h++)
            {
                int kvHead = h / (o.Heads / o.KvHeads);
                for (int i = 0; i < length; i++)
                {
                    var scores = new double[length];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < length; j++)
                    {
                        if (!Visible(o, i, j)) { scores[j] = double.NegativeInfinity; continue; }
                        double dot = 0;
                        for (int f = 0; f < d; f++) dot += qkv[(b * length + i) * o.QkvWidth + h * d + f] * qkv[(b * length + j) * o.QkvWidth + o.InnerDim + kvHead * d + f];
                        scores[j] = scale * dot + ScoreBias(o, table, h, i, j);
                        max = Math.Max(max, scores[j]);
                    }

                    double sum = 0;
                    for (int j = 0; j < length; j++) sum += scores[j] = Math.Exp(scores[j] - max);
                    for (int f = 0; f < d; f++)
                    {
                        double acc = 0;
                        for (int j = 0; j < length; j++) acc += scores[j] / sum * qkv[(b * length + j) * o.QkvWidth + o.InnerDim + o.KvInnerDim + kvHead * d + f];
                        context[(b * length + i) * o.InnerDim + h * d + f] = acc;
                    }
                }
            }
        }

        return Linear(context, Read(w, p + "self_attn.out_proj.weight"), Read(w, p + "self_attn.out_proj.bias"), o.InnerDim, e);
    }

    private static bool Visible(ReferenceOptions o, int i, int j)
    {
        if (o.Causal && j > i) return false;
        if (o.Window > 0 && (j <= i - o.Window || j >= i + o.Window)) return false;
        return true;
    }

    private static double ScoreBias(ReferenceOptions o, float[]? table, int h, int i, int j)
    {
        switch (o.Positions)
        {
            case "alibi":
                return -AlibiSlope(h, o.Heads) * Math.Abs(i - j);
            case "relative1d":
                return table![(i - j + o.MaxLength - 1) * o.Heads + h];
            case "relative2d":
                int dr = i / o.GridWidth - j / o.GridWidth, dc = i % o.GridWidth - j % o.GridWidth;
                return table![((dr + o.GridHeight - 1) * (2 * o.GridWidth - 1) + dc + o.GridWidth - 1) * o.Heads + h];
            default:
                return 0;
        }
    }

    /// <summary>Press et al.: 2^(−8(h+1)/n) for a power of two n; otherwise the closest power's slopes, then every other slope of twice as many.</summary>
    private static double AlibiSlope(int h, int heads)
    {
        int n = 1;
        while (n * 2 <= heads) n *= 2;
        return h < n ? Math.Pow(2, -8.0 * (h + 1) / n) : Math.Pow(2, -8.0 * (2 * (h - n) + 1) / (2 * n));
    }

    private static void Rotate(ReferenceOptions o, double[] v, int start, int position)
    {
        int rd = o.RotaryDim, half = rd / 2;
        for (int i = 0; i < half; i++)
        {
            double angle = position * Math.Pow(o.RotaryBase, -2.0 * i / rd);
            int a = o.Positions == "rotary_interleaved" ? start + 2 * i : start + i;
            int b = o.Positions == "rotary_interleaved" ? start + 2 * i + 1 : start + i + half;
            double x1 = v[a], x2 = v[b];
            v[a] = x1 * Math.Cos(angle) - x2 * Math.Sin(angle);
            v[b] = x2 * Math.Cos(angle) + x1 * Math.Sin(angle);
        }
    }

    private static double InputPosition(ReferenceOptions o, IWeightSource w, int t, int f)
    {
        if (o.Positions == "sinusoidal")
        {
            double angle = t / Math.Pow(10000, (f - f % 2) / (double)o.ModelDim);
            return f % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
        }

        return o.Positions == "learned" ? Read(w, "pos_embedding.weight")[t * o.ModelDim + f] : 0;
    }

    private static double[] FeedForward(ReferenceOptions o, IWeightSource w, string p, double[] x)
    {
        double[] hidden = Linear(x, Read(w, p + "linear1.weight"), Read(w, p + "linear1.bias"), o.ModelDim, o.MlpDim);
        for (int i = 0; i < hidden.Length; i++) hidden[i] = Activate(o.Activation, hidden[i]);
        return Linear(hidden, Read(w, p + "linear2.weight"), Read(w, p + "linear2.bias"), o.MlpDim, o.ModelDim);
    }

    public static double Activate(string activation, double x) => activation switch
    {
        "gelu" => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        "gelu_tanh" => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        _ => Math.Max(x, 0),
    };

    /// <summary>erf in double: its Maclaurin series for |x| ≤ 2.5, else 1 − erfc from the continued fraction.</summary>
    public static double Erf(double x)
    {
        double z = Math.Abs(x);
        double result;
        if (z <= 2.5)
        {
            double term = z, sum = z;
            for (int n = 1; n < 80; n++)
            {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }

            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double fraction = 0;
            for (int k = 80; k >= 1; k--) fraction = k / 2.0 / (z + fraction);
            result = 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / (z + fraction);
        }

        return x < 0 ? -result : result;
    }

    private static double[] Norm(double[] x, IWeightSource w, string name, int e)
    {
        float[] gamma = Read(w, name + ".weight"), beta = Read(w, name + ".bias");
        double[] y = new double[x.Length];
        for (int r = 0; r < x.Length / e; r++)
        {
            double mean = 0, variance = 0;
            for (int f = 0; f < e; f++) mean += x[r * e + f] / e;
            for (int f = 0; f < e; f++) variance += (x[r * e + f] - mean) * (x[r * e + f] - mean) / e;
            for (int f = 0; f < e; f++) y[r * e + f] = (x[r * e + f] - mean) / Math.Sqrt(variance + Epsilon) * gamma[f] + beta[f];
        }

        return y;
    }

    private static double[] Linear(double[] x, float[] weight, float[] bias, int inFeatures, int outFeatures)
    {
        int rows = x.Length / inFeatures;
        double[] y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int n = 0; n < outFeatures; n++)
            {
                double acc = bias[n];
                for (int k = 0; k < inFeatures; k++) acc += x[r * inFeatures + k] * weight[n * inFeatures + k];
                y[r * outFeatures + n] = acc;
            }
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b)
    {
        double[] y = new double[a.Length];
        for (int i = 0; i < a.Length; i++) y[i] = a[i] + b[i];
        return y;
    }

    private static readonly Dictionary<(IWeightSource, string), float[]> s_cache = new();

    private static float[] Read(IWeightSource w, string name)
    {
        lock (s_cache)
        {
            if (s_cache.TryGetValue((w, name), out float[]? cached)) return cached;
            w.TryGetInfo(name, out TensorInfo info);
            float[] data = new float[info.ElementCount];
            w.ReadFloat32(name, data);
            s_cache[(w, name)] = data;
            return data;
        }
    }
}
