using System;

namespace Attend;

/// <summary>
/// Declares the read and write heads of a Neural Turing Machine (Graves et al. 2014) over a memory of
/// <see cref="MemoryRows"/> × <see cref="MemoryWidth"/>. The generator emits content addressing
/// (cosine similarity × key strength β, softmax over rows), the full addressing pipeline (interpolation with the
/// previous weighting, circular convolution shift over ±<see cref="ShiftRadius"/>, sharpening by γ), reads
/// <c>r = wᵀM</c>, and writes <c>M ← M ∘ (1 − w eᵀ) + w aᵀ</c>.
/// </summary>
/// <remarks>
/// The head parameters arrive already activated, as a controller's output layer produces them:
/// β ≥ 0 (softplus), g ∈ [0, 1] (sigmoid), the shift a distribution over <c>2·ShiftRadius + 1</c> offsets (softmax),
/// γ ≥ 1 (1 + softplus), erase ∈ [0, 1] (sigmoid). The layer has no weights.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MemoryHeadsAttribute : Attribute
{
    /// <summary>Number of memory locations N.</summary>
    public int MemoryRows { get; set; }

    /// <summary>Width W of one memory location (the paper's M).</summary>
    public int MemoryWidth { get; set; }

    /// <summary>Largest shift R: the shift weighting covers offsets <c>−R..R</c>; default 1 (the paper's −1, 0, +1).</summary>
    public int ShiftRadius { get; set; } = 1;

    /// <summary>Added to <c>|k|·|M_i|</c> in the cosine similarity's denominator; default 1e-8.</summary>
    public float Epsilon { get; set; } = 1e-8f;
}
