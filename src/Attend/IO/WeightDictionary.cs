using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Attend;

/// <summary>
/// An in-memory <see cref="IWeightSource"/> of float32 tensors, for weights that come from code
/// (tests, initialisers, another framework) rather than from a file.
/// </summary>
/// <example>
/// <code>
/// var weights = new WeightDictionary();
/// weights.Add("in_proj_weight", inProj, 3 * 512, 512);
/// weights.Add("in_proj_bias", inBias, 3 * 512);
/// </code>
/// </example>
public sealed class WeightDictionary : IWeightSource
{
    private readonly Dictionary<string, (TensorInfo Info, float[] Data)> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = new();
    private readonly ReadOnlyCollection<string> _readOnlyNames;

    /// <summary>Creates an empty dictionary.</summary>
    public WeightDictionary() => _readOnlyNames = _names.AsReadOnly();

    /// <summary>Tensor names in the order they were added.</summary>
    public IEnumerable<string> Names => _readOnlyNames;

    /// <summary>How many tensors have been added.</summary>
    public int Count => _names.Count;

    /// <summary>
    /// Adds a float32 tensor. The array is kept, not copied: later writes to it are seen by later reads.
    /// </summary>
    /// <param name="name">The tensor's name, e.g. <c>out_proj.weight</c>.</param>
    /// <param name="data">Row-major values; exactly the product of <paramref name="shape"/> of them.</param>
    /// <param name="shape">Dimensions; none for a scalar (which holds one value).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The name is empty or already present, a dimension is negative, or <paramref name="data"/> does
    /// not hold exactly the shape's element count.
    /// </exception>
    public void Add(string name, float[] data, params long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (_tensors.ContainsKey(name))
            throw new ArgumentException($"A tensor named '{name}' is already present.", nameof(name));

        long[] dimensions = (long[])shape.Clone();
        string shapeText = TensorInfo.FormatShape(dimensions);
        for (int i = 0; i < dimensions.Length; i++)
            if (dimensions[i] < 0)
                throw new ArgumentException($"Tensor '{name}': dimension {i} of shape {shapeText} is negative.", nameof(shape));
        long count = ElementCountUpTo(dimensions, Array.MaxLength + 1L);
        if (count != data.Length)
        {
            string countText = count > Array.MaxLength ? $"more than {Array.MaxLength}" : $"{count}";
            string hint = dimensions.Length == 0 ? $"; for a vector, pass its length: Add(name, data, {data.Length})" : string.Empty;
            throw new ArgumentException(
                $"Tensor '{name}': shape {shapeText} holds {countText} elements, but data has {data.Length}{hint}.", nameof(data));
        }

        _tensors.Add(name, (new TensorInfo(name, TensorDType.F32, Array.AsReadOnly(dimensions)), data));
        _names.Add(name);
    }

    /// <summary>The product of <paramref name="dimensions"/>, or <paramref name="cap"/> once it reaches it (so it cannot overflow).</summary>
    private static long ElementCountUpTo(long[] dimensions, long cap)
    {
        if (Array.IndexOf(dimensions, 0L) >= 0)
            return 0;
        long count = 1;
        foreach (long dimension in dimensions)
        {
            if (count > cap / dimension)
                return cap;
            count *= dimension;
        }
        return Math.Min(count, cap);
    }

    /// <inheritdoc />
    /// <remarks>When this returns false, <paramref name="info"/> is null.</remarks>
    public bool TryGetInfo(string name, out TensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_tensors.TryGetValue(name, out var tensor))
        {
            info = tensor.Info;
            return true;
        }
        info = null!;
        return false;
    }

    /// <inheritdoc />
    public void ReadFloat32(string name, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_tensors.TryGetValue(name, out var tensor))
            throw TensorNameSuggestions.Missing(name, _names, "the weight dictionary");
        if (destination.Length != tensor.Data.Length)
            throw new ArgumentException(
                $"destination holds {destination.Length} floats, but tensor '{name}' (F32 {tensor.Info.ShapeText}) has {tensor.Data.Length} elements; " +
                $"pass a span of exactly {tensor.Data.Length}.",
                nameof(destination));
        tensor.Data.CopyTo(destination);
    }
}
