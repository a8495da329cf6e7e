using System;

namespace Attend;

/// <summary>
/// Declares SimAM (Yang et al. 2021), a parameter-free attention for NCHW feature maps, as
/// <c>SimAM(e_lambda)</c> of xmu-xiaoma666/External-Attention-pytorch <c>model/attention/SimAM.py</c> (the authors'
/// <c>simam_module</c>): per channel plane, <c>d = (x − μ)²</c>, <c>e = d / (4 (Σd / (H·W − 1) + λ)) + ½</c>,
/// <c>y = x · σ(e)</c>. The module has no weights, so the class has no <c>LoadWeights</c>; the generator emits
/// <c>Channels</c>, <c>Lambda</c> and a <c>Forward</c> whose height and width are run-time arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SimAmAttribute : Attribute
{
    /// <summary>Number of channels C of the feature map.</summary>
    public int Channels { get; set; }

    /// <summary>λ (<c>e_lambda</c>), added to the variance; a positive finite number, default 1e-4 (the module's).</summary>
    public float Lambda { get; set; } = 1e-4f;
}
