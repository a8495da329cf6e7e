using System;

namespace Attend;

/// <summary>
/// Declares a vision transformer classifier as lucidrains/vit-pytorch's <c>ViT</c>: square images cut into patches,
/// each patch embedded linearly, a class token prepended, a learned position embedding added, a pre-norm transformer
/// encoder, pooling, and a linear head. Weights load under that module's <c>state_dict</c> names.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class VisionTransformerAttribute : Attribute
{
    /// <summary>Image height and width in pixels.</summary>
    public int ImageSize { get; set; }

    /// <summary>Patch height and width in pixels; must divide <see cref="ImageSize"/>.</summary>
    public int PatchSize { get; set; }

    /// <summary>Image channels; 0 (the default) means 3.</summary>
    public int Channels { get; set; }

    /// <summary>Number of classes (<c>num_classes</c>).</summary>
    public int Classes { get; set; }

    /// <summary>Token width (<c>dim</c>).</summary>
    public int ModelDim { get; set; }

    /// <summary>Number of encoder layers.</summary>
    public int Depth { get; set; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; set; }

    /// <summary>Width of one head (<c>dim_head</c>); 0 (the default) means 64, lucidrains' default.</summary>
    public int DimHead { get; set; }

    /// <summary>Hidden width of the feed-forward networks (<c>mlp_dim</c>).</summary>
    public int MlpDim { get; set; }

    /// <summary>Class token or mean pooling (<c>pool</c>).</summary>
    public Pooling Pooling { get; set; }

    /// <summary>
    /// <see cref="TransformerWeightNaming.Vit"/> (the default is the current lucidrains <c>ViT</c>: patch embedding
    /// <c>LayerNorm → Linear → LayerNorm</c>, final <c>transformer.norm</c>, <c>mlp_head</c> a Linear) or
    /// <see cref="TransformerWeightNaming.VitPreNorm"/> (the older one: patch embedding a Linear, <c>PreNorm</c> layers,
    /// <c>mlp_head</c> = LayerNorm then Linear).
    /// </summary>
    public TransformerWeightNaming WeightNaming { get; set; } = TransformerWeightNaming.Vit;

    /// <summary>The layer norms' ε; 0 (the default) means PyTorch's 1e-5.</summary>
    public float LayerNormEpsilon { get; set; }

    /// <summary>
    /// How <c>LoadWeights</c> stores the projection weights (Q/K/V, output, feed-forward): <see cref="WeightPrecision.Float32"/>
    /// (the default), <see cref="WeightPrecision.BFloat16"/> (half the bytes), <see cref="WeightPrecision.Int8"/> (a quarter) or
    /// <see cref="WeightPrecision.Int8ByteActivations"/> (a quarter, and activations rounded to bytes: faster with VNNI).
    /// The generated class's <c>WeightPrecision</c> property starts at this value and may be changed before a <c>LoadWeights</c>.
    /// </summary>
    public WeightPrecision WeightPrecision { get; set; }
}
