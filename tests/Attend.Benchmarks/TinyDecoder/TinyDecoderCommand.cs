using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Attend.Benchmarks.InProcess;
using Attend.Kernels;
using Attend.Samples.TinyDecoder;
using static Attend.Benchmarks.TinyDecoderPeers.TinyDecoderWeights;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>
/// <c>tinydecoder [--threads 1,2] [--batch 1,64] [--rounds 3] [--seconds 0.3] [--torch-cpu avx2|default]</c>: the TinyDecoder
/// sample's greedy generation (prefill 8 digits + separator, then 8 answer tokens with a KV cache) from its shipped weights,
/// Attend (<see cref="SortingModel.Generate"/>) beside ONNX Runtime 1.32 (<see cref="OrtTinyDecoder"/>) and libtorch
/// (<see cref="TorchTinyDecoder"/>) in this process. First every engine generates for all 500 held-out prompts at once: its
/// logits at every step against the float64 model (<see cref="TinyDecoderReference"/>) and its answers against Attend's;
/// exits 1 if any differ. Then, per thread count and batch (the first B prompts), the engines interleaved round by round,
/// each engine's best call kept: a whole generation (tokens/s counts the 8 answer tokens per prompt, prefill included) and a
/// generation of one token (prefill + first token), whose difference ÷ 7 is the decode step.
/// </summary>
internal static class TinyDecoderCommand
{
    /// <summary>Largest |logit − float64| ÷ max |logit| that counts as computing the same model in float32.</summary>
    private const double Tolerance = 1e-4;

    public static int Run(string[] args)
    {
        int[] threadCounts = Option(args, "--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        int[] batches = Option(args, "--batch", "1,64").Split(',').Select(int.Parse).ToArray();
        int rounds = int.Parse(Option(args, "--rounds", "3"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds", "0.3"), CultureInfo.InvariantCulture);
        InProcessCommand.SetTorchCapability(Option(args, "--torch-cpu", "avx2"));

        TinyDecoderWeights weights = Load();
        (byte[] prompts, byte[] pytorchGreedy) = TestPrompts();
        int count = prompts.Length / Answer;
        if (batches.Max() > count) throw new ArgumentException($"--batch at most {count} (the held-out prompts).");
        using SafeTensorsFile checkpoint = OpenCheckpoint();
        var model = new SortingModel(checkpoint) { MaxDegreeOfParallelism = threadCounts.Max() };

        Console.WriteLine($"# tinydecoder ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC), {Environment.ProcessorCount} cores, load average {InProcessCommand.LoadAverage()}");
        Console.WriteLine($"# Attend path {KernelPaths.Best}; ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version} (opset-17 graphs, ORT_ENABLE_ALL); " +
                          $"libtorch {TorchSharp.torch.__version__} with ATEN_CPU_CAPABILITY={Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "default"}");

        // Correctness: all prompts as one batch, every step's logits against float64, every answer against Attend's.
        byte[] attendAnswers = new byte[count * Answer];
        float[] attendLogits = new float[count * Answer * Vocabulary];
        using (var attend = new AttendTinyDecoder(model, count)) attend.Generate(prompts, attendAnswers, attendLogits);
        double[] reference = TinyDecoderReference.Logits(weights, prompts, attendAnswers);
        double scale = reference.Max(Math.Abs);
        Console.WriteLine($"# correctness on the {count} held-out prompts (one batch of {count}, {threadCounts.Max()} thread(s)): every step's logits vs the float64 model " +
                          $"(teacher-forced on Attend's answers; max |logit| {scale:F2}); Attend's answers equal train.py's greedy on {CountEqualRows(attendAnswers, pytorchGreedy)}/{count}");
        Console.WriteLine("| engine | max abs logit error vs float64 | ÷ max abs logit | answers equal Attend's |");
        Console.WriteLine("| --- | --- | --- | --- |");
        bool allClose = Check("Attend", attendLogits, attendAnswers);
        TorchSharp.torch.set_num_threads(threadCounts.Max());
        foreach (ITinyDecoderEngine peer in Peers(weights, count, threadCounts.Max()))
        {
            byte[] answers = new byte[attendAnswers.Length];
            float[] logits = new float[attendLogits.Length];
            peer.Generate(prompts, answers, logits);
            allClose &= Check(peer.Name, logits, answers);
            peer.Dispose();
        }

        if (!allClose)
        {
            Console.Error.WriteLine("tinydecoder: an engine does not compute the model (logits off by more than 1e-4 of the largest, or other answers); not timing.");
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"# speed: {rounds} interleaved rounds of ≥ {seconds} s per engine and call, each engine's best call; tokens/s = 8 answer tokens × batch ÷ a whole generation (prefill of 9 included); " +
                          "step = (whole generation − prefill and first token) ÷ 7");
        Console.WriteLine("| threads | batch | engine | tokens/s | ms a generation | ms prefill + 1st token | ms a decode step | time ÷ Attend |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int threads in threadCounts)
        {
            model.MaxDegreeOfParallelism = threads;
            TorchSharp.torch.set_num_threads(threads);
            foreach (int batch in batches)
            {
                ITinyDecoderEngine[] engines = [new AttendTinyDecoder(model, batch), .. Peers(weights, batch, threads)];
                (double[] whole, double[] first) = Time(engines, prompts.AsSpan(0, batch * Answer).ToArray(), batch, rounds, seconds, attendAnswers.AsSpan(0, batch * Answer).ToArray());
                for (int k = 0; k < engines.Length; k++)
                {
                    Console.WriteLine(FormattableString.Invariant(
                        $"| {threads} | {batch} | {engines[k].Name} | {batch * Answer * 1e3 / whole[k]:N0} | {whole[k]:F3} | {first[k]:F3} | {(whole[k] - first[k]) / (Answer - 1):F4} | {whole[k] / whole[0]:F2} |"));
                    engines[k].Dispose();
                }
            }
        }

        Console.WriteLine($"# load average after: {InProcessCommand.LoadAverage()}");
        return 0;

        bool Check(string name, float[] logits, byte[] answers)
        {
            double worst = 0;
            for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(logits[i] - reference[i]));
            int same = CountEqualRows(answers, attendAnswers);
            Console.WriteLine(FormattableString.Invariant($"| {name} | {worst:E2} | {worst / scale:E1} | {same}/{count} |"));
            return worst / scale <= Tolerance && same == count;
        }
    }

    /// <summary>ONNX Runtime with standard operators and with its GroupQueryAttention contrib operator, and libtorch.</summary>
    private static ITinyDecoderEngine[] Peers(TinyDecoderWeights weights, int batch, int threads) =>
    [
        new OrtTinyDecoder(weights, batch, threads, OrtAttentionOps.Standard),
        new OrtTinyDecoder(weights, batch, threads, OrtAttentionOps.GroupQueryAttention),
        new TorchTinyDecoder(weights, batch),
    ];

    /// <summary>
    /// Each engine's best milliseconds for a whole generation and for prefill + first token, engines interleaved within each
    /// round after a warm-up long enough for tiered compilation; then checks the timed answers are Attend's.
    /// </summary>
    private static (double[] Whole, double[] First) Time(ITinyDecoderEngine[] engines, byte[] prompts, int batch, int rounds, double seconds, byte[] expected)
    {
        byte[] answers = new byte[batch * Answer], firstToken = new byte[batch];
        double[] whole = Enumerable.Repeat(double.MaxValue, engines.Length).ToArray(), first = (double[])whole.Clone();
        foreach (ITinyDecoderEngine engine in engines)
        {
            for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < Timing.WarmUpSeconds;)
            {
                engine.Generate(prompts, answers, default);
                engine.Generate(prompts, firstToken, default);
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < engines.Length; k++)
            {
                whole[k] = Math.Min(whole[k], Best(() => engines[k].Generate(prompts, answers, default), seconds));
                first[k] = Math.Min(first[k], Best(() => engines[k].Generate(prompts, firstToken, default), seconds));
                if (!answers.AsSpan().SequenceEqual(expected)) throw new InvalidOperationException($"{engines[k].Name}'s timed answers (batch {batch}) differ from Attend's.");
            }
        }

        return (whole, first);
    }

    /// <summary>The fastest of the calls made in <paramref name="seconds"/> (at least 3), in milliseconds.</summary>
    private static double Best(Action call, double seconds)
    {
        double best = double.MaxValue;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < seconds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return best;
    }

    private static int CountEqualRows(byte[] a, byte[] b)
    {
        int equal = 0;
        for (int i = 0; i < a.Length; i += Answer) equal += a.AsSpan(i, Answer).SequenceEqual(b.AsSpan(i, Answer)) ? 1 : 0;
        return equal;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
