using System;
using System.Collections.Generic;

namespace Attend;

/// <summary>The name, element type and shape of one tensor in a <see cref="IWeightSource"/>.</summary>
/// <param name="Name">The tensor's key, e.g. <c>layers.0.self_attn.in_proj_weight</c>.</param>
/// <param name="DType">The element type as stored.</param>
/// <param name="Shape">Row-major dimensions; empty for a scalar.</param>
public sealed record TensorInfo(string Name, TensorDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dimension in Shape) count *= dimension;
            return count;
        }
    }

    /// <summary>The shape as PyTorch prints it, e.g. <c>[45, 15]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats dimensions as <c>[a, b, c]</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Formats dimensions as <c>[a, b, c]</c>.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
