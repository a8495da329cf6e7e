using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Attend.Kernels;

namespace Attend.Benchmarks.ExternalAttention;

/// <summary>
/// <c>external [--work DIR] [--paths Vector512,Vector256] [--seconds s] [--rounds n] [--only a,b]</c>: Attend's External-Attention
/// modules on the cases <c>peers/external_attention_torch.py</c> wrote (same weights, same input), each output checked
/// against the float64 reference in the case file before it is timed, one thread, beside PyTorch 1.13's median from the
/// same file. Exits 1 if an output is off by more than the fixtures' tolerance (1e-5 + 1e-4 relative).
/// </summary>
public static class ExternalAttentionCommand
{
    public static int Run(string[] args)
    {
        string work = ExternalAttentionBenchmarks.CaseDirectory();
        KernelPath[] paths = KernelPaths.Best == KernelPath.Vector512 ? [KernelPath.Vector512, KernelPath.Vector256] : [KernelPaths.Best];
        double seconds = 1.0;
        int rounds = 1;
        HashSet<string>? only = null;
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--work": work = args[++a]; break;
                case "--paths": paths = args[++a].Split(',').Select(Enum.Parse<KernelPath>).ToArray(); break;
                case "--seconds": seconds = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++a].Split(',').ToHashSet(StringComparer.Ordinal); break;
                default: Console.Error.WriteLine($"external: unknown argument {args[a]}"); return 2;
            }
        }

        string manifest = Path.Combine(work, "manifest.json");
        if (!File.Exists(manifest))
        {
            Console.Error.WriteLine($"external: {manifest} not found; run tests/Attend.Benchmarks/peers/external_attention.sh (or external_attention_torch.py) first.");
            return 2;
        }

        Console.WriteLine($"# External-Attention modules, 1 thread ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC), load average {LoadAverage()}; " +
                          "torch: PyTorch 1.13 median from the case file; err: max |output − float64 reference|");
        Console.WriteLine("| module | input | PyTorch 1.13 ms | " + string.Join(" | ", paths.Select(p => $"Attend {p} ms")) + " | PyTorch ÷ Attend " + paths[0] + " | err Attend | err torch |");
        Console.WriteLine("| --- | --- | --- | " + string.Join(" | ", paths.Select(_ => "---")) + " | --- | --- | --- |");
        bool allClose = true;
        foreach (JsonElement entry in JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.EnumerateArray())
        {
            string name = entry.GetProperty("case").GetString()!;
            if (only is not null && !only.Contains(name)) continue;
            if (!ModuleCases.TryCreate(name, out IModuleCase? module))
            {
                Console.WriteLine($"| {name} | — | — | not in Attend | | | |");
                continue;
            }

            using SafeTensorsFile file = SafeTensors.Open(entry.GetProperty("file").GetString()!);
            long[] shape = Info(file, "input.x").Shape.ToArray();
            float[] input = Read(file, "input.x"), reference = Read(file, "reference.y");
            float[] output = new float[reference.Length];
            module.Load(file, shape);
            var times = new List<double>();
            double worst = 0;
            foreach (KernelPath path in paths)
            {
                module.Path = path;
                Array.Clear(output);
                module.Run(input, output);
                worst = Math.Max(worst, MaxError(output, reference, out bool close));
                allClose &= close;
                WarmUntilSteady(() => module.Run(input, output));
                double best = double.PositiveInfinity;
                for (int round = 0; round < rounds; round++)
                {
                    best = Math.Min(best, Timing.Measure(() => module.Run(input, output), seconds).MedianMilliseconds);
                }

                times.Add(best);
            }

            double torchMs = double.Parse(file.Metadata["torch_ms"], CultureInfo.InvariantCulture);
            Console.WriteLine($"| {name} | [{string.Join(", ", shape)}] | {torchMs:0.###} | {string.Join(" | ", times.Select(t => t.ToString("0.###", CultureInfo.InvariantCulture)))} | " +
                              $"{torchMs / times[0]:0.00} | {worst:0.0e+0} | {file.Metadata["torch_maxabs"]} |");
        }

        return allClose ? 0 : 1;
    }

    private static float[] Read(SafeTensorsFile file, string name)
    {
        float[] values = new float[Info(file, name).ElementCount];
        file.ReadFloat32(name, values);
        return values;
    }

    /// <summary>
    /// Runs the layer in 0.5 s windows until a window's median is within 3 % of the best so far twice in a row (at most
    /// 20 s): tiered compilation reaches these kernels' final code only seconds after their first call (measured:
    /// Shuffle Attention 8.6 ms a call after 1 s, 2.8 ms after 3 s, 0.23 ms after 8 s), so a fixed warm-up timed the JIT.
    /// </summary>
    private static void WarmUntilSteady(Action run)
    {
        var total = System.Diagnostics.Stopwatch.StartNew();
        double best = double.PositiveInfinity;
        int steady = 0;
        while (steady < 2 && total.Elapsed.TotalSeconds < 20)
        {
            double median = Timing.Measure(run, 0.5, minRuns: 3).MedianMilliseconds;
            steady = median > 0.97 * best ? steady + 1 : 0;
            best = Math.Min(best, median);
        }
    }

    private static TensorInfo Info(SafeTensorsFile file, string name) =>
        file.TryGetInfo(name, out TensorInfo info) ? info : throw new InvalidDataException($"The case file has no tensor '{name}'.");

    private static double MaxError(float[] output, float[] reference, out bool close)
    {
        double worst = 0;
        close = true;
        for (int i = 0; i < output.Length; i++)
        {
            double error = Math.Abs((double)output[i] - reference[i]);
            worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error);
            close &= error <= 1e-5 + 1e-4 * Math.Abs(reference[i]);
        }

        return worst;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

/// <summary>One Attend layer run on a benchmark case: loads the case file's weights, then maps input to output.</summary>
internal interface IModuleCase
{
    KernelPath Path { set; }

    void Load(IWeightSource weights, long[] inputShape);

    void Run(float[] input, float[] output);
}
