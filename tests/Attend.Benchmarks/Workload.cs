using System;
using Attend.Kernels;

namespace Attend.Benchmarks;

/// <summary>
/// One benchmark row made runnable: a layer with its weights loaded, the input, the output buffer, and for the
/// decode step the KV cache. <see cref="Run"/> is one forward pass.
/// </summary>
public abstract class Workload
{
    protected Workload(Shape shape, float[] input)
    {
        Shape = shape;
        Input = input;
        Output = new float[shape.QueryLength * shape.ModelDim];
    }

    public Shape Shape { get; }

    public float[] Input { get; }

    public float[] Output { get; }

    /// <summary>Most threads a forward pass may use.</summary>
    public abstract int Threads { get; set; }

    /// <summary>One forward pass.</summary>
    public abstract void Run();

    /// <summary>Weights drawn as PyTorch's defaults would be (uniform ±1/√E), biases too, and an input in [−1, 1]; seeded.</summary>
    public static (WeightDictionary Weights, float[] Input, float[]? PastKey, float[]? PastValue) RandomCase(Shape shape, int seed = 1)
    {
        var random = new Random(seed);
        int e = shape.ModelDim;
        float bound = 1f / MathF.Sqrt(e);
        var weights = new WeightDictionary();
        weights.Add("in_proj_weight", Uniform(random, 3 * e * e, bound), 3 * e, e);
        weights.Add("in_proj_bias", Uniform(random, 3 * e, bound), 3 * e);
        weights.Add("out_proj.weight", Uniform(random, e * e, bound), e, e);
        weights.Add("out_proj.bias", Uniform(random, e, bound), e);
        float[] input = Uniform(random, shape.QueryLength * e, 1f);
        float[]? pastKey = null, pastValue = null;
        if (shape.IsDecode)
        {
            pastKey = Uniform(random, shape.PastLength * e, 1f);
            pastValue = Uniform(random, shape.PastLength * e, 1f);
        }

        return (weights, input, pastKey, pastValue);
    }

    /// <summary>The workload of <paramref name="shape"/> over the given weights (PyTorch names) and inputs.</summary>
    public static Workload Create(Shape shape, IWeightSource weights, float[] input, float[]? pastKey, float[]? pastValue)
    {
        if (shape.IsDecode)
        {
            return new DecodeWorkload(shape, weights, input, pastKey!, pastValue!);
        }

        switch (shape.ModelDim, shape.Heads, shape.Causal)
        {
            case (512, 8, false):
            {
                var layer = new SelfAttention512();
                layer.LoadWeights(weights);
                return new LayerWorkload(shape, input, (x, y, n) => layer.Forward(x, y, 1, n), t => layer.MaxDegreeOfParallelism = t);
            }

            case (512, 8, true):
            {
                var layer = new CausalSelfAttention512();
                layer.LoadWeights(weights);
                return new LayerWorkload(shape, input, (x, y, n) => layer.Forward(x, y, 1, n), t => layer.MaxDegreeOfParallelism = t);
            }

            case (256, 4, false):
            {
                var layer = new SelfAttention256();
                layer.LoadWeights(weights);
                return new LayerWorkload(shape, input, (x, y, n) => layer.Forward(x, y, 1, n), t => layer.MaxDegreeOfParallelism = t);
            }

            case (256, 4, true):
            {
                var layer = new CausalSelfAttention256();
                layer.LoadWeights(weights);
                return new LayerWorkload(shape, input, (x, y, n) => layer.Forward(x, y, 1, n), t => layer.MaxDegreeOfParallelism = t);
            }

            default:
                throw new ArgumentException($"No layer declared for E = {shape.ModelDim}, H = {shape.Heads}.");
        }
    }

    private static float[] Uniform(Random random, int length, float bound)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        }

        return values;
    }

    /// <summary>A generated <c>[MultiHeadAttention]</c> layer's Forward over the whole input (self-attention).</summary>
    private sealed class LayerWorkload : Workload
    {
        private readonly Action<float[], float[], int> _forward;
        private readonly Action<int> _setThreads;
        private int _threads;

        public LayerWorkload(Shape shape, float[] input, Action<float[], float[], int> forward, Action<int> setThreads)
            : base(shape, input)
        {
            _forward = forward;
            _setThreads = setThreads;
            Threads = 1;
        }

        public override int Threads
        {
            get => _threads;
            set
            {
                _threads = value;
                _setThreads(value);
            }
        }

        public override void Run() => _forward(Input, Output, Shape.QueryLength);
    }
}
