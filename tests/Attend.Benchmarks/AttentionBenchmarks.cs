using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>
/// MHA self-attention forward, float32, batch 1, every row of the issue at 1 and 2 threads. The GFLOP/s and % of
/// peak columns come from the row's FLOP count and the FMA peak this process measures (see <see cref="PeakColumns"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PeakColumns.Config))]
public class AttentionBenchmarks
{
    private Workload _workload = null!;

    [ParamsSource(nameof(Rows))]
    public Shape Row { get; set; } = Shape.All[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<Shape> Rows() => Shape.All;

    [GlobalSetup]
    public void Setup()
    {
        (WeightDictionary weights, float[] input, float[]? pastKey, float[]? pastValue) = Workload.RandomCase(Row);
        _workload = Workload.Create(Row, weights, input, pastKey, pastValue);
        _workload.Threads = Threads;
    }

    [Benchmark]
    public void Forward() => _workload.Run();
}
