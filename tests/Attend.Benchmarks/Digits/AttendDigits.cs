using System;
using System.Collections.Generic;
using Attend.Samples.Digits;

namespace Attend.Benchmarks.Digits;

/// <summary>The sample's own declaration (<see cref="DigitsVit"/>, generated at compile time) on the sample's weights.</summary>
internal sealed class AttendDigits : IDigitsEngine
{
    private readonly DigitsTestSet _set;
    private readonly DigitsVit _model = new();
    private IReadOnlyList<(int Start, int Count)> _calls = [];

    public AttendDigits(DigitsTestSet set)
    {
        _set = set;
        using SafeTensorsFile weights = SafeTensors.Open(DigitsTestSet.WeightsPath);
        _model.LoadWeights(weights);
        Logits = new float[set.Count * DigitsTestSet.Classes];
    }

    public string Name => "Attend";

    public float[] Logits { get; }

    public void Configure(int batch, int threads)
    {
        _calls = _set.Calls(batch);
        _model.MaxDegreeOfParallelism = threads;
    }

    public void ClassifyAll()
    {
        foreach ((int start, int count) call in _calls)
        {
            _model.Forward(_set.ImagesOf(call), Logits.AsSpan(call.start * DigitsTestSet.Classes, call.count * DigitsTestSet.Classes), call.count);
        }
    }

    public void Dispose()
    {
    }
}
