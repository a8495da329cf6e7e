using System;

namespace Attend.Benchmarks.InProcess;

/// <summary>One engine computing one row of the table in this process: Attend, ONNX Runtime or libtorch.</summary>
public interface IInProcessEngine : IDisposable
{
    /// <summary>Column name; may name the variant chosen (e.g. which libtorch formulation).</summary>
    string Name { get; }

    /// <summary>Threads the next calls of <see cref="Run"/> may use.</summary>
    int Threads { set; }

    /// <summary>One timed call: the forward pass of the row (for decode, one new token against the cache).</summary>
    void Run();

    /// <summary>The last call's output, <c>[OutputRows, E]</c>, copied out (not timed).</summary>
    float[] ReadOutput();
}
