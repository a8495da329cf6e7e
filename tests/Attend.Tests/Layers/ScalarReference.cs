using System;

namespace Attend.Tests.Layers;

/// <summary>
/// Plain float64 attention, written for clarity rather than speed: the reference the generated layers are compared with
/// in <see cref="DifferentialTests"/>. Inputs are the float32 values the layer sees; every sum runs in double.
/// </summary>
internal static class ScalarReference
{
    /// <summary>Whether query row <c>i</c> of head <c>h</c> in batch <c>b</c> may attend to key <c>j</c>.</summary>
    public delegate bool Allowed(int b, int h, int i, int j);

    /// <summary>
    /// Softmax attention over dense <c>[B, Hq, Sq, D]</c> queries, <c>[B, Hkv, T, D]</c> keys and <c>[B, Hkv, T, Dv]</c>
    /// values; query head <c>h</c> reads key/value head <c>h / (Hq / Hkv)</c>. A row with no allowed key is all zeros.
    /// </summary>
    /// <returns>The output <c>[B, Hq, Sq, Dv]</c>, the probabilities <c>[B, Hq, Sq, T]</c> and which rows had no key.</returns>
    public static ReferenceResult Attention(
        float[] query, float[] key, float[] value, int batch, int heads, int kvHeads, int queryLength, int keyLength,
        int dimHead, int valueDimHead, double scale, Allowed? allowed = null)
    {
        var output = new double[batch * heads * queryLength * valueDimHead];
        var probabilities = new double[batch * heads * queryLength * keyLength];
        var emptyRows = new bool[batch * heads * queryLength];
        var scores = new double[keyLength];
        int group = heads / kvHeads;
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                int kv = h / group;
                for (int i = 0; i < queryLength; i++)
                {
                    int q0 = ((b * heads + h) * queryLength + i) * dimHead;
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < keyLength; j++)
                    {
                        if (allowed != null && !allowed(b, h, i, j))
                        {
                            scores[j] = double.NegativeInfinity;
                            continue;
                        }

                        int k0 = ((b * kvHeads + kv) * keyLength + j) * dimHead;
                        double dot = 0;
                        for (int d = 0; d < dimHead; d++)
                        {
                            dot += (double)query[q0 + d] * key[k0 + d];
                        }

                        scores[j] = scale * dot;
                        max = Math.Max(max, scores[j]);
                    }

                    int row = (b * heads + h) * queryLength + i;
                    if (double.IsNegativeInfinity(max))
                    {
                        emptyRows[row] = true;
                        continue; // every key masked: zeros (already)
                    }

                    double sum = 0;
                    for (int j = 0; j < keyLength; j++)
                    {
                        scores[j] = double.IsNegativeInfinity(scores[j]) ? 0 : Math.Exp(scores[j] - max);
                        sum += scores[j];
                    }

                    for (int j = 0; j < keyLength; j++)
                    {
                        double p = scores[j] / sum;
                        probabilities[row * keyLength + j] = p;
                        if (p == 0)
                        {
                            continue;
                        }

                        int v0 = ((b * kvHeads + kv) * keyLength + j) * valueDimHead;
                        for (int d = 0; d < valueDimHead; d++)
                        {
                            output[row * valueDimHead + d] += p * value[v0 + d];
                        }
                    }
                }
            }
        }

        return new ReferenceResult(output, probabilities, emptyRows);
    }

    /// <summary>
    /// <c>torch.nn.MultiheadAttention(batch_first=True)</c> with <see cref="MhaWeights"/>: project query, key and value,
    /// attend per head (causal top-left aligned, padded keys ignored), project the concatenated heads out.
    /// <paramref name="key"/> null means self-attention (key = value = query); <paramref name="value"/> null means value = key.
    /// </summary>
    /// <returns>The output <c>[B, Sq, ModelDim]</c>, the per-head probabilities <c>[B, H, Sq, T]</c> and which (b, h, i) rows had no key.</returns>
    public static ReferenceResult MultiHead(
        MhaDeclaration layer, MhaWeights weights, float[] query, float[]? key, float[]? value, int batch, int queryLength, int keyLength,
        bool[]? keyPaddingMask)
    {
        int inner = layer.InnerDim;
        float[] keySource = key ?? query;
        float[] valueSource = value ?? keySource;
        int keyDim = key == null ? layer.ModelDim : layer.KeyDim;
        int valueDim = value == null ? keyDim : layer.ValueDim;

        double[] q = Linear(query, batch * queryLength, layer.ModelDim, weights.QueryWeight, weights.QueryBias, inner);
        double[] k = Linear(keySource, batch * keyLength, keyDim, weights.KeyWeight, weights.KeyBias, inner);
        double[] v = Linear(valueSource, batch * keyLength, valueDim, weights.ValueWeight, weights.ValueBias, inner);

        // The projections stay [B, S, H·D] in double; head h of row s is the slice [h·D, (h+1)·D).
        double scale = layer.Scale == 0 ? 1.0 / Math.Sqrt(layer.DimHead) : layer.Scale;
        var probabilities = new double[batch * layer.Heads * queryLength * keyLength];
        var context = new double[batch * queryLength * inner];
        var emptyRows = new bool[batch * layer.Heads * queryLength];
        var scores = new double[keyLength];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < layer.Heads; h++)
            {
                for (int i = 0; i < queryLength; i++)
                {
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < keyLength; j++)
                    {
                        bool masked = (layer.Causal && j > i) || (keyPaddingMask != null && keyPaddingMask[b * keyLength + j]);
                        if (masked)
                        {
                            scores[j] = double.NegativeInfinity;
                            continue;
                        }

                        int q0 = (b * queryLength + i) * inner + h * layer.DimHead;
                        int k0 = (b * keyLength + j) * inner + h * layer.DimHead;
                        double dot = 0;
                        for (int d = 0; d < layer.DimHead; d++)
                        {
                            dot += q[q0 + d] * k[k0 + d];
                        }

                        scores[j] = scale * dot;
                        max = Math.Max(max, scores[j]);
                    }

                    if (double.IsNegativeInfinity(max))
                    {
                        emptyRows[(b * layer.Heads + h) * queryLength + i] = true;
                        continue; // every key masked: the head contributes zeros
                    }

                    double sum = 0;
                    for (int j = 0; j < keyLength; j++)
                    {
                        scores[j] = double.IsNegativeInfinity(scores[j]) ? 0 : Math.Exp(scores[j] - max);
                        sum += scores[j];
                    }

                    for (int j = 0; j < keyLength; j++)
                    {
                        double p = scores[j] / sum;
                        probabilities[((b * layer.Heads + h) * queryLength + i) * keyLength + j] = p;
                        if (p == 0)
                        {
                            continue;
                        }

                        int c0 = (b * queryLength + i) * inner + h * layer.DimHead;
                        int v0 = (b * keyLength + j) * inner + h * layer.DimHead;
                        for (int d = 0; d < layer.DimHead; d++)
                        {
                            context[c0 + d] += p * v[v0 + d];
                        }
                    }
                }
            }
        }

        double[] output = Linear(context, batch * queryLength, inner, weights.OutputWeight, weights.OutputBias, layer.ModelDim);
        return new ReferenceResult(output, probabilities, emptyRows);
    }

    /// <summary><c>y = x Wᵀ + b</c> with <c>W</c> <c>[outFeatures, inFeatures]</c> row-major, in double.</summary>
    private static double[] Linear(float[] input, int rows, int inFeatures, float[] weight, float[]? bias, int outFeatures)
    {
        var wide = new double[input.Length];
        for (int n = 0; n < wide.Length; n++)
        {
            wide[n] = input[n];
        }

        return Linear(wide, rows, inFeatures, weight, bias, outFeatures);
    }

    private static double[] Linear(double[] input, int rows, int inFeatures, float[] weight, float[]? bias, int outFeatures)
    {
        var output = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = bias == null ? 0 : bias[o];
                for (int f = 0; f < inFeatures; f++)
                {
                    sum += input[r * inFeatures + f] * weight[o * inFeatures + f];
                }

                output[r * outFeatures + o] = sum;
            }
        }

        return output;
    }
}

/// <summary>A reference result: the output, the probabilities <c>[B, H, Sq, T]</c> and, per (b, h, i), whether every key was masked.</summary>
internal sealed record ReferenceResult(double[] Output, double[] Probabilities, bool[] EmptyRows);

/// <summary>
/// Random weights for one declared MHA layer, as the arrays the reference uses and as the <see cref="WeightDictionary"/>
/// (PyTorch <c>state_dict</c> names and shapes) the layer loads.
/// </summary>
internal sealed class MhaWeights
{
    private MhaWeights(MhaDeclaration layer, Random random)
    {
        int inner = layer.InnerDim;
        QueryWeight = Uniform(random, inner * layer.ModelDim, 1 / Math.Sqrt(layer.ModelDim));
        KeyWeight = Uniform(random, inner * layer.KeyDim, 1 / Math.Sqrt(layer.KeyDim));
        ValueWeight = Uniform(random, inner * layer.ValueDim, 1 / Math.Sqrt(layer.ValueDim));
        OutputWeight = Uniform(random, layer.ModelDim * inner, 1 / Math.Sqrt(inner));
        if (layer.Bias)
        {
            InputBias = Uniform(random, 3 * inner, 0.5);
            OutputBias = Uniform(random, layer.ModelDim, 0.5);
        }
    }

    public float[] QueryWeight { get; }
    public float[] KeyWeight { get; }
    public float[] ValueWeight { get; }
    public float[] OutputWeight { get; }
    public float[]? InputBias { get; }
    public float[]? OutputBias { get; }
    public float[]? QueryBias => InputBias?[..(InputBias.Length / 3)];
    public float[]? KeyBias => InputBias?[(InputBias.Length / 3)..(2 * InputBias.Length / 3)];
    public float[]? ValueBias => InputBias?[(2 * InputBias.Length / 3)..];

    public static MhaWeights Random(MhaDeclaration layer, int seed) => new(layer, new Random(seed));

    /// <summary>The weights under PyTorch's names (packed <c>in_proj_weight</c> when kdim = vdim = embed_dim).</summary>
    public WeightDictionary ToSource(MhaDeclaration layer, string prefix = "")
    {
        var source = new WeightDictionary();
        foreach ((string name, float[] data, long[] shape) in Tensors(layer, prefix))
        {
            source.Add(name, data, shape);
        }

        return source;
    }

    /// <summary>Each tensor's <c>state_dict</c> name, values and shape, in the order PyTorch lists them.</summary>
    public (string Name, float[] Data, long[] Shape)[] Tensors(MhaDeclaration layer, string prefix = "")
    {
        int inner = layer.InnerDim;
        var tensors = new System.Collections.Generic.List<(string, float[], long[])>();
        if (layer.PackedProjection)
        {
            tensors.Add((prefix + "in_proj_weight", [.. QueryWeight, .. KeyWeight, .. ValueWeight], [3 * inner, layer.ModelDim]));
        }
        else
        {
            tensors.Add((prefix + "q_proj_weight", QueryWeight, [inner, layer.ModelDim]));
            tensors.Add((prefix + "k_proj_weight", KeyWeight, [inner, layer.KeyDim]));
            tensors.Add((prefix + "v_proj_weight", ValueWeight, [inner, layer.ValueDim]));
        }

        if (InputBias != null)
        {
            tensors.Add((prefix + "in_proj_bias", InputBias, [3 * inner]));
        }

        tensors.Add((prefix + "out_proj.weight", OutputWeight, [layer.ModelDim, inner]));
        if (OutputBias != null)
        {
            tensors.Add((prefix + "out_proj.bias", OutputBias, [layer.ModelDim]));
        }

        return tensors.ToArray();
    }

    /// <summary><paramref name="count"/> values uniform in <c>[−bound, bound)</c>.</summary>
    public static float[] Uniform(Random random, int count, double bound)
    {
        var data = new float[count];
        for (int n = 0; n < count; n++)
        {
            data[n] = (float)((random.NextDouble() * 2 - 1) * bound);
        }

        return data;
    }
}
