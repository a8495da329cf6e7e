using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Attend.Kernels;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// <c>inproc [--rounds r] [--seconds s] [--shapes decode,128,…] [--threads 1,2] [--torch-cpu avx2|default] [--attend-only]</c>: Attend,
/// ONNX Runtime and libtorch side by side in this process, on the same weights and tokens, every engine's output
/// checked against a float64 reference before it is timed. Rounds interleave the engines (Attend, ORT, torch, then
/// again); each engine keeps its best round's median. Exits 1 if an engine's output is off by more than
/// <see cref="Tolerance"/>.
/// </summary>
public static class InProcessCommand
{
    /// <summary>Largest |output − float64 reference| that counts as computing the same thing (outputs are O(1)).</summary>
    public const double Tolerance = 1e-4;

    public static int Run(string[] args)
    {
        IReadOnlyList<Shape> shapes = Shape.All;
        int[] threadCounts = [1, 2];
        int rounds = 2;
        double seconds = 1.0;
        string torchCapability = "avx2";
        bool attendOnly = false; // for profiling Attend alone (perf): no peer columns
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--shapes": shapes = args[++a].Split(',').Select(Shape.Parse).ToList(); break;
                case "--threads": threadCounts = args[++a].Split(',').Select(int.Parse).ToArray(); break;
                case "--rounds": rounds = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--torch-cpu": torchCapability = args[++a]; break;
                case "--attend-only": attendOnly = true; break;
                default: Console.Error.WriteLine($"inproc: unknown argument {args[a]}"); return 2;
            }
        }

        SetTorchCapability(torchCapability);
        Console.WriteLine($"# In-process side by side ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC), {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"# Attend path {KernelPaths.Best} (DOTNET_PreferredVectorBitWidth={Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") ?? "unset"}); " +
                          $"ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}; libtorch {TorchSharp.torch.__version__} with ATEN_CPU_CAPABILITY={Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "default"}");
        Console.WriteLine($"# {rounds} interleaved rounds, each engine's best round median (≥ {seconds} s of runs after a warm-up); err: max |output − float64 reference|; other: cores used by other processes meanwhile");
        Console.WriteLine("| row | threads | Attend ms | ONNX Runtime ms | libtorch ms | ORT ÷ Attend | torch ÷ Attend | err Attend / ORT / torch | other |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        bool allClose = true;
        var decodeNotes = new List<string>();
        foreach (Shape shape in shapes)
        {
            MhaCase c = MhaCase.Create(shape);
            IReadOnlyList<(int, double[])> reference = c.Reference();
            var engines = new List<IInProcessEngine> { new AttendEngine(c) };
            if (attendOnly)
            {
                RunAlone(engines[0], shape, threadCounts, rounds, seconds, reference);
                if (shape.IsDecode) RunAlone(new AttendEngine(c, KvCachePrecision.BFloat16), shape, threadCounts, rounds, seconds, reference);
                continue;
            }

            engines.Add(new OrtEngine(c));
            if (!shape.IsDecode) engines.Add(new TorchEngine(c, TorchFormulation.MultiheadAttention));
            engines.Add(new TorchEngine(c, TorchFormulation.ScaledDotProduct));
            // Decode also with a bfloat16 cache, timed in the same interleaved rounds (its own row below the float one).
            IInProcessEngine? halfCache = shape.IsDecode ? new AttendEngine(c, KvCachePrecision.BFloat16) : null;
            var timed = halfCache is null ? engines : [.. engines, halfCache];
            try
            {
                foreach (int threads in threadCounts)
                {
                    var best = timed.ToDictionary(engine => engine, _ => double.PositiveInfinity);
                    var error = new Dictionary<IInProcessEngine, double>();
                    MachineNoise.Snapshot start = MachineNoise.Snapshot.Take();
                    for (int round = 0; round < rounds; round++)
                    {
                        foreach (IInProcessEngine engine in timed)
                        {
                            engine.Threads = threads;
                            Timing timing = Timing.Measure(engine.Run, seconds);
                            best[engine] = Math.Min(best[engine], timing.MedianMilliseconds);
                            error.TryAdd(engine, MhaCase.MaxError(reference, engine.ReadOutput()));
                        }
                    }

                    double other = MachineNoise.Available ? MachineNoise.OtherCoresSince(start) : double.NaN;
                    foreach ((IInProcessEngine engine, double e) in error.Where(pair => !(pair.Value <= (pair.Key == halfCache ? BFloat16Tolerance(reference) : Tolerance))))
                    {
                        Console.Error.WriteLine($"inproc: {shape.Name}, {threads} threads: {engine.Name} is off its float64 reference by {e:0.0e0}.");
                        allClose = false;
                    }

                    Console.WriteLine(Row(shape, threads, engines, best, error, other));
                    if (halfCache is not null)
                    {
                        Console.WriteLine(Row(shape, threads, [halfCache, .. engines.Skip(1)], best, error, other, " (bf16 cache)"));
                        decodeNotes.Add(DecodeBandwidth(c, threads, best[engines[0]], best[halfCache], best[engines[1]]));
                    }
                }
            }
            finally
            {
                foreach (IInProcessEngine engine in timed) engine.Dispose();
            }
        }

        foreach (string note in decodeNotes) Console.WriteLine(note);
        if (!allClose) Console.Error.WriteLine($"inproc: an engine's output is off its float64 reference by more than {Tolerance}.");
        return allClose ? 0 : 1;
    }

    private static void RunAlone(IInProcessEngine engine, Shape shape, int[] threadCounts, int rounds, double seconds, IReadOnlyList<(int, double[])> reference)
    {
        foreach (int threads in threadCounts)
        {
            engine.Threads = threads;
            double best = double.PositiveInfinity;
            for (int round = 0; round < rounds; round++) best = Math.Min(best, Timing.Measure(engine.Run, seconds).MedianMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {shape.Name} | {engine.Name} | {threads} | {Ms(best)} | err {MhaCase.MaxError(reference, engine.ReadOutput()):0.0e0} |"));
        }
    }

    private static string Row(Shape shape, int threads, List<IInProcessEngine> engines, Dictionary<IInProcessEngine, double> best, Dictionary<IInProcessEngine, double> error, double other, string suffix = "")
    {
        IInProcessEngine attend = engines[0], ort = engines[1];
        IInProcessEngine torch = engines.Skip(2).MinBy(engine => best[engine])!;
        string torchNote = torch is TorchEngine && engines.Count > 3 ? (torch.Name.Contains("SDPA", StringComparison.Ordinal) ? " (SDPA)" : " (MHA)") : "";
        string name = (shape.IsDecode ? $"decode, {shape.PastLength} cached" : $"{shape.QueryLength}{(shape.Causal ? " causal" : "")}") + suffix;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {threads} | {Ms(best[attend])} | {Ms(best[ort])} | {Ms(best[torch])}{torchNote} | {best[ort] / best[attend]:F2} | {best[torch] / best[attend]:F2} | " +
            $"{error[attend]:0.0e0} / {error[ort]:0.0e0} / {error[torch]:0.0e0} | {other:F2} |");
    }

    /// <summary>
    /// The bytes one decode step must read (input and output projection weights, every cached key and value) over its
    /// time, for the float and the bfloat16 cache, against the read bandwidth of this machine measured now for a buffer
    /// of the same size and a DRAM-sized one.
    /// </summary>
    private static string DecodeBandwidth(MhaCase c, int threads, double attendMs, double halfCacheMs, double ortMs)
    {
        double weights = 4.0 * c.ModelDim * 4 * c.ModelDim, cache = 4.0 * 2 * (c.Length - 1) * c.ModelDim;
        double bytes = weights + cache, halfBytes = weights + cache / 2;
        int megabytes = (int)Math.Ceiling(bytes / (1 << 20));
        return string.Create(CultureInfo.InvariantCulture,
            $"# decode, {threads} thread(s): a step reads {bytes / 1e6:F1} MB (weights {weights / 1e6:F1} MB, cache {cache / 1e6:F1} MB; bf16 cache {cache / 2e6:F1} MB): " +
            $"Attend {bytes / attendMs / 1e6:F0} GB/s, Attend bf16 cache {halfBytes / halfCacheMs / 1e6:F0} GB/s ({attendMs / halfCacheMs:F2}× the float cache), ORT ≥ {bytes / ortMs / 1e6:F0} GB/s; " +
            $"this machine reads a {megabytes} MB buffer at {MemoryBandwidth.ReadGigabytesPerSecond(megabytes, threads):F0} GB/s and a 512 MB one at {MemoryBandwidth.ReadGigabytesPerSecond(512, threads):F0} GB/s");
    }

    /// <summary>
    /// What a bfloat16 cache may cost: one rounding (2⁻⁸) of the largest reference output, the bound the tests assert
    /// (the float engines' <see cref="Tolerance"/> is for float rounding only).
    /// </summary>
    private static double BFloat16Tolerance(IReadOnlyList<(int, double[])> reference) =>
        Math.Max(Tolerance, reference.Max(row => row.Item2.Max(Math.Abs)) / 256);

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "F3" : ms < 100 ? "F2" : "F1", CultureInfo.InvariantCulture);

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// libtorch reads <c>ATEN_CPU_CAPABILITY</c> with <c>getenv</c> when it first dispatches a kernel; .NET's
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment on Unix,
    /// so it is set through libc before TorchSharp loads. An explicit setting in the caller's environment wins.
    /// </summary>
    internal static void SetTorchCapability(string capability)
    {
        if (capability == "default" || Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") is not null) return;
        if (OperatingSystem.IsLinux() && SetEnvironment("ATEN_CPU_CAPABILITY", capability, 1) != 0)
        {
            throw new InvalidOperationException("setenv(ATEN_CPU_CAPABILITY) failed.");
        }

        Environment.SetEnvironmentVariable("ATEN_CPU_CAPABILITY", capability);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironment(string name, string value, int overwrite);
}
