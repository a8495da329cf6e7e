using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>Element-wise steps of attention pooling that do not depend on a layer's widths.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class PoolingKernels
{
    /// <summary><c>values ← tanh(values)</c>; the scalar path uses <see cref="MathF.Tanh"/> so it stays free of vector instructions.</summary>
    public static void Tanh(KernelPath path, Span<float> values)
    {
        if (KernelPaths.Resolve(path) == KernelPath.Scalar)
        {
            for (int i = 0; i < values.Length; i++) values[i] = MathF.Tanh(values[i]);
            return;
        }

        TensorPrimitives.Tanh(values, values);
    }

    /// <summary>Sets the score of every padded position (<c>true</c>, PyTorch's polarity) to −∞, so softmax gives it no weight.</summary>
    public static void MaskPadded(Span<float> scores, ReadOnlySpan<bool> padded)
    {
        for (int t = 0; t < scores.Length; t++)
        {
            if (padded[t]) scores[t] = float.NegativeInfinity;
        }
    }
}
