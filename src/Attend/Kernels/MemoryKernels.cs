using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>Steps of Neural Turing Machine addressing that do not depend on the memory's width: interpolation and sharpening over N locations.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class MemoryKernels
{
    /// <summary>Content focus: <c>weights ← softmax(β · weights)</c> over the N locations, in place (the weights arrive holding the cosine similarities).</summary>
    public static void FocusByContent(Span<float> weights, float strength)
    {
        TensorPrimitives.Multiply(weights, strength, weights);
        SoftmaxKernels.SoftmaxInPlace(weights);
    }

    /// <summary>The interpolation gate: <c>destination = g·content + (1 − g)·previous</c>.</summary>
    public static void Interpolate(ReadOnlySpan<float> content, ReadOnlySpan<float> previous, float gate, Span<float> destination)
    {
        TensorPrimitives.Multiply(previous, 1f - gate, destination);
        TensorPrimitives.MultiplyAdd(content, gate, destination, destination);
    }

    /// <summary>
    /// Sharpening: <c>w_i ← w_i^γ / Σ_j w_j^γ</c>, computed as <c>(w_i / max w)^γ</c> first so a large γ cannot
    /// underflow every term to zero. A weighting of all zeros stays zeros.
    /// </summary>
    public static void Sharpen(Span<float> weights, float gamma)
    {
        float max = TensorPrimitives.Max(weights);
        if (!(max > 0f))
        {
            weights.Clear();
            return;
        }

        for (int i = 0; i < weights.Length; i++) weights[i] = MathF.Pow(weights[i] / max, gamma);
        TensorPrimitives.Divide(weights, TensorPrimitives.Sum(weights), weights);
    }
}
