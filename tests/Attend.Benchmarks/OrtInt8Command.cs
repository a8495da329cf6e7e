using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Samples.Embeddings;
using Attend.Text;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- ort-int8 [--threads T] [--rounds N] [--reduce-range]</c>:
/// all-MiniLM-L6-v2, batch 32 × 128 tokens, Attend and ONNX Runtime 1.32 each with float32 and with int8 projection
/// weights (Attend's with 16-bit and with byte activations), interleaved round by round, each engine's best round kept; every engine's embeddings compared with ONNX
/// Runtime's float32 ones in the same run (minimum cosine over the batch).
/// ONNX Runtime's int8 model is made from the package's float32 one by <c>scripts/make_minilm_int8_onnx.py</c> (needs
/// Debian's python3-onnx; run once, then kept under the benchmark's output folder).
/// </summary>
internal static class OrtInt8Command
{
    private const int Batch = LowPrecisionData.Batch, Length = LowPrecisionData.Length, Width = MiniLM.ModelDim;

    public static int Run(string[] args)
    {
        int threads = Option(args, "--threads", 1), rounds = Option(args, "--rounds", 3);
        bool reduceRange = args.Contains("--reduce-range");
        string int8Model = Int8Model(reduceRange);

        BertTokenizer tokenizer = MiniLmPackage.LoadTokenizer();
        var (ids, mask, types) = LowPrecisionData.Tokens(tokenizer, Batch, Length);
        using var ortFloat = new OrtMiniLm(MiniLmPackage.OnnxModelBytes(), threads, ids, mask, types);
        using var ortInt8 = new OrtMiniLm(File.ReadAllBytes(int8Model), threads, ids, mask, types);
        var attendFloat = new AttendMiniLm(WeightPrecision.Float32, threads, ids, mask, types);
        var attendInt8 = new AttendMiniLm(WeightPrecision.Int8, threads, ids, mask, types);
        var attendBytes = new AttendMiniLm(WeightPrecision.Int8ByteActivations, threads, ids, mask, types);

        (string Name, Action Run, Func<float[]> Embeddings)[] engines =
        [
            ("ONNX Runtime, float32", ortFloat.Run, () => ortFloat.Embeddings),
            ($"ONNX Runtime, int8 (DynamicQuantizeMatMul{(reduceRange ? ", 7-bit weights" : "")})", ortInt8.Run, () => ortInt8.Embeddings),
            ("Attend, float32", attendFloat.Run, () => attendFloat.Embeddings),
            ("Attend, int8 (WeightPrecision.Int8)", attendInt8.Run, () => attendInt8.Embeddings),
            ("Attend, int8 × u8 (WeightPrecision.Int8ByteActivations)", attendBytes.Run, () => attendBytes.Embeddings),
        ];
        double[] best = LowPrecisionCommand.Best(rounds, engines.Select(e => e.Run).ToArray());

        Console.WriteLine($"{DateTime.UtcNow:u}, MiniLM {Batch} × {Length}, {threads} thread(s), Attend path {KernelPaths.Best}, best of {rounds} rounds, load average {LoadAverage()}");
        Console.WriteLine("| engine | ms a batch | sentences/s | × ORT float32 | min cosine to ORT float32 |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        float[] reference = ortFloat.Embeddings;
        for (int e = 0; e < engines.Length; e++)
        {
            double cosine = MinCosine(reference, engines[e].Embeddings());
            Console.WriteLine($"| {engines[e].Name} | {best[e]:F2} | {Batch * 1000 / best[e]:F0} | {best[0] / best[e]:F2} | {cosine:F6} |");
            if (e == 2 && cosine < 0.99999)
            {
                Console.Error.WriteLine($"Attend float32 and ONNX Runtime float32 disagree (cosine {cosine}): the timings compare different computations.");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>The int8 model's path, made on first use from the package's float32 model.</summary>
    private static string Int8Model(bool reduceRange)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "ort-int8");
        string target = Path.Combine(folder, reduceRange ? "minilm-int8-7bit.onnx" : "minilm-int8.onnx");
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(folder);
        string source = Path.Combine(folder, "minilm-float32.onnx");
        File.WriteAllBytes(source, MiniLmPackage.OnnxModelBytes());
        string script = Path.Combine(RepositoryRoot(), "scripts", "make_minilm_int8_onnx.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { ArgumentList = { script, source, target }, UseShellExecute = false };
        if (reduceRange) start.ArgumentList.Add("--reduce-range");
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(target))
        {
            throw new InvalidOperationException($"{script} failed (exit code {process.ExitCode}); it needs Debian's python3-onnx (apt-get install python3-onnx).");
        }

        return target;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Generated.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException("Run the benchmark from a clone of the repository: scripts/make_minilm_int8_onnx.py makes ONNX Runtime's int8 model.");
    }

    private static double MinCosine(float[] reference, float[] embeddings)
    {
        double min = 1;
        for (int b = 0; b < Batch; b++)
        {
            double dot = 0, a = 0, c = 0;
            for (int i = 0; i < Width; i++)
            {
                double x = reference[b * Width + i], y = embeddings[b * Width + i];
                (dot, a, c) = (dot + x * y, a + x * x, c + y * y);
            }

            min = Math.Min(min, dot / Math.Sqrt(a * c));
        }

        return min;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class AttendMiniLm(WeightPrecision precision, int threads, int[] ids, int[] mask, int[] types)
    {
        private readonly MiniLM _model = CreateModel(precision, threads);

        public float[] Embeddings { get; } = new float[Batch * Width];

        public void Run() => _model.Embed(ids, mask, Embeddings, Batch, Length, types);

        private static MiniLM CreateModel(WeightPrecision precision, int threads)
        {
            MiniLM model = MiniLmPackage.LoadModel(precision);
            model.MaxDegreeOfParallelism = threads;
            return model;
        }
    }

    /// <summary>A session set up the fastest way a user can: all graph optimizations, sequential, inputs and outputs bound once over pinned arrays.</summary>
    private sealed class OrtMiniLm : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly OrtValue[] _inputs, _outputs;
        private readonly float[] _hidden = new float[Batch * Length * Width];
        private readonly int[] _mask;

        public OrtMiniLm(byte[] model, int threads, int[] ids, int[] mask, int[] types)
        {
            var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
            };
            _session = new InferenceSession(model, options);
            _mask = mask;
            long[] shape = [Batch, Length];
            _inputs =
            [
                OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(mask.Select(i => (long)i).ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(types.Select(i => (long)i).ToArray(), shape),
            ];
            _outputs = [OrtValue.CreateTensorValueFromMemory(_hidden, new long[] { Batch, Length, Width })];
        }

        public float[] Embeddings { get; } = new float[Batch * Width];

        public void Run()
        {
            _session.Run(_runOptions, EmbeddingBenchmarks.InputNames, _inputs, EmbeddingBenchmarks.OutputNames, _outputs);
            EmbeddingBenchmarks.MeanPoolNormalize(_hidden, _mask, Embeddings, Batch, Length);
        }

        public void Dispose()
        {
            foreach (OrtValue value in _inputs.Concat(_outputs)) value.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }
}
