using System;

namespace Attend;

/// <summary>
/// Declares scaled dot-product attention without projections, following the ONNX <c>Attention</c>
/// operator (opsets 23 and 24): grouped-query heads, causal and explicit masks, softcap, past and
/// present key/value, <c>nonpad_kv_seqlen</c> and the <c>qk_matmul_output</c> modes, chosen per call.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ScaledDotProductAttentionAttribute : Attribute
{
    /// <summary>Number of query heads (<c>q_num_heads</c>).</summary>
    public int Heads { get; set; }

    /// <summary>Number of key/value heads (<c>kv_num_heads</c>); 0 (the default) means <c>Heads</c>. Must divide <c>Heads</c>.</summary>
    public int KvHeads { get; set; }

    /// <summary>Width of one query/key head (D).</summary>
    public int DimHead { get; set; }

    /// <summary>Width of one value head (Dv); 0 (the default) means <c>DimHead</c>.</summary>
    public int ValueDimHead { get; set; }
}
