using System;
using System.IO;
using System.Linq;
using Attend.Samples.Embeddings;
using Attend.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Benchmarks;

/// <summary>
/// The whole sentence-embedding call on all-MiniLM-L6-v2 (tokenise → encode → mean-pool → normalise), Attend against
/// ONNX Runtime 1.32 in this process on the package's own ONNX file: same texts, same tokenizer, every sequence exactly
/// <see cref="Tokens"/> real tokens. ORT is called the fastest way a user can: all graph optimisations, intra-op threads
/// = <see cref="Threads"/>, inputs and output bound once as <see cref="OrtValue"/>s over pinned arrays.
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- --filter '*EmbeddingBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class EmbeddingBenchmarks
{
    private const int Width = MiniLM.ModelDim;

    private MiniLM _model = null!;
    private BertTokenizer _tokenizer = null!;
    private string[] _texts = [];
    private int[] _ids = [], _mask = [], _types = [];
    private long[] _ids64 = [], _mask64 = [], _types64 = [];
    private float[] _hidden = [], _embeddings = [], _peerEmbeddings = [];
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [], _outputs = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params("1x8", "1x32", "1x128", "32x128")]
    public string Shape { get; set; } = "1x8";

    // Parsed once in setup: the timed calls must allocate nothing of their own.
    private int Batch { get; set; }

    private int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Batch = int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);
        Tokens = int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);
        _model = MiniLmPackage.LoadModel();
        _model.MaxDegreeOfParallelism = Threads;
        _tokenizer = MiniLmPackage.LoadTokenizer();
        int cells = Batch * Tokens;
        (_ids, _mask, _types) = (new int[cells], new int[cells], new int[cells]);
        (_ids64, _mask64, _types64) = (new long[cells], new long[cells], new long[cells]);
        _hidden = new float[cells * Width];
        _embeddings = new float[Batch * Width];
        _peerEmbeddings = new float[Batch * Width];
        _texts = DocumentTexts(Batch, Tokens, _tokenizer);

        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(MiniLmPackage.OnnxModelBytes(), options);
        _runOptions = new RunOptions();
        long[] shape = { Batch, Tokens };
        _inputs = [OrtValue.CreateTensorValueFromMemory(_ids64, shape), OrtValue.CreateTensorValueFromMemory(_mask64, shape), OrtValue.CreateTensorValueFromMemory(_types64, shape)];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_hidden, new long[] { Batch, Tokens, Width })];

        // Both compute the same thing, or the timing means nothing.
        Attend();
        OnnxRuntime();
        for (int b = 0; b < Batch; b++)
        {
            double dot = 0;
            for (int i = 0; i < Width; i++) dot += (double)_embeddings[b * Width + i] * _peerEmbeddings[b * Width + i];
            if (dot < 0.99999) throw new InvalidOperationException($"Attend and ONNX Runtime disagree on text {b}: cosine {dot}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (OrtValue value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime()
    {
        _tokenizer.EncodeBatch(_texts, _ids, _mask, _types, Tokens);
        for (int i = 0; i < _ids.Length; i++) (_ids64[i], _mask64[i], _types64[i]) = (_ids[i], _mask[i], _types[i]);
        _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        MeanPoolNormalize(_hidden, _mask, _peerEmbeddings, Batch, Tokens);
    }

    [Benchmark]
    public void Attend()
    {
        _tokenizer.EncodeBatch(_texts, _ids, _mask, _types, Tokens);
        _model.Embed(_ids, _mask, _embeddings, Batch, Tokens, _types);
    }

    internal static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    internal static readonly string[] OutputNames = ["last_hidden_state"];

    /// <summary><paramref name="batch"/> texts from the tests' documentation corpus, each at least <paramref name="tokens"/> tokens (then truncated to exactly that).</summary>
    internal static string[] DocumentTexts(int batch, int tokens, BertTokenizer tokenizer)
    {
        string[] corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "bert", "sentences.txt"));
        var texts = new string[batch];
        int next = 0;
        for (int b = 0; b < batch; b++)
        {
            string text = "";
            while (tokenizer.CountTokens(text) < tokens) text += " " + corpus[next++ % corpus.Length];
            texts[b] = text.Trim();
        }

        return texts;
    }

    internal static void MeanPoolNormalize(float[] hidden, int[] mask, float[] embeddings, int batch, int length)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> sum = embeddings.AsSpan(b * Width, Width);
            sum.Clear();
            int real = 0;
            for (int t = 0; t < length; t++)
            {
                if (mask[b * length + t] == 0) continue;
                real++;
                System.Numerics.Tensors.TensorPrimitives.Add(sum, hidden.AsSpan((b * length + t) * Width, Width), sum);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(sum, 1f / Math.Max(real, 1), sum);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(sum);
            System.Numerics.Tensors.TensorPrimitives.Multiply(sum, 1f / Math.Max(norm, 1e-12f), sum);
        }
    }
}
