using System;

namespace Attend.Benchmarks.Digits;

/// <summary>One way of classifying the held-out split: Attend's generated <see cref="Attend.Samples.Digits.DigitsVit"/>, ONNX Runtime or libtorch.</summary>
internal interface IDigitsEngine : IDisposable
{
    string Name { get; }

    /// <summary>Makes the next <see cref="ClassifyAll"/> run <paramref name="batch"/> images a call on <paramref name="threads"/> threads (inputs and outputs bound here, not in the timed call).</summary>
    void Configure(int batch, int threads);

    /// <summary>Classifies every image of the split, writing <see cref="Logits"/>.</summary>
    void ClassifyAll();

    /// <summary><c>[Count, 10]</c> from the last <see cref="ClassifyAll"/>.</summary>
    float[] Logits { get; }
}
