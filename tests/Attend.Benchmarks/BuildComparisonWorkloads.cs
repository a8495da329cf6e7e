using System;
using System.Globalization;
using System.Linq;

namespace Attend.Benchmarks;

/// <summary>
/// The workloads <see cref="BuildComparisonCommand"/> runs from each of two builds. It finds this class by name in the
/// other build's assembly, so keep its name and <see cref="Create"/>'s signature stable.
/// </summary>
public static class BuildComparisonWorkloads
{
    /// <summary>The names <see cref="Create"/> accepts, for the command's help.</summary>
    public const string Names = "decode, decode-bf16, self:LENGTH and self-causal:LENGTH (the inproc rows: 128, 512, 2048, 4096), projection:ROWSxINxOUT (e.g. projection:1x512x2048), projection-int8:…, projection-int8u8:… (int8 weights × byte activations), projection-bf16:…";

    /// <summary>
    /// One call of workload <paramref name="name"/> on <paramref name="threads"/> threads, set up (weights loaded,
    /// cache filled) before it returns; the same seed on both builds.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static Action Create(string name, int threads)
    {
        if (name is "decode" or "decode-bf16")
        {
            return Decode(name == "decode-bf16" ? KvCachePrecision.BFloat16 : KvCachePrecision.Float32, threads);
        }

        string[] parts = name.Split(':');
        if (parts.Length == 2 && parts[0] is "self" or "self-causal"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            && Shape.All.FirstOrDefault(s => s.QueryLength == length && !s.IsDecode && s.Causal == (parts[0] == "self-causal")) is { } shape)
        {
            var (weights, input, _, _) = Workload.RandomCase(shape);
            Workload workload = Workload.Create(shape, weights, input, null, null);
            workload.Threads = threads;
            return workload.Run;
        }

        if (parts.Length == 2 && ProjectionPrecision(parts[0]) is { } precision)
        {
            string[] sizes = parts[1].Split('x');
            if (sizes.Length == 3 && int.TryParse(sizes[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rows)
                && int.TryParse(sizes[1], NumberStyles.None, CultureInfo.InvariantCulture, out int inFeatures)
                && int.TryParse(sizes[2], NumberStyles.None, CultureInfo.InvariantCulture, out int outFeatures)
                && rows > 0 && inFeatures > 0 && outFeatures > 0)
            {
                var c = LowPrecisionData.Projection(rows, inFeatures, outFeatures, precision);
                return () => Kernels.ProjectionDriver.Forward(KernelPath.Auto, c.Input, rows, inFeatures, c.Weight, c.Bias, inFeatures, outFeatures, c.Output, outFeatures, threads);
            }
        }

        throw new ArgumentException($"Unknown workload '{name}'; expected one of: {Names}.", nameof(name));
    }

    private static WeightPrecision? ProjectionPrecision(string kind) => kind switch
    {
        "projection" => WeightPrecision.Float32,
        "projection-bf16" => WeightPrecision.BFloat16,
        "projection-int8" => WeightPrecision.Int8,
        "projection-int8u8" => WeightPrecision.Int8ByteActivations,
        _ => null,
    };

    /// <summary>The <c>inproc</c> decode row: one token through the causal E 512, H 8 layer's cache of 2047 positions.</summary>
    private static Action Decode(KvCachePrecision precision, int threads)
    {
        const int Cached = 2047;
        int width = CausalSelfAttention512.ModelDim;
        var random = new Random(20261207);
        float[] Uniform(int count, float scale)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
            return values;
        }

        var layer = new CausalSelfAttention512 { MaxDegreeOfParallelism = threads };
        float bound = 1f / MathF.Sqrt(width); // nn.MultiheadAttention's initialisation scale
        var weights = new WeightDictionary();
        weights.Add("in_proj_weight", Uniform(3 * width * width, bound), 3 * width, width);
        weights.Add("in_proj_bias", Uniform(3 * width, bound), 3 * width);
        weights.Add("out_proj.weight", Uniform(width * width, bound), width, width);
        weights.Add("out_proj.bias", Uniform(width, bound), width);
        layer.LoadWeights(weights);
        KvCache cache = layer.CreateKvCache(batch: 1, capacity: Cached + 1, precision);
        layer.Prefill(Uniform(Cached * width, 1f), new float[Cached * width], Cached, cache);
        float[] token = Uniform(width, 1f), output = new float[width];
        return () =>
        {
            cache.Reset();
            cache.Advance(Cached);
            layer.Forward(token, output, cache);
        };
    }
}
