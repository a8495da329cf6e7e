using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The constants of one <c>[MultiHeadAttention]</c> declaration, as a type: the generator emits a tiny struct that
/// implements this interface with literal values, and <see cref="MultiHeadAttentionCore{TShape, THeadKernels}"/> is
/// instantiated over it. Generic code over a struct is compiled once per struct, so every member below is a constant
/// the JIT folds: the shape-independent code is written once, in the runtime, and still runs specialized per layer.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code implements it: kept out of users' IntelliSense
public interface IMultiHeadAttentionShape
{
    /// <summary>Model width E (<c>embed_dim</c>): the feature size of queries and outputs.</summary>
    static abstract int ModelDim { get; }

    /// <summary>Number of query heads (<c>num_heads</c>).</summary>
    static abstract int Heads { get; }

    /// <summary>Number of key/value heads; equal to <see cref="Heads"/> unless the layer is grouped-query.</summary>
    static abstract int KvHeads { get; }

    /// <summary>Width of one head.</summary>
    static abstract int DimHead { get; }

    /// <summary>Feature size of the keys (<c>kdim</c>).</summary>
    static abstract int KeyDim { get; }

    /// <summary>Feature size of the values (<c>vdim</c>).</summary>
    static abstract int ValueDim { get; }

    /// <summary>The factor the scores are multiplied by.</summary>
    static abstract float Scale { get; }

    /// <summary>Whether query i sees only keys 0..i.</summary>
    static abstract bool Causal { get; }

    /// <summary>Sliding attention window; 0 for none.</summary>
    static abstract int Window { get; }

    /// <summary>Whether the projections have biases (<c>in_proj_bias</c>, <c>out_proj.bias</c>).</summary>
    static abstract bool Bias { get; }

    /// <summary>Whether <c>Forward</c> requires a key padding mask (<c>Mask = KeyPadding</c>).</summary>
    static abstract bool RequiresKeyPadding { get; }

    /// <summary>
    /// Whether the projections are stored as <see cref="PackedProjection"/> (the declaration names a <c>WeightPrecision</c>)
    /// rather than as float panels.
    /// </summary>
    static abstract bool CompactWeights { get; }
}
