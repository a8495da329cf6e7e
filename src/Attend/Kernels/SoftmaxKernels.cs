using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>The numerically stable softmax generated layers share: the row maximum is subtracted first; a row with nothing to attend to yields zeros.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class SoftmaxKernels
{
    /// <summary>
    /// Replaces <paramref name="scores"/> with <c>exp(s − max) / Σ exp(s − max)</c>. Masked entries are −∞ and get 0.
    /// </summary>
    /// <returns>False, with the span cleared, when it is empty or every entry is −∞ (PyTorch would give NaN).</returns>
    public static bool SoftmaxInPlace(Span<float> scores)
    {
        float max = scores.IsEmpty ? float.NegativeInfinity : TensorPrimitives.Max(scores);
        if (float.IsNegativeInfinity(max))
        {
            scores.Clear();
            return false;
        }

        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Exp(scores, scores);
        TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
        return true;
    }
}
