using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Attend.Kernels;
using Attend.Samples.Embeddings;
using Attend.Text;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>
/// One projection <c>y = x·Wᵀ + b</c> with its weight stored as float32, bf16 or int8 (issue 15), at MiniLM's shapes.
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- --filter '*ProjectionPrecisionBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class ProjectionPrecisionBenchmarks
{
    private PackedProjection _weight = null!;
    private float[] _input = [], _bias = [], _output = [];

    [Params(1, 32, 512, 4096)]
    public int Rows { get; set; }

    [Params("384x384", "384x1536")]
    public string Shape { get; set; } = "384x384";

    [Params(WeightPrecision.Float32, WeightPrecision.BFloat16, WeightPrecision.Int8)]
    public WeightPrecision Precision { get; set; }

    [Params(1)]
    public int Threads { get; set; }

    private int In => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int Out => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup() => (_weight, _input, _bias, _output) = LowPrecisionData.Projection(Rows, In, Out, Precision);

    [Benchmark]
    public void Forward() =>
        ProjectionDriver.Forward(KernelPath.Auto, _input, Rows, _weight.InFeatures, _weight, _bias, _weight.InFeatures, _weight.OutFeatures, _output, _weight.OutFeatures, Threads);
}

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings, batch 32 × 128 tokens, with the projection weights at each precision.
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- --filter '*EmbeddingPrecisionBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class EmbeddingPrecisionBenchmarks
{
    private MiniLM _model = null!;
    private int[] _ids = [], _mask = [], _types = [];
    private float[] _embeddings = [];

    [Params(WeightPrecision.Float32, WeightPrecision.BFloat16, WeightPrecision.Int8)]
    public WeightPrecision Precision { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = MiniLmPackage.LoadModel(Precision);
        _model.MaxDegreeOfParallelism = Threads;
        (_ids, _mask, _types) = LowPrecisionData.Tokens(MiniLmPackage.LoadTokenizer(), LowPrecisionData.Batch, LowPrecisionData.Length);
        _embeddings = new float[LowPrecisionData.Batch * MiniLM.ModelDim];
    }

    [Benchmark]
    public void Embed() => _model.Embed(_ids, _mask, _embeddings, LowPrecisionData.Batch, LowPrecisionData.Length, _types);
}

/// <summary>Inputs shared by the low-precision benchmarks and the <c>lowp</c> command.</summary>
internal static class LowPrecisionData
{
    public const int Batch = 32, Length = 128;

    public static (PackedProjection Weight, float[] Input, float[] Bias, float[] Output) Projection(int rows, int inFeatures, int outFeatures, WeightPrecision precision)
    {
        var random = new Random(15);
        float[] Fill(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var weight = new PackedProjection(inFeatures, outFeatures);
        weight.Pack(Fill(inFeatures * outFeatures), precision);
        return (weight, Fill(rows * inFeatures), Fill(outFeatures), new float[rows * outFeatures]);
    }

    /// <summary><see cref="Batch"/> texts of exactly <paramref name="length"/> tokens from the tests' documentation corpus.</summary>
    public static (int[] Ids, int[] Mask, int[] Types) Tokens(BertTokenizer tokenizer, int batch, int length)
    {
        string[] texts = EmbeddingBenchmarks.DocumentTexts(batch, length, tokenizer);
        int[] ids = new int[batch * length], mask = new int[ids.Length], types = new int[ids.Length];
        tokenizer.EncodeBatch(texts, ids, mask, types, length);
        return (ids, mask, types);
    }
}

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- lowp [--rounds N] [--threads T] [--shapes 384x1536,…]
/// [--rows 1,32,…] [--length 128] [--projections-only] [--peak-only] [--cpu-time]</c> (<c>--length</c>: MiniLM's tokens a text) (<c>--cpu-time</c>, one thread only: the thread's CPU time, which
/// other processes on a loaded machine inflate far less than the wall clock): a quick table of the same cases (and K → N shapes of 1536 → 384 and E 512), the precisions interleaved round by round and each row's best round kept (this machine is shared and drifts),
/// with the resident projection bytes of each precision.
/// </summary>
internal static class LowPrecisionCommand
{
    public static int Run(string[] args)
    {
        int rounds = Option(args, "--rounds", 3), threads = Option(args, "--threads", 1);
        s_cpuTime = args.Contains("--cpu-time") && threads == 1; // a shared machine: time the thread's own CPU, not the wall
        WeightPrecision[] precisions = [WeightPrecision.Float32, WeightPrecision.BFloat16, WeightPrecision.Int8, WeightPrecision.Int8ByteActivations];
        Console.WriteLine($"{DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, path {KernelPaths.Best}, {threads} thread(s), best of {rounds} rounds, {(s_cpuTime ? "thread CPU time" : "wall time")}");
        var (fmaPeak, wordPeak, bytePeak, int8Loop, byteLoop) = IntegerMultiplyAddPeak.PerCore();
        Console.WriteLine($"One core's multiply-adds (G/s): float32 FMA {fmaPeak:F1}, vpmaddwd {wordPeak:F1} ({wordPeak / fmaPeak:F2}×), vpmaddubsw {bytePeak:F1} ({bytePeak / fmaPeak:F2}×); " +
                          $"inner loops in L1: the int8 kernel's (16-bit activations) {int8Loop:F1} ({int8Loop / fmaPeak:F2}×), u8 × s8 {byteLoop:F1} ({byteLoop / fmaPeak:F2}×)");
        if (Vector512.IsHardwareAccelerated || AvxVnni.IsSupported)
        {
            var wide = IntegerMultiplyAddPeak512.PerCore();
            Console.WriteLine($"With AVX-512 / AVX-VNNI (G/s): float32 FMA 512-bit {wide.Fma512:F1}, vpmaddwd 512-bit {wide.MaddWd512:F1} ({wide.MaddWd512 / wide.Fma512:F2}×), " +
                              $"vpdpwssd 256-bit {wide.DpWssd256:F1} ({wide.DpWssd256 / wide.Fma512:F2}×); inner loops in L1: 512-bit 6-row tile {wide.Loop512x6:F1} ({wide.Loop512x6 / wide.Fma512:F2}×), " +
                              $"12-row tile {wide.Loop512x12:F1} ({wide.Loop512x12 / wide.Fma512:F2}×), 256-bit vpdpwssd tile {wide.VnniLoop256:F1} ({wide.VnniLoop256 / wide.Fma512:F2}×); " +
                              $"u8 × s8 (8-bit activations): vpdpbusd 256-bit {wide.DpBusd256:F1} ({wide.DpBusd256 / wide.Fma512:F2}×), its 6-row tile {wide.ByteLoop256:F1} ({wide.ByteLoop256 / wide.Fma512:F2}×)");
        }

        if (args.Contains("--peak-only"))
        {
            return 0;
        }

        Console.WriteLine("| case | fp32 ms | bf16 ms | int8 ms | int8 × u8 ms | bf16 × | int8 × | int8 × u8 × |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        string[] shapes = OptionText(args, "--shapes", "384x384,384x1536,1536x384,512x512,512x2048").Split(',');
        int[] rowCounts = OptionText(args, "--rows", "1,32,512,4096").Split(',').Select(int.Parse).ToArray();
        foreach (string shape in shapes)
        {
            foreach (int rows in rowCounts)
            {
                int inFeatures = int.Parse(shape.Split('x')[0]), outFeatures = int.Parse(shape.Split('x')[1]);
                var cases = precisions.Select(p => LowPrecisionData.Projection(rows, inFeatures, outFeatures, p)).ToArray();
                double[] best = Best(rounds, cases.Select(c => (Action)(() => ProjectionDriver.Forward(KernelPath.Auto, c.Input, rows, inFeatures, c.Weight, c.Bias, inFeatures, outFeatures, c.Output, outFeatures, threads))).ToArray());
                Row($"{rows} × {shape}", best);
            }
        }

        if (args.Contains("--projections-only"))
        {
            return 0;
        }

        // One row against weights that come from memory, as in a decode step through a whole model: 24 distinct
        // 384 → 1536 weights in turn (56.6 MB at float32, more than this CPU's L3).
        {
            var cold = precisions.Select(p => Enumerable.Range(0, 24).Select(_ => LowPrecisionData.Projection(1, 384, 1536, p)).ToArray()).ToArray();
            Row("1 × 384x1536, 24 weights in turn", Best(rounds, cold.Select(set => (Action)(() =>
            {
                foreach (var c in set) ProjectionDriver.Forward(KernelPath.Auto, c.Input, 1, 384, c.Weight, c.Bias, 384, 1536, c.Output, 1536, threads);
            })).ToArray()));
        }

        BertTokenizer tokenizer = MiniLmPackage.LoadTokenizer();
        int length = Option(args, "--length", LowPrecisionData.Length);
        var (ids, mask, types) = LowPrecisionData.Tokens(tokenizer, LowPrecisionData.Batch, length);
        var models = precisions.Select(p => { var m = MiniLmPackage.LoadModel(p); m.MaxDegreeOfParallelism = threads; return m; }).ToArray();
        var embeddings = new float[LowPrecisionData.Batch * MiniLM.ModelDim];
        Row($"MiniLM {LowPrecisionData.Batch} × {length}", Best(rounds, models.Select(m => (Action)(() => m.Embed(ids, mask, embeddings, LowPrecisionData.Batch, length, types))).ToArray()));

        Console.WriteLine();
        foreach (WeightPrecision precision in precisions)
        {
            long bytes = 0;
            foreach (var (i, o) in new[] { (384, 1152), (384, 384), (384, 1536), (1536, 384) })
            {
                var p = new PackedProjection(i, o);
                p.Pack(new float[i * o], precision);
                bytes += p.WeightBytes;
            }

            Console.WriteLine($"MiniLM projection weights, {precision}: {6 * bytes / 1e6:F2} MB (6 layers × Q/K/V, output, two feed-forward)");
        }

        return 0;
    }

    private static bool s_cpuTime;

    /// <summary>Each action's best milliseconds over <paramref name="rounds"/> rounds, the actions interleaved within a round.</summary>
    internal static double[] Best(int rounds, Action[] actions)
    {
        var best = Enumerable.Repeat(double.MaxValue, actions.Length).ToArray();
        foreach (Action action in actions) action(); // JIT and tier-up
        for (int round = 0; round < rounds; round++)
        {
            for (int a = 0; a < actions.Length; a++)
            {
                actions[a]();
                int repeats = 0;
                var clock = Stopwatch.StartNew();
                long cpuStart = CpuTime.ThreadNanoseconds();
                do { actions[a](); repeats++; } while (clock.Elapsed.TotalMilliseconds < 200);
                double ms = s_cpuTime ? (CpuTime.ThreadNanoseconds() - cpuStart) / 1e6 : clock.Elapsed.TotalMilliseconds;
                best[a] = Math.Min(best[a], ms / repeats);
            }
        }

        return best;
    }

    private static void Row(string name, double[] ms) =>
        Console.WriteLine($"| {name} | {string.Join(" | ", ms.Select(m => m.ToString("F4")))} | {string.Join(" | ", ms.Skip(1).Select(m => (ms[0] / m).ToString("F2")))} |");

    private static string OptionText(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
