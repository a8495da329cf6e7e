using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Samples.Embeddings;
using Attend.Text;

namespace Attend.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- minilm [--threads 1,2] [--rounds N] [--seconds s] [--only attend] [--case full,documents]</c>:
/// all-MiniLM-L6-v2 embeddings, Attend against ONNX Runtime in this process on the same tokenised batches, the engines
/// interleaved round by round and each one's best round kept (this machine is shared and drifts). Two cases: 32 texts of
/// exactly 128 tokens (the benchmark's 32×128 row), and the sample's documents in length-sorted batches of 32 padded to
/// the longest (what <c>samples/Attend.Samples.Embeddings</c> times). Tokenisation is outside the timed calls (it is the
/// same for both engines) and timed on its own. Every case first checks that the two engines' embeddings agree
/// (cosine ≥ 0.99999), or the timing means nothing.
/// </summary>
internal static class MiniLmCommand
{
    private const int Width = MiniLM.ModelDim;
    private const double MinimumCosine = 0.99999;

    public static int Run(string[] args)
    {
        int[] threadCounts = Option(args, "--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        int rounds = int.Parse(Option(args, "--rounds", "5"));
        double seconds = double.Parse(Option(args, "--seconds", "0.6"), System.Globalization.CultureInfo.InvariantCulture);
        bool attendOnly = Option(args, "--only", "") == "attend";
        string cases = Option(args, "--case", "full,documents");
        BertTokenizer tokenizer = MiniLmPackage.LoadTokenizer();
        Batch[] full = [Batch.Of(EmbeddingBenchmarks.DocumentTexts(32, 128, tokenizer), tokenizer, 128)];
        Batch[] documents = DocumentBatches(tokenizer);
        Console.WriteLine($"{DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, path {KernelPaths.Best}, best of {rounds} rounds of ≥ {seconds} s; load: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"Tokenising the {documents.Sum(b => b.Count)} documents: {TokeniseMilliseconds(tokenizer, documents):F2} ms (not in the times below); "
            + $"{documents.Sum(b => b.Mask.Sum())} real tokens in {documents.Sum(b => b.Mask.Length)} padded positions, batches of {string.Join("/", documents.Select(b => b.Length))} tokens");
        Console.WriteLine("| case | threads | Attend ms | ORT ms | Attend sentences/s | ORT sentences/s | ORT ÷ Attend time | Attend CPU ms | ORT CPU ms | ORT ÷ Attend CPU | lowest cosine |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int threads in threadCounts)
        {
            MiniLM model = MiniLmPackage.LoadModel();
            model.MaxDegreeOfParallelism = threads;
            using var peer = new OnnxRuntimeEmbedder(MiniLmPackage.OnnxModelBytes(), threads);
            foreach ((string name, Batch[] batches) in new[] { ("32 × 128 tokens", full), ($"{documents.Sum(b => b.Count)} documents", documents) })
            {
                if (!cases.Contains(batches == full ? "full" : "documents"))
                {
                    continue;
                }

                double cosine = Compare(model, peer, batches);
                if (cosine < MinimumCosine)
                {
                    Console.Error.WriteLine($"{name}: Attend and ONNX Runtime disagree, lowest cosine {cosine:F7}.");
                    return 1;
                }

                Action attend = () => { foreach (Batch b in batches) b.EmbedAttend(model); };
                Action ort = () => { foreach (Batch b in batches) b.EmbedPeer(peer); };
                (double[] best, double[] cpu) = Timing.BestOfInterleavedRounds(rounds, seconds, attendOnly ? [attend] : [attend, ort]);
                int sentences = batches.Sum(b => b.Count);
                double ortMs = attendOnly ? double.NaN : best[1], ortCpu = attendOnly ? double.NaN : cpu[1];
                Console.WriteLine($"| {name} | {threads} | {best[0]:F2} | {ortMs:F2} | {sentences * 1e3 / best[0]:F0} | {sentences * 1e3 / ortMs:F0} | {ortMs / best[0]:F2}× | {cpu[0]:F2} | {ortCpu:F2} | {ortCpu / cpu[0]:F2}× | {cosine:F7} |");
            }
        }

        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>The lowest cosine between the two engines' embeddings of any text.</summary>
    private static double Compare(MiniLM model, OnnxRuntimeEmbedder peer, Batch[] batches)
    {
        double lowest = 1;
        foreach (Batch b in batches)
        {
            b.EmbedAttend(model);
            b.EmbedPeer(peer);
            for (int i = 0; i < b.Count; i++)
            {
                lowest = Math.Min(lowest, Cosine(b.Embeddings.AsSpan(i * Width, Width), b.PeerEmbeddings.AsSpan(i * Width, Width)));
            }
        }

        return lowest;
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            (dot, aa, bb) = (dot + (double)a[i] * b[i], aa + (double)a[i] * a[i], bb + (double)b[i] * b[i]);
        }

        return dot / Math.Sqrt(aa * bb);
    }

    /// <summary>The sample's documents sorted by token count, in batches of 32 padded to each batch's longest.</summary>
    private static Batch[] DocumentBatches(BertTokenizer tokenizer)
    {
        string[] texts = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "documents.txt")).Where(line => line.Length > 0).ToArray();
        string[] sorted = texts.OrderBy(text => tokenizer.CountTokens(text)).ToArray();
        return sorted.Chunk(32).Select(chunk => Batch.Of(chunk, tokenizer, null)).ToArray();
    }

    private static double TokeniseMilliseconds(BertTokenizer tokenizer, Batch[] batches)
    {
        double best = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (Batch b in batches) tokenizer.EncodeBatch(b.Texts, b.Ids, b.Mask, b.Types);
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>One tokenised batch, with both engines' inputs and outputs allocated once.</summary>
    private sealed class Batch
    {
        public string[] Texts = [];
        public int Count, Length;
        public int[] Ids = [], Mask = [], Types = [];
        public long[] Ids64 = [], Mask64 = [], Types64 = [];
        public float[] Hidden = [], Embeddings = [], PeerEmbeddings = [];

        /// <summary>Tokenises <paramref name="texts"/>, to exactly <paramref name="length"/> tokens or padded to the longest.</summary>
        public static Batch Of(string[] texts, BertTokenizer tokenizer, int? length)
        {
            int cells = texts.Length * (length ?? tokenizer.MaxLength);
            var b = new Batch { Texts = texts, Count = texts.Length, Ids = new int[cells], Mask = new int[cells], Types = new int[cells] };
            b.Length = length is { } fixedLength ? tokenizer.EncodeBatch(texts, b.Ids, b.Mask, b.Types, fixedLength) : tokenizer.EncodeBatch(texts, b.Ids, b.Mask, b.Types);
            int used = b.Count * b.Length;
            (b.Ids, b.Mask, b.Types) = (b.Ids[..used], b.Mask[..used], b.Types[..used]);
            b.Ids64 = b.Ids.Select(i => (long)i).ToArray();
            b.Mask64 = b.Mask.Select(i => (long)i).ToArray();
            b.Types64 = b.Types.Select(i => (long)i).ToArray();
            b.Hidden = new float[used * Width];
            b.Embeddings = new float[b.Count * Width];
            b.PeerEmbeddings = new float[b.Count * Width];
            return b;
        }

        public void EmbedAttend(MiniLM model) => model.Embed(Ids, Mask, Embeddings, Count, Length, Types);

        public void EmbedPeer(OnnxRuntimeEmbedder peer) => peer.Embed(Ids64, Mask64, Types64, Hidden, PeerEmbeddings, Count, Length);
    }
}

/// <summary>
/// <c>minilm-stages [--rows 4096]</c>: where one MiniLM forward (32 × 128 tokens) spends its time at one thread, each
/// stage's kernel timed alone on the real shapes by the thread's own CPU time (robust to a shared machine's time
/// slicing), with its GFLOP/s beside this core's measured Vector256 FMA peak.
/// </summary>
internal static class MiniLmStagesCommand
{
    private const int E = MiniLM.ModelDim, Mlp = 1536, Layers = 6, Heads = 12, DimHead = 32;

    public static int Run(string[] args)
    {
        int batch = 32, length = 128, rows = batch * length;
        double peak = FmaPeak.Vector256PerCore();
        var random = new Random(16);
        float[] Fill(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Console.WriteLine($"{DateTime.UtcNow:u}, path {KernelPaths.Best}, Vector256 FMA peak {peak:F1} GFLOP/s per thread; load: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| stage | per layer × 6 | ms per forward (CPU) | GFLOP/s | % of peak |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        double total = 0;
        void Row(string name, double flopsPerCall, int callsPerForward, Action action)
        {
            double ms = CpuMilliseconds(action);
            double perForward = ms * callsPerForward;
            total += perForward;
            string rate = flopsPerCall > 0 ? $"{flopsPerCall / ms / 1e6:F1}" : "–";
            string share = flopsPerCall > 0 ? $"{flopsPerCall / ms / 1e6 / peak * 100:F0} %" : "–";
            Console.WriteLine($"| {name} | {callsPerForward / Layers} | {perForward:F1} | {rate} | {share} |");
        }

        float[] x = Fill(rows * Mlp), y = new float[rows * Mlp];
        foreach ((string name, int inFeatures, int outFeatures) in new[] { ("QKV projection 384 → 1152", E, 3 * E), ("output projection 384 → 384", E, E), ("MLP up 384 → 1536", E, Mlp), ("MLP down 1536 → 384", Mlp, E) })
        {
            var weight = new PackedProjection(inFeatures, outFeatures);
            weight.Pack(Fill(inFeatures * outFeatures), WeightPrecision.Float32);
            float[] bias = Fill(outFeatures);
            Row(name, 2.0 * rows * inFeatures * outFeatures, Layers, () => ProjectionDriver.Forward(KernelPath.Auto, x, rows, inFeatures, weight, bias, inFeatures, outFeatures, y, outFeatures, 1));
            if (outFeatures == Mlp)
            {
                double before = total;
                Row($"{name} + GELU, fused (instead of the two rows)", 2.0 * rows * inFeatures * outFeatures, Layers, () => ProjectionDriver.Forward(KernelPath.Auto, x, rows, inFeatures, weight, bias, inFeatures, outFeatures, y, outFeatures, 1, FeedForwardActivation.Gelu));
                total = before;
            }
        }

        if (args.Contains("--projections-only"))
        {
            return 0;
        }

        float[] query = Fill(rows * E), key = Fill(rows * E), value = Fill(rows * E), context = new float[rows * E];
        long[] realKeys = Enumerable.Repeat((long)length, batch).ToArray();
        var core = new MiniLmCoreAttention { MaxDegreeOfParallelism = 1 };
        Row("attention (12 heads of 32, key lengths)", 4.0 * batch * Heads * length * length * DimHead, Layers, () =>
            core.Forward(new ScaledDotProductAttentionArguments
            {
                Layout = AttentionLayout.BatchSequenceHidden, Batch = batch, QueryLength = length, KeyLength = length,
                Query = query, Key = key, Value = value, Output = context, NonPadKeyLengths = realKeys,
            }));
        Row("GELU (erf) on [4096, 1536]", 0, Layers, () => Activations.Gelu(KernelPath.Auto, y.AsSpan(0, rows * Mlp), x.AsSpan(0, rows * Mlp)));
        float[] scale = Fill(E), shift = Fill(E), residual = Fill(rows * E), normed = new float[rows * E];
        Row("add + LayerNorm on [4096, 384]", 0, 2 * Layers, () => Normalization.AddLayerNorm(KernelPath.Auto, x.AsSpan(0, rows * E), residual, rows, E, scale, shift, 1e-12f, normed));

        MiniLM model = MiniLmPackage.LoadModel();
        model.MaxDegreeOfParallelism = 1;
        var (ids, mask, types) = LowPrecisionData.Tokens(MiniLmPackage.LoadTokenizer(), batch, length);
        float[] embeddings = new float[batch * E];
        double whole = CpuMilliseconds(() => model.Embed(ids, mask, embeddings, batch, length, types));
        Console.WriteLine($"| sum of the stages | | {total:F1} | | |");
        Console.WriteLine($"| whole Embed, 32 × 128 | | {whole:F1} | {ForwardFlops(batch, length) / whole / 1e6:F1} | {ForwardFlops(batch, length) / whole / 1e6 / peak * 100:F0} % |");
        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>Multiply-adds × 2 of one forward: the four projections and attention's two products, per layer.</summary>
    public static double ForwardFlops(int batch, int length) =>
        Layers * (2.0 * batch * length * (E * 3 * E + E * E + 2 * E * Mlp) + 4.0 * batch * Heads * length * length * DimHead);

    /// <summary>Best thread-CPU milliseconds of one call over several, after a warm-up.</summary>
    private static double CpuMilliseconds(Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < Timing.WarmUpSeconds) action();
        double best = double.MaxValue;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 5 || clock.Elapsed.TotalSeconds < 1.5; i++)
        {
            long start = CpuTime.ThreadNanoseconds();
            action();
            best = Math.Min(best, (CpuTime.ThreadNanoseconds() - start) / 1e6);
        }

        return best;
    }
}
