using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Attend.Kernels;

/// <summary>Reads named weights for generated <c>LoadWeights</c> methods, checking each name and shape.</summary>
public static class WeightLoading
{
    /// <summary>
    /// Reads <paramref name="prefix"/> + <paramref name="name"/> as float32 after checking that its shape is
    /// exactly <paramref name="expectedShape"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The source has no tensor of that name; the message lists the names it has under the prefix.</exception>
    /// <exception cref="InvalidDataException">The tensor's shape differs; the message gives the shape expected and the shape found.</exception>
    public static float[] Read(IWeightSource source, string prefix, string name, params long[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(source);
        string fullName = prefix + name;
        if (!source.TryGetInfo(fullName, out TensorInfo info))
        {
            string[] nearby = source.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(12).ToArray();
            string hint = nearby.Length == 0
                ? $"the source has no tensor starting with '{prefix}'; check the prefix"
                : $"tensors under '{prefix}': {string.Join(", ", nearby)}";
            throw new KeyNotFoundException($"Weight '{fullName}' {FormatShape(expectedShape)} is missing: {hint}.");
        }

        if (!info.Shape.SequenceEqual(expectedShape))
        {
            throw new InvalidDataException(
                $"Weight '{fullName}' has shape {info.ShapeText}; expected {FormatShape(expectedShape)}.");
        }

        float[] values = new float[info.ElementCount];
        source.ReadFloat32(fullName, values);
        return values;
    }

    /// <summary>
    /// Reads several tensors of the same <paramref name="expectedShape"/> and stacks them along their first dimension, in
    /// order: how separate <c>query</c>, <c>key</c> and <c>value</c> projections (Hugging Face BERT) become one packed
    /// query/key/value projection.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="InvalidDataException">A tensor's shape differs from <paramref name="expectedShape"/>.</exception>
    public static float[] ReadStacked(IWeightSource source, string prefix, string[] names, params long[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(names);
        long each = 1;
        foreach (long dimension in expectedShape) each *= dimension;
        float[] stacked = new float[each * names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            Read(source, prefix, names[i], expectedShape).CopyTo(stacked, each * i);
        }

        return stacked;
    }

    private static string FormatShape(long[] shape) => TensorInfo.FormatShape(shape);
}
