using System;
using Attend;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

// Channel/spatial attention on a ResNet-stage-sized map and score attention on a small encoder-decoder
// batch, one thread, per instruction set. peers/family_torch.py times PyTorch on the same shapes.

[SqueezeExcitation(Channels = 256, Reduction = 16)] internal sealed partial class BenchSqueezeExcitation;
[EfficientChannelAttention(Channels = 256)] internal sealed partial class BenchEfficientChannelAttention;
[ConvBlockAttention(Channels = 256, Reduction = 16)] internal sealed partial class BenchConvBlockAttention;
[Attention(Score = AttentionScore.Additive, QuerySize = 256, Hidden = 128)] internal sealed partial class BenchAdditiveAttention;
[Attention(Score = AttentionScore.General, QuerySize = 256)] internal sealed partial class BenchGeneralAttention;
[Attention(Score = AttentionScore.Dot, QuerySize = 256)] internal sealed partial class BenchDotAttention;

/// <summary>SE, ECA and CBAM on <c>[8, 256, 14, 14]</c>.</summary>
public class ChannelAttentionBenchmarks
{
    private const int Batch = 8, Channels = 256, Height = 14, Width = 14;
    private readonly BenchSqueezeExcitation _se = new() { MaxDegreeOfParallelism = 1 };
    private readonly BenchEfficientChannelAttention _eca = new() { MaxDegreeOfParallelism = 1 };
    private readonly BenchConvBlockAttention _cbam = new() { MaxDegreeOfParallelism = 1 };
    private float[] _input = Array.Empty<float>();
    private float[] _output = Array.Empty<float>();

    [Params(KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _input = FamilyBenchmarkData.Random(random, Batch * Channels * Height * Width, 1);
        _output = new float[_input.Length];
        _se.LoadWeights(FamilyBenchmarkData.Weights(random, ("fc1.weight", new long[] { 16, 256, 1, 1 }), ("fc1.bias", new long[] { 16 }), ("fc2.weight", new long[] { 256, 16, 1, 1 }), ("fc2.bias", new long[] { 256 })));
        _eca.LoadWeights(FamilyBenchmarkData.Weights(random, ("conv.weight", new long[] { 1, 1, BenchEfficientChannelAttention.KernelSize })));
        _cbam.LoadWeights(FamilyBenchmarkData.Weights(random, ("ca.fc.0.weight", new long[] { 16, 256, 1, 1 }), ("ca.fc.2.weight", new long[] { 256, 16, 1, 1 }), ("sa.conv1.weight", new long[] { 1, 2, 7, 7 })));
        _se.Path = _eca.Path = _cbam.Path = Path;
    }

    [Benchmark]
    public void SqueezeExcitation() => _se.Forward(_input, _output, Batch, Height, Width);

    [Benchmark]
    public void EfficientChannelAttention() => _eca.Forward(_input, _output, Batch, Height, Width);

    [Benchmark]
    public void ConvBlockAttention() => _cbam.Forward(_input, _output, Batch, Height, Width);
}

/// <summary>Additive, general and dot score attention: batch 8, 32 queries over 128 keys, 256 features, hidden 128.</summary>
public class ScoreAttentionBenchmarks
{
    private const int Batch = 8, QueryLength = 32, KeyLength = 128, Size = 256;
    private readonly BenchAdditiveAttention _additive = new() { MaxDegreeOfParallelism = 1 };
    private readonly BenchGeneralAttention _general = new() { MaxDegreeOfParallelism = 1 };
    private readonly BenchDotAttention _dot = new() { MaxDegreeOfParallelism = 1 };
    private float[] _queries = Array.Empty<float>(), _keys = Array.Empty<float>(), _values = Array.Empty<float>(), _output = Array.Empty<float>();

    [Params(KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        _queries = FamilyBenchmarkData.Random(random, Batch * QueryLength * Size, 1);
        _keys = FamilyBenchmarkData.Random(random, Batch * KeyLength * Size, 1);
        _values = FamilyBenchmarkData.Random(random, Batch * KeyLength * Size, 1);
        _output = new float[Batch * QueryLength * Size];
        _additive.LoadWeights(FamilyBenchmarkData.Weights(random, ("W_q.weight", new long[] { 128, 256 }), ("W_k.weight", new long[] { 128, 256 }), ("w_v.weight", new long[] { 1, 128 })));
        _general.LoadWeights(FamilyBenchmarkData.Weights(random, ("W_a.weight", new long[] { 256, 256 })));
        _additive.Path = _general.Path = _dot.Path = Path;
    }

    [Benchmark]
    public void Additive() => _additive.Forward(_queries, _keys, _values, _output, Batch, QueryLength, KeyLength);

    [Benchmark]
    public void General() => _general.Forward(_queries, _keys, _values, _output, Batch, QueryLength, KeyLength);

    [Benchmark]
    public void Dot() => _dot.Forward(_queries, _keys, _values, _output, Batch, QueryLength, KeyLength);
}

internal static class FamilyBenchmarkData
{
    public static float[] Random(Random random, int length, double scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    /// <summary>Weights uniform in ±1/sqrt(fan-in), as PyTorch initializes them.</summary>
    public static WeightDictionary Weights(Random random, params (string Name, long[] Shape)[] tensors)
    {
        var weights = new WeightDictionary();
        foreach ((string name, long[] shape) in tensors)
        {
            long count = 1, fanIn = 1;
            for (int d = 0; d < shape.Length; d++)
            {
                count *= shape[d];
                if (d > 0) fanIn *= shape[d];
            }

            weights.Add(name, Random(random, (int)count, 1 / Math.Sqrt(fanIn)), shape);
        }

        return weights;
    }
}
