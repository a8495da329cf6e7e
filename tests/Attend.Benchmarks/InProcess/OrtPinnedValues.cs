using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// The <see cref="OrtValue"/>s of a peer's inputs and outputs, each created once over a pinned array so that a timed
/// <c>Run</c> reads and writes that array in place (no copies, no tensor allocations); disposed together. Also the
/// session options every in-process ONNX Runtime peer uses.
/// </summary>
internal sealed class OrtPinnedValues : IDisposable
{
    private readonly List<OrtValue> _values = [];

    /// <summary>All graph optimizations, intra-op threads = <paramref name="threads"/>, inter-op 1, sequential execution.</summary>
    public static SessionOptions Options(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
    };

    /// <summary>A pinned copy of <paramref name="values"/>.</summary>
    public static T[] Pinned<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        T[] pinned = GC.AllocateArray<T>(values.Length, pinned: true);
        values.CopyTo(pinned);
        return pinned;
    }

    /// <summary>A tensor of <paramref name="shape"/> over <paramref name="pinned"/> (from <see cref="Pinned{T}"/> or <c>GC.AllocateArray(…, pinned: true)</c>).</summary>
    public OrtValue Over<T>(T[] pinned, params long[] shape)
        where T : unmanaged
    {
        OrtValue value = OrtValue.CreateTensorValueFromMemory(pinned, shape);
        _values.Add(value);
        return value;
    }

    public void Dispose()
    {
        foreach (OrtValue value in _values) value.Dispose();
        _values.Clear();
    }
}
