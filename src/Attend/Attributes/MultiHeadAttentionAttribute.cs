using System;

namespace Attend;

/// <summary>
/// Declares a multi-head attention layer mirroring <c>torch.nn.MultiheadAttention(batch_first=True)</c>.
/// The source generator emits, on the <c>partial</c> class it decorates, constants for the shapes,
/// <c>LoadWeights</c> (PyTorch's <c>state_dict</c> names) and a <c>Forward</c> specialized for them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MultiHeadAttentionAttribute : Attribute
{
    /// <summary>Model width E (<c>embed_dim</c>): the feature size of queries and outputs.</summary>
    public int ModelDim { get; set; }

    /// <summary>Number of attention heads (<c>num_heads</c>).</summary>
    public int Heads { get; set; }

    /// <summary>Width of one head; 0 (the default) means <c>ModelDim / Heads</c>.</summary>
    public int DimHead { get; set; }

    /// <summary>Whether the projections have biases (<c>bias</c>); default true.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Feature size of keys (<c>kdim</c>); 0 (the default) means <c>ModelDim</c>.</summary>
    public int KeyDim { get; set; }

    /// <summary>Feature size of values (<c>vdim</c>); 0 (the default) means <c>ModelDim</c>.</summary>
    public int ValueDim { get; set; }

    /// <summary>Masks applied by every forward pass; <see cref="AttentionMask.KeyPadding"/> adds a run-time argument.</summary>
    public AttentionMask Mask { get; set; }

    /// <summary>Score scale; 0 (the default) means <c>1 / sqrt(DimHead)</c>.</summary>
    public float Scale { get; set; }

    /// <summary>
    /// Number of key/value heads (grouped-query attention); 0 (the default) means <see cref="Heads"/>, 1 is multi-query
    /// attention. <c>in_proj_weight</c> then holds <c>Heads·DimHead</c> query rows and <c>KvHeads·DimHead</c> key and value rows.
    /// </summary>
    public int KvHeads { get; set; }

    /// <summary>
    /// Sliding-window (local) attention: 0 (the default) is off; <c>w</c> lets query <c>i</c> see keys <c>j</c> with
    /// <c>i − w &lt; j</c> (and <c>j ≤ i</c> when causal, <c>j &lt; i + w</c> otherwise).
    /// </summary>
    public int Window { get; set; }

    /// <summary>
    /// How <c>LoadWeights</c> stores the projection weights (in, out): <see cref="WeightPrecision.Float32"/>,
    /// <see cref="WeightPrecision.BFloat16"/> (half the bytes), <see cref="WeightPrecision.Int8"/> (a quarter) or
    /// <see cref="WeightPrecision.Int8ByteActivations"/> (a quarter, and activations rounded to bytes: faster with VNNI).
    /// Naming it at all (even <see cref="WeightPrecision.Float32"/>) gives the generated class a <c>WeightPrecision</c>
    /// property that starts at this value and may be changed before a <c>LoadWeights</c>; left unset, the layer keeps
    /// plain float panels and has no such property. Activations, attention and the KV cache stay as they are.
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; }
}
