using System;
using Attend;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

// Graph attention on a Cora-sized random graph, NTM heads, kernel regression and attention pooling, one thread,
// per instruction set.

[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4)] internal sealed partial class BenchGraphAttention;
[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4, Scoring = GraphAttentionScoring.GatV2)] internal sealed partial class BenchGraphAttentionV2;
[MemoryHeads(MemoryRows = 128, MemoryWidth = 20)] internal sealed partial class BenchMemoryHeads;
[NadarayaWatson(LearnableWidth = true)] internal sealed partial class BenchKernelRegression;
[AttentionPooling(Features = 128, HiddenDim = 64)] internal sealed partial class BenchAttentionPooling;

/// <summary>GAT and GATv2, 4 heads × 16 from 64 features, on 2 708 nodes with 5 random in-edges each plus self loops (Cora's node count).</summary>
public class GraphAttentionBenchmarks
{
    private const int Nodes = 2708, InDegree = 5;
    private readonly BenchGraphAttention _gat = new() { MaxDegreeOfParallelism = 1 };
    private readonly BenchGraphAttentionV2 _gatV2 = new() { MaxDegreeOfParallelism = 1 };
    private float[] _x = Array.Empty<float>(), _output = Array.Empty<float>();
    private int[] _edgeIndex = Array.Empty<int>();
    private GraphNeighbourhoods? _graph;

    [Params(KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _x = FamilyBenchmarkData.Random(random, Nodes * 64, 1);
        _output = new float[Nodes * BenchGraphAttention.OutputWidth];
        _edgeIndex = new int[2 * Nodes * InDegree];
        for (int e = 0; e < Nodes * InDegree; e++)
        {
            _edgeIndex[e] = random.Next(Nodes);
            _edgeIndex[Nodes * InDegree + e] = e / InDegree;
        }

        _graph = GraphNeighbourhoods.FromEdgeIndex(_edgeIndex, Nodes, addSelfLoops: true);
        _gat.LoadWeights(FamilyBenchmarkData.Weights(random, ("W.weight", new long[] { 64, 64 }), ("a", new long[] { 4, 32 })));
        _gatV2.LoadWeights(FamilyBenchmarkData.Weights(random, ("W.weight", new long[] { 64, 64 }), ("a", new long[] { 4, 16 })));
        _gat.Path = _gatV2.Path = Path;
    }

    [Benchmark]
    public void Gat() => _gat.Forward(_x, _graph!, _output);

    [Benchmark]
    public void GatFromEdgeList() => _gat.Forward(_x, _edgeIndex, _output, Nodes);

    [Benchmark]
    public void GatV2() => _gatV2.Forward(_x, _graph!, _output);
}

/// <summary>NTM addressing, read and write for 16 memories of 128 × 20 with one head; kernel regression 129 × 500; pooling 32 × 64 × 128.</summary>
public class MemoryAndPoolingBenchmarks
{
    private const int Batch = 16, Queries = 129, Keys = 500, Sequences = 32, Length = 64;
    private readonly BenchMemoryHeads _memory = new();
    private readonly BenchKernelRegression _regression = new();
    private readonly BenchAttentionPooling _pooling = new() { MaxDegreeOfParallelism = 1 };
    private float[] _memoryRows = Array.Empty<float>(), _key = Array.Empty<float>(), _strength = Array.Empty<float>(), _gate = Array.Empty<float>();
    private float[] _shift = Array.Empty<float>(), _sharpening = Array.Empty<float>(), _previous = Array.Empty<float>(), _weights = Array.Empty<float>();
    private float[] _reads = Array.Empty<float>(), _erase = Array.Empty<float>(), _add = Array.Empty<float>();
    private float[] _queries = Array.Empty<float>(), _keys = Array.Empty<float>(), _values = Array.Empty<float>(), _regressed = Array.Empty<float>();
    private float[] _sequences = Array.Empty<float>(), _pooled = Array.Empty<float>();

    [Params(KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        const int N = BenchMemoryHeads.MemoryRows, W = BenchMemoryHeads.MemoryWidth;
        _memoryRows = FamilyBenchmarkData.Random(random, Batch * N * W, 1);
        _key = FamilyBenchmarkData.Random(random, Batch * W, 1);
        _strength = new float[Batch];
        _gate = new float[Batch];
        _sharpening = new float[Batch];
        _shift = new float[Batch * BenchMemoryHeads.Shifts];
        _previous = new float[Batch * N];
        for (int b = 0; b < Batch; b++)
        {
            _strength[b] = 5f;
            _gate[b] = 0.7f;
            _sharpening[b] = 2f;
            _shift[b * BenchMemoryHeads.Shifts + 1] = 1f;
            _previous[b * N] = 1f;
        }

        _weights = new float[Batch * N];
        _reads = new float[Batch * W];
        _erase = FamilyBenchmarkData.Random(random, Batch * W, 0.5);
        for (int i = 0; i < _erase.Length; i++) _erase[i] += 0.5f; // in [0, 1], as after a sigmoid: repeated writes stay bounded
        _add = FamilyBenchmarkData.Random(random, Batch * W, 1);
        _queries = FamilyBenchmarkData.Random(random, Queries, 2.5);
        _keys = FamilyBenchmarkData.Random(random, Keys, 2.5);
        _values = FamilyBenchmarkData.Random(random, Keys, 2);
        _regressed = new float[Queries];
        _regression.LoadWeights(FamilyBenchmarkData.Weights(random, ("w", new long[] { 1 })));
        _sequences = FamilyBenchmarkData.Random(random, Sequences * Length * 128, 1);
        _pooled = new float[Sequences * 128];
        _pooling.LoadWeights(FamilyBenchmarkData.Weights(random, ("proj.weight", new long[] { 64, 128 }), ("proj.bias", new long[] { 64 }), ("context.weight", new long[] { 1, 64 })));
        _memory.Path = _regression.Path = _pooling.Path = Path;
    }

    [Benchmark]
    public void MemoryAddressReadWrite()
    {
        _memory.Address(_memoryRows, _key, _strength, _gate, _shift, _sharpening, _previous, _weights, Batch);
        _memory.Read(_memoryRows, _weights, _reads, Batch);
        _memory.Write(_memoryRows, _weights, _erase, _add, Batch);
    }

    [Benchmark]
    public void KernelRegression() => _regression.Forward(_queries, _keys, _values, _regressed, Queries, Keys);

    [Benchmark]
    public void AttentionPooling() => _pooling.Forward(_sequences, _pooled, Sequences, Length);
}
