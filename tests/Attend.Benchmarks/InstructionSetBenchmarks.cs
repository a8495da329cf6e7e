using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Attend.Benchmarks;

/// <summary>
/// The causal E = 256, H = 4 layer over 2 × 129 tokens on one thread, on the path <see cref="KernelPath.Auto"/> takes
/// when the processor has AVX2 + FMA and when it has neither (SSE only, as in a NativeAOT binary built for x86-64-v2).
/// Exact FMA emulated in software once made the second row 35× slower than the first; it must stay within 4×.
/// </summary>
/// <remarks>
/// The processor is narrowed with the runtime's switches in each job's own process: <c>DOTNET_EnableAVX512=0</c> leaves
/// AVX2 + FMA (Vector256), <c>DOTNET_EnableAVX=0</c> removes AVX, AVX2 and FMA (Vector128, separate multiply and add).
/// </remarks>
[Config(typeof(Config))]
public class InstructionSetBenchmarks
{
    private const int Batch = 2;
    private const int Tokens = 129;
    private readonly CausalSelfAttention256 _layer = new();
    private float[] _input = null!;
    private float[] _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        (WeightDictionary weights, float[] input, _, _) = Workload.RandomCase(new Shape(Batch * Tokens, Batch * Tokens, 256, 4, Causal: true));
        _layer.LoadWeights(weights);
        _layer.MaxDegreeOfParallelism = 1;
        _input = input;
        _output = new float[input.Length];
    }

    [Benchmark]
    public void CausalForward() => _layer.Forward(_input, _output, Batch, Tokens);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithEnvironmentVariable("DOTNET_EnableAVX512", "0").WithId("Vector256 (AVX2+FMA)").AsBaseline());
            AddJob(Job.Default.WithEnvironmentVariable("DOTNET_EnableAVX", "0").WithId("Vector128 (SSE, no FMA)"));
        }
    }
}
