using System;

namespace Attend;

/// <summary>
/// Declares Nadaraya–Watson kernel regression as attention pooling (d2l.ai 11.2) with a Gaussian kernel:
/// <c>α_ij = softmax_j(−‖(q_i − k_j)·w‖² / 2)</c>, <c>y_i = Σ_j α_ij v_j</c>. Non-parametric with a fixed
/// <see cref="Bandwidth"/> σ (<c>w = 1/σ</c>), or with a learnable <c>w</c> loaded from the weights
/// (d2l's <c>NWKernelRegression</c>, <c>state_dict</c> name <c>w</c>, shape <c>[1]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NadarayaWatsonAttribute : Attribute
{
    /// <summary>Features per query and key; default 1 (scalar inputs, as in d2l).</summary>
    public int Dim { get; set; } = 1;

    /// <summary>Features per value and output; default 1.</summary>
    public int ValueDim { get; set; } = 1;

    /// <summary>Whether the kernel width <c>w</c> is a learned weight (<c>LoadWeights</c> reads <c>w</c> [1]); default false.</summary>
    public bool LearnableWidth { get; set; }

    /// <summary>The Gaussian's standard deviation σ for the non-parametric variant; 0 (the default) means 1, d2l's kernel.</summary>
    public float Bandwidth { get; set; }
}
