using System;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>
/// One decode step through the API a user calls: causal <c>[MultiHeadAttention]</c> (E = 512, H = 8) with 2047 tokens in
/// its KV cache, the cache rewound (<c>Reset</c> + <c>Advance</c>) before each one-token <c>Forward</c>; float and
/// bfloat16 caches (8.4 and 4.2 MB read per step, plus 4.2 MB of projection weights), 1 and 2 threads.
/// </summary>
[MemoryDiagnoser]
public class KvCacheDecodeBenchmarks
{
    private const int Cached = 2047;

    private readonly CausalSelfAttention512 _layer = new();
    private KvCache _cache = null!;
    private float[] _token = null!;
    private float[] _output = null!;

    [Params(KvCachePrecision.Float32, KvCachePrecision.BFloat16)]
    public KvCachePrecision Precision { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int e = CausalSelfAttention512.ModelDim;
        (WeightDictionary weights, _, _, _) = Workload.RandomCase(Shape.All[0]); // the decode row: E = 512, H = 8
        _layer.LoadWeights(weights);
        _layer.MaxDegreeOfParallelism = Threads;
        var random = new Random(7);
        float[] prompt = new float[Cached * e];
        for (int i = 0; i < prompt.Length; i++) prompt[i] = (float)(random.NextDouble() * 2 - 1);
        _cache = _layer.CreateKvCache(1, Cached + 1, Precision);
        _layer.Prefill(prompt, new float[prompt.Length], Cached, _cache);
        _token = prompt.AsSpan(0, e).ToArray();
        _output = new float[e];
    }

    [Benchmark]
    public void DecodeStep()
    {
        _cache.Reset();
        _cache.Advance(Cached);
        _layer.Forward(_token, _output, _cache);
    }
}
