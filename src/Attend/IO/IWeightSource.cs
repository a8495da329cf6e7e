using System;
using System.Collections.Generic;

namespace Attend;

/// <summary>
/// Named tensors a generated layer loads its weights from: a safetensors file
/// (<c>SafeTensors.Open(path)</c>), an in-memory dictionary, or anything else that can
/// describe a tensor and convert it to float32.
/// </summary>
public interface IWeightSource
{
    /// <summary>The names of every tensor the source holds.</summary>
    IEnumerable<string> Names { get; }

    /// <summary>Looks a tensor up by its exact name.</summary>
    /// <returns>false when the source has no tensor of that name.</returns>
    bool TryGetInfo(string name, out TensorInfo info);

    /// <summary>
    /// Copies a tensor into <paramref name="destination"/> converted to float32 (F16 and BF16 widen
    /// exactly; integers and booleans convert by value).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly the tensor's element count.</exception>
    void ReadFloat32(string name, Span<float> destination);
}
