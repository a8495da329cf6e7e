using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Attend.Kernels;

namespace Attend.Benchmarks;

/// <summary>
/// <c>table</c>: every row of the issue at 1 and 2 threads, timed in-process without BenchmarkDotNet (seconds, not
/// minutes), for iterating on the kernels. Prints ms (median), GFLOP/s and % of the FMA peak measured here.
/// </summary>
public static class QuickTable
{
    public static int Run(string[] args)
    {
        IReadOnlyList<Shape> shapes = Shape.All;
        int[] threadCounts = [1, 2];
        double seconds = 1.0;
        bool parts = false;
        bool coreOnly = false;
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--shapes": shapes = args[++a].Split(',').Select(Shape.Parse).ToList(); break;
                case "--threads": threadCounts = args[++a].Split(',').Select(int.Parse).ToArray(); break;
                case "--seconds": seconds = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--parts": parts = true; break;
                case "--core-only": coreOnly = true; break;
                default: Console.Error.WriteLine($"table: unknown argument {args[a]}"); return 2;
            }
        }

        if (coreOnly)
        {
            return RunCoreOnly(shapes, threadCounts, seconds);
        }

        double peak256 = FmaPeak.Vector256PerCore();
        double peak512 = FmaPeak.Vector512PerCore();
        Console.WriteLine($"# Attend quick table ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, path {KernelPaths.Best})");
        Console.WriteLine($"# FMA peak per core, measured in-process: Vector256 {peak256:F1} GFLOP/s (the % below), Vector512 {peak512:F1} GFLOP/s");
        Console.WriteLine("# ms: median wall-clock; min: fastest run; cpu: the calling thread's CPU time (median), immune to time slicing (1 thread only)");
        Console.WriteLine("| row | threads | ms | min ms | cpu ms | GFLOP/s | % peak (V256) | % peak (V512) | alloc B |" + (parts ? " proj ms | proj cpu ms | proj % (V256, cpu) | core ms | core cpu ms | core % (V256, cpu) |" : ""));
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |" + (parts ? " --- | --- | --- | --- | --- | --- |" : ""));
        foreach (Shape shape in shapes)
        {
            (WeightDictionary weights, float[] input, float[]? pastKey, float[]? pastValue) = Workload.RandomCase(shape);
            Workload workload = Workload.Create(shape, weights, input, pastKey, pastValue);
            ProjectionWorkload? projections = parts ? new ProjectionWorkload(shape, weights, input) : null;
            CoreWorkload? core = parts ? new CoreWorkload(shape) : null;
            foreach (int threads in threadCounts)
            {
                workload.Threads = threads;
                Timing timing = Timing.Measure(workload.Run, seconds);
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                workload.Run();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                double gflops = shape.Flops / timing.MedianMilliseconds / 1e6;
                string line = $"| {shape.Name} | {threads} | {timing.MedianMilliseconds:F3} | {timing.MinMilliseconds:F3} | {timing.MedianThreadCpuMilliseconds:F3} | {gflops:F1} | {100 * gflops / (threads * peak256):F0} % | {100 * gflops / (threads * peak512):F0} % | {allocated} |";
                if (projections != null && core != null)
                {
                    projections.Threads = threads;
                    Timing p = Timing.Measure(projections.Run, seconds);
                    double pg = shape.ProjectionFlops / p.MedianThreadCpuMilliseconds / 1e6;
                    core.Threads = threads;
                    Timing c = Timing.Measure(core.Run, seconds);
                    double cg = (shape.Flops - shape.ProjectionFlops) / c.MedianThreadCpuMilliseconds / 1e6;
                    line += $" {p.MedianMilliseconds:F3} | {p.MedianThreadCpuMilliseconds:F3} | {100 * pg / (threads * peak256):F0} % | {c.MedianMilliseconds:F3} | {c.MedianThreadCpuMilliseconds:F3} | {100 * cg / (threads * peak256):F0} % |";
                }

                Console.WriteLine(line);
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>--core-only</c>: the attention core alone (no projections, no peak measurement), for comparing kernel variants
    /// quickly; min is the figure least disturbed by other processes.
    /// </summary>
    private static int RunCoreOnly(IReadOnlyList<Shape> shapes, int[] threadCounts, double seconds)
    {
        Console.WriteLine("| core | threads | ms | min ms | cpu ms | GFLOP/s (min) |");
        foreach (Shape shape in shapes)
        {
            var core = new CoreWorkload(shape);
            foreach (int threads in threadCounts)
            {
                core.Threads = threads;
                Timing c = Timing.Measure(core.Run, seconds);
                double gflops = (shape.Flops - shape.ProjectionFlops) / c.MinMilliseconds / 1e6;
                Console.WriteLine($"| {shape.Name} | {threads} | {c.MedianMilliseconds:F3} | {c.MinMilliseconds:F3} | {c.MedianThreadCpuMilliseconds:F3} | {gflops:F1} |");
            }
        }

        return 0;
    }
}

/// <summary>The projections of one row alone (Q, K, V in one pass, then the output projection), as the layer runs them.</summary>
public sealed class ProjectionWorkload
{
    private readonly Shape _shape;
    private readonly float[] _input;
    private readonly float[] _packedInput;
    private readonly float[] _inputBias;
    private readonly float[] _packedOutput;
    private readonly float[] _outputBias;
    private readonly float[] _qkv;
    private readonly float[] _context;
    private readonly float[] _output;

    public ProjectionWorkload(Shape shape, IWeightSource weights, float[] input)
    {
        int e = shape.ModelDim;
        _shape = shape;
        _input = input;
        _packedInput = new float[LinearKernels.PackedLength(e, 3 * e)];
        LinearKernels.Pack(WeightLoading.Read(weights, "", "in_proj_weight", 3 * e, e), e, 3 * e, _packedInput);
        _inputBias = WeightLoading.Read(weights, "", "in_proj_bias", 3 * e);
        _packedOutput = new float[LinearKernels.PackedLength(e, e)];
        LinearKernels.Pack(WeightLoading.Read(weights, "", "out_proj.weight", e, e), e, e, _packedOutput);
        _outputBias = WeightLoading.Read(weights, "", "out_proj.bias", e);
        _qkv = new float[shape.QueryLength * 3 * e];
        _context = new float[shape.QueryLength * e];
        _output = new float[shape.QueryLength * e];
    }

    public int Threads { get; set; } = 1;

    public void Run()
    {
        int e = _shape.ModelDim, rows = _shape.QueryLength;
        ProjectionDriver.Forward(KernelPath.Auto, _input, rows, e, _packedInput, _inputBias, e, 3 * e, _qkv, 3 * e, Threads);
        ProjectionDriver.Forward(KernelPath.Auto, _context, rows, e, _packedOutput, _outputBias, e, e, _output, e, Threads);
    }
}

/// <summary>
/// The attention core of one row alone (softmax(QKᵀ/√d)·V over the heads, no projections), through a
/// <c>[ScaledDotProductAttention]</c> with the same head shape, on the [seq, E] layout the MHA layer uses.
/// </summary>
public sealed class CoreWorkload
{
    private readonly Shape _shape;
    private readonly float[] _qkv;
    private readonly float[] _output;
    private readonly DecodeAttention512 _attention8 = new();
    private readonly CoreAttention4x64 _attention4 = new();

    public CoreWorkload(Shape shape)
    {
        _shape = shape;
        var random = new Random(3);
        _qkv = new float[3 * shape.KeyLength * shape.ModelDim];
        for (int i = 0; i < _qkv.Length; i++)
        {
            _qkv[i] = (float)(random.NextDouble() * 2 - 1);
        }

        _output = new float[shape.QueryLength * shape.ModelDim];
    }

    public int Threads
    {
        set
        {
            _attention8.MaxDegreeOfParallelism = value;
            _attention4.MaxDegreeOfParallelism = value;
        }
    }

    public void Run()
    {
        int e = _shape.ModelDim, t = _shape.KeyLength, s = _shape.QueryLength;
        var arguments = new ScaledDotProductAttentionArguments
        {
            Layout = AttentionLayout.BatchSequenceHidden,
            Batch = 1,
            QueryLength = s,
            KeyLength = t,
            Query = _qkv.AsSpan(0, s * e),
            Key = _qkv.AsSpan(t * e, t * e),
            Value = _qkv.AsSpan(2 * t * e, t * e),
            Output = _output,
            IsCausal = _shape.Causal,
        };
        if (_shape.Heads == 8)
        {
            _attention8.Forward(arguments);
        }
        else
        {
            _attention4.Forward(arguments);
        }
    }
}
