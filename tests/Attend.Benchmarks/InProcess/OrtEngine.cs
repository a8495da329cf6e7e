using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// ONNX Runtime (<c>Microsoft.ML.OnnxRuntime</c>, CPU execution provider) the fastest way a .NET user can call it:
/// all graph optimizations, intra-op threads = N, inter-op 1, sequential execution, and inputs/outputs bound once
/// as <see cref="OrtValue"/>s over pinned arrays, so a timed call is <c>Run</c> alone (no copies, no allocations
/// of tensors). One session per thread count (intra-op threads are fixed when a session is created).
/// </summary>
public sealed class OrtEngine : IInProcessEngine
{
    private readonly byte[] _model;
    private readonly Dictionary<int, InferenceSession> _sessions = [];
    private readonly OrtPinnedValues _values = new();
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames = ["y"];
    private readonly OrtValue[] _outputs;
    private readonly float[] _output;
    private readonly RunOptions _runOptions = new();
    private InferenceSession? _session;

    public OrtEngine(MhaCase c)
    {
        _model = OnnxAttentionGraph.Build(c);
        int e = c.ModelDim;
        float[] x = OrtPinnedValues.Pinned(c.TimedInput);
        _output = GC.AllocateArray<float>(c.OutputRows * e, pinned: true);
        var inputs = new List<OrtValue> { _values.Over(x, 1, c.OutputRows, e) };
        _inputNames = c.Row.IsDecode ? ["x", "past_key", "past_value"] : ["x"];
        if (c.Row.IsDecode)
        {
            (float[] keys, float[] values) = c.HeadMajorCache(c.Length - 1);
            inputs.Add(_values.Over(OrtPinnedValues.Pinned<float>(keys), 1, c.Heads, c.Length - 1, c.DimHead));
            inputs.Add(_values.Over(OrtPinnedValues.Pinned<float>(values), 1, c.Heads, c.Length - 1, c.DimHead));
        }

        _inputs = [.. inputs];
        _outputs = [_values.Over(_output, 1, c.OutputRows, e)];
    }

    public string Name => "ONNX Runtime";

    public int Threads
    {
        set
        {
            if (!_sessions.TryGetValue(value, out _session))
            {
                using SessionOptions options = OrtPinnedValues.Options(value);
                _session = new InferenceSession(_model, options);
                _sessions[value] = _session;
            }
        }
    }

    public void Run() => _session!.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public float[] ReadOutput() => (float[])_output.Clone();

    public void Dispose()
    {
        foreach (InferenceSession session in _sessions.Values) session.Dispose();
        _values.Dispose();
        _runOptions.Dispose();
    }
}
