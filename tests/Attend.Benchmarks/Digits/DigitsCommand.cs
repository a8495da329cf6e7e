using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Samples.Digits;

namespace Attend.Benchmarks.Digits;

/// <summary>
/// <c>digits [--threads 1,2] [--batch 1,64,360] [--rounds r] [--seconds s] [--torch-cpu avx2|default] [--ort-optimized FILE]</c>:
/// the Digits sample's trained ViT (<see cref="DigitsVit"/>, 8×8 images, 17 tokens of 32, 2 layers) classifying the
/// 360 held-out images in Attend, ONNX Runtime and libtorch in this process, from the same trained weights (the peers' files
/// are exported by <c>scripts/export_digits_peers.py</c>). Every engine's logits, at every batch size and thread count,
/// are first checked against the logits PyTorch stored with the split (|Δ| ≤ <see cref="Tolerance"/>, the same predicted
/// class for every image), or nothing is timed and the command exits 1. Then images/s of the whole split, <c>--batch</c>
/// images a call (the last call takes the rest): the engines interleaved round by round, each one's best pass kept.
/// <c>--ort-optimized</c> writes the graph ONNX Runtime runs after its fusions.
/// </summary>
internal static class DigitsCommand
{
    /// <summary>What the sample's tests allow Attend against PyTorch's logits (float rounding in a different order).</summary>
    public const double Tolerance = 1e-4;

    public static int Run(string[] args)
    {
        int[] threadCounts = [1, 2], batches = [1, 64, 360];
        int rounds = 3;
        double seconds = 0.5;
        string torchCapability = "avx2", ortOptimized = "";
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--threads": threadCounts = Integers(args[++a]); break;
                case "--batch": batches = Integers(args[++a]); break;
                case "--rounds": rounds = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--torch-cpu": torchCapability = args[++a]; break;
                case "--ort-optimized": ortOptimized = args[++a]; break;
                default: Console.Error.WriteLine($"digits: unknown argument {args[a]}"); return 2;
            }
        }

        InProcess.InProcessCommand.SetTorchCapability(torchCapability); // before libtorch loads
        DigitsTestSet set = DigitsTestSet.Load();
        IDigitsEngine[] engines = [new AttendDigits(set), new OrtDigits(set), new TorchDigits(set)];
        try
        {
            Console.WriteLine($"# digits: the Digits sample's ViT on its {set.Count} held-out images ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC), {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            Console.WriteLine($"# Attend path {KernelPaths.Best}; ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version} (models/digits_vit.onnx); " +
                              $"libtorch {TorchSharp.torch.__version__} (models/digits_vit.pt, TorchScript) with ATEN_CPU_CAPABILITY={Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "default"}");
            if (ortOptimized.Length > 0)
            {
                OrtDigits.WriteOptimizedGraph(ortOptimized);
                Console.WriteLine($"# ONNX Runtime's optimized graph: {Path.GetFullPath(ortOptimized)}");
            }

            if (!Check(set, engines, batches, threadCounts))
            {
                return 1;
            }

            Console.WriteLine();
            Console.WriteLine($"# images/s over the split, best of {rounds} interleaved rounds of ≥ {seconds} s after a warm-up; CPU: process CPU ms a pass of {set.Count} images");
            Console.WriteLine("| batch | threads | Attend images/s | ORT images/s | libtorch images/s | ORT ÷ Attend time | libtorch ÷ Attend time | CPU ms Attend / ORT / libtorch |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (int threads in threadCounts)
            {
                foreach (int batch in batches)
                {
                    foreach (IDigitsEngine engine in engines) engine.Configure(batch, threads);
                    (double[] wall, double[] cpu) = Timing.BestOfInterleavedRounds(rounds, seconds, engines.Select(engine => (Action)engine.ClassifyAll).ToArray());
                    string Rate(int k) => (set.Count * 1e3 / wall[k]).ToString("N0", CultureInfo.InvariantCulture);
                    Console.WriteLine(FormattableString.Invariant(
                        $"| {batch} | {threads} | {Rate(0)} | {Rate(1)} | {Rate(2)} | {wall[1] / wall[0]:F2} | {wall[2] / wall[0]:F2} | {cpu[0]:F2} / {cpu[1]:F2} / {cpu[2]:F2} |"));
                }
            }

            Console.WriteLine($"# load average after: {LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (IDigitsEngine engine in engines) engine.Dispose();
        }
    }

    /// <summary>Runs every engine at every batch size and thread count, prints each engine's worst figures against PyTorch's logits per batch size; false if any is off.</summary>
    private static bool Check(DigitsTestSet set, IDigitsEngine[] engines, int[] batches, int[] threadCounts)
    {
        Console.WriteLine($"# against PyTorch's stored logits (train.py; {set.PyTorchCorrect}/{set.Count} correct), worst over threads {string.Join(",", threadCounts)}");
        Console.WriteLine("| engine | batch | max abs Δ logit | predictions ≠ PyTorch's | correct |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        bool allClose = true;
        foreach (IDigitsEngine engine in engines)
        {
            foreach (int batch in batches)
            {
                double worst = 0;
                int disagreeing = 0, correct = set.Count;
                foreach (int threads in threadCounts)
                {
                    Array.Fill(engine.Logits, float.NaN); // a call that writes nothing cannot pass
                    engine.Configure(batch, threads);
                    engine.ClassifyAll();
                    (double max, int differ, int right) = set.Compare(engine.Logits);
                    (worst, disagreeing, correct) = (Math.Max(worst, double.IsNaN(max) ? double.PositiveInfinity : max), Math.Max(disagreeing, differ), Math.Min(correct, right));
                }

                bool close = worst <= Tolerance && disagreeing == 0;
                allClose &= close;
                Console.WriteLine(FormattableString.Invariant($"| {engine.Name} | {batch} | {worst:E2}{(close ? "" : " ✗")} | {disagreeing} | {correct}/{set.Count} |"));
            }
        }

        if (!allClose) Console.Error.WriteLine($"digits: an engine's logits are more than {Tolerance:E0} from PyTorch's or predict another class; nothing timed.");
        return allClose;
    }

    private static int[] Integers(string list) => list.Split(',').Select(item => int.Parse(item, CultureInfo.InvariantCulture)).ToArray();

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
