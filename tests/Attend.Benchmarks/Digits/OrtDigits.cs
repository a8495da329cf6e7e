using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Benchmarks.Digits;

/// <summary>
/// ONNX Runtime on <c>models/digits_vit.onnx</c> (torch.onnx.export of train.py's model, written by
/// <c>scripts/export_digits_peers.py</c>) the way <see cref="InProcess.OrtEngine"/> calls it: all graph optimizations,
/// intra-op threads = N, inter-op 1, sequential execution, every call's input and output bound once as an
/// <see cref="OrtValue"/> over a slice of a pinned array, so a timed call is <c>Run</c> alone.
/// </summary>
internal sealed class OrtDigits : IDigitsEngine
{
    private static readonly string[] InputNames = ["images"], OutputNames = ["logits"];
    private readonly DigitsTestSet _set;
    private readonly byte[] _model = File.ReadAllBytes(ModelPath);
    private readonly Dictionary<int, InferenceSession> _sessions = [];
    private readonly Dictionary<int, (OrtValue[] Input, OrtValue[] Output)[]> _bindings = [];
    private readonly RunOptions _runOptions = new();
    private InferenceSession? _session;
    private (OrtValue[] Input, OrtValue[] Output)[] _calls = [];

    public OrtDigits(DigitsTestSet set)
    {
        _set = set;
        Logits = GC.AllocateArray<float>(set.Count * DigitsTestSet.Classes, pinned: true);
    }

    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models", "digits_vit.onnx");

    public string Name => "ONNX Runtime";

    public float[] Logits { get; }

    public void Configure(int batch, int threads)
    {
        if (!_sessions.TryGetValue(threads, out _session))
        {
            using SessionOptions options = Options(threads);
            _sessions[threads] = _session = new InferenceSession(_model, options);
        }

        if (!_bindings.TryGetValue(batch, out _calls!))
        {
            _bindings[batch] = _calls = _set.Calls(batch).Select(call => (
                new[] { Over(_set.Images, call.Start * DigitsTestSet.PixelsPerImage, call.Count, DigitsTestSet.PixelsPerImage, 1, 8, 8) },
                new[] { Over(Logits, call.Start * DigitsTestSet.Classes, call.Count, DigitsTestSet.Classes, DigitsTestSet.Classes) })).ToArray();
        }
    }

    public void ClassifyAll()
    {
        foreach ((OrtValue[] input, OrtValue[] output) in _calls) _session!.Run(_runOptions, InputNames, input, OutputNames, output);
    }

    /// <summary>Writes the graph ONNX Runtime runs after its optimizations (what it fused) to <paramref name="path"/>.</summary>
    public static void WriteOptimizedGraph(string path)
    {
        using SessionOptions options = Options(1);
        options.OptimizedModelFilePath = path;
        using var session = new InferenceSession(ModelPath, options);
    }

    public void Dispose()
    {
        foreach (InferenceSession session in _sessions.Values) session.Dispose();
        foreach (OrtValue value in _bindings.Values.SelectMany(calls => calls).SelectMany(call => call.Input.Concat(call.Output))) value.Dispose();
        _runOptions.Dispose();
    }

    private static SessionOptions Options(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
    };

    /// <summary>A tensor <c>[count, ...itemShape]</c> over <paramref name="pinned"/> from element <paramref name="offset"/>.</summary>
    private static OrtValue Over(float[] pinned, int offset, int count, int itemLength, params long[] itemShape) =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pinned.AsMemory(offset, count * itemLength), [count, .. itemShape]);
}
