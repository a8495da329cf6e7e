using System;
using System.Collections.Generic;
using System.Linq;

namespace Attend.Tests.Layers;

// Every generated layer the Layers tests run. The generator emits each class's body; the interfaces below only
// name the members the generated code already has, so tests can drive any declared shape through one code path.

// ---- Multi-head attention (torch.nn.MultiheadAttention, batch_first=True) ----

/// <summary>mha_self_none_small, mha_self_key_padding_small (optional mask), mha_cross_small.</summary>
[MultiHeadAttention(ModelDim = 15, Heads = 3)]
internal partial class MhaE15H3 : IMultiHeadAttentionLayer;

/// <summary>mha_self_causal_small.</summary>
[MultiHeadAttention(ModelDim = 15, Heads = 3, Mask = AttentionMask.Causal)]
internal partial class MhaE15H3Causal : IMultiHeadAttentionLayer;

/// <summary>mha_self_key_padding_small.</summary>
[MultiHeadAttention(ModelDim = 15, Heads = 3, Mask = AttentionMask.KeyPadding)]
internal partial class MhaE15H3KeyPadding : IMultiHeadAttentionLayer;

/// <summary>mha_self_none_medium.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4)]
internal partial class MhaE256H4 : IMultiHeadAttentionLayer;

/// <summary>mha_self_causal_medium.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4, Mask = AttentionMask.Causal)]
internal partial class MhaE256H4Causal : IMultiHeadAttentionLayer;

/// <summary>mha_self_key_padding_medium.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4, Mask = AttentionMask.KeyPadding)]
internal partial class MhaE256H4KeyPadding : IMultiHeadAttentionLayer;

/// <summary>mha_cross_medium.</summary>
[MultiHeadAttention(ModelDim = 128, Heads = 4)]
internal partial class MhaE128H4 : IMultiHeadAttentionLayer;

/// <summary>Differential: odd sizes, DimHead = 17.</summary>
[MultiHeadAttention(ModelDim = 51, Heads = 3)]
internal partial class MhaE51H3 : IMultiHeadAttentionLayer;

/// <summary>Differential: odd sizes, DimHead = 17, causal.</summary>
[MultiHeadAttention(ModelDim = 51, Heads = 3, Mask = AttentionMask.Causal)]
internal partial class MhaE51H3Causal : IMultiHeadAttentionLayer;

/// <summary>Differential: DimHead = 1.</summary>
[MultiHeadAttention(ModelDim = 8, Heads = 8)]
internal partial class MhaE8H8 : IMultiHeadAttentionLayer;

/// <summary>
/// Differential: everything the attribute can change at once. DimHead ≠ ModelDim / Heads, kdim and vdim ≠ embed_dim
/// (separate q/k/v_proj_weight), no bias, an explicit scale, causal and a required key padding mask.
/// </summary>
[MultiHeadAttention(ModelDim = 20, Heads = 2, DimHead = 7, KeyDim = 10, ValueDim = 6, Bias = false, Scale = 0.3f,
    Mask = AttentionMask.Causal | AttentionMask.KeyPadding)]
internal partial class MhaE20H2D7Kv10V6 : IMultiHeadAttentionLayer;

// ---- Scaled dot-product attention (ONNX Attention) ----

/// <summary>sdpa_*_small.</summary>
[ScaledDotProductAttention(Heads = 3, DimHead = 5)]
internal partial class SdpaH3D5 : IScaledDotProductAttentionLayer;

/// <summary>sdpa_*_medium; differential D = 64.</summary>
[ScaledDotProductAttention(Heads = 2, DimHead = 64)]
internal partial class SdpaH2D64 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: 3 heads of 8 (the plain 3-D and 4-D cases).</summary>
[ScaledDotProductAttention(Heads = 3, KvHeads = 3, DimHead = 8, ValueDimHead = 8)]
internal partial class SdpaH3D8 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: diff_heads_sizes (Dv = 10).</summary>
[ScaledDotProductAttention(Heads = 3, KvHeads = 3, DimHead = 8, ValueDimHead = 10)]
internal partial class SdpaH3D8Dv10 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: GQA 9/3.</summary>
[ScaledDotProductAttention(Heads = 9, KvHeads = 3, DimHead = 8, ValueDimHead = 8)]
internal partial class SdpaH9Kv3D8 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: 2 heads of 8 (fully masked rows, nonpad).</summary>
[ScaledDotProductAttention(Heads = 2, KvHeads = 2, DimHead = 8, ValueDimHead = 8)]
internal partial class SdpaH2D8 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: GQA 4/2 decode.</summary>
[ScaledDotProductAttention(Heads = 4, KvHeads = 2, DimHead = 8, ValueDimHead = 8)]
internal partial class SdpaH4Kv2D8 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: one head of 8 (softcap_neginf_mask_poison).</summary>
[ScaledDotProductAttention(Heads = 1, KvHeads = 1, DimHead = 8, ValueDimHead = 8)]
internal partial class SdpaH1D8 : IScaledDotProductAttentionLayer;

/// <summary>ONNX: 3d_transpose_verification (3 heads of 4).</summary>
[ScaledDotProductAttention(Heads = 3, KvHeads = 3, DimHead = 4, ValueDimHead = 4)]
internal partial class SdpaH3D4 : IScaledDotProductAttentionLayer;

/// <summary>Differential: D = 1.</summary>
[ScaledDotProductAttention(Heads = 2, DimHead = 1)]
internal partial class SdpaH2D1 : IScaledDotProductAttentionLayer;

/// <summary>Differential: D = 3, Dv = 5, 3 query heads over 1 key/value head (multi-query).</summary>
[ScaledDotProductAttention(Heads = 3, KvHeads = 1, DimHead = 3, ValueDimHead = 5)]
internal partial class SdpaH3Kv1D3Dv5 : IScaledDotProductAttentionLayer;

/// <summary>Differential: D = 17.</summary>
[ScaledDotProductAttention(Heads = 2, DimHead = 17)]
internal partial class SdpaH2D17 : IScaledDotProductAttentionLayer;

/// <summary>Differential: D = 80, Dv = 48.</summary>
[ScaledDotProductAttention(Heads = 2, DimHead = 80, ValueDimHead = 48)]
internal partial class SdpaH2D80Dv48 : IScaledDotProductAttentionLayer;

/// <summary>Differential: D = 128, 2 query heads over 1 key/value head.</summary>
[ScaledDotProductAttention(Heads = 2, KvHeads = 1, DimHead = 128)]
internal partial class SdpaH2Kv1D128 : IScaledDotProductAttentionLayer;

/// <summary>The members every generated <c>[MultiHeadAttention]</c> class has (implemented by the generated code).</summary>
internal interface IMultiHeadAttentionLayer
{
    KernelPath Path { get; set; }

    int MaxDegreeOfParallelism { get; set; }

    void LoadWeights(IWeightSource source, string prefix = "");

    void Forward(ReadOnlySpan<float> query, Span<float> output, int batch, int queryLength, ReadOnlySpan<float> key = default,
        ReadOnlySpan<float> value = default, int keyLength = 0, ReadOnlySpan<bool> keyPaddingMask = default, Span<float> attentionWeights = default);
}

/// <summary>The members every generated <c>[ScaledDotProductAttention]</c> class has (implemented by the generated code).</summary>
internal interface IScaledDotProductAttentionLayer
{
    KernelPath Path { get; set; }

    int MaxDegreeOfParallelism { get; set; }

    void Forward(scoped in ScaledDotProductAttentionArguments arguments);
}

/// <summary>
/// A declared <c>[MultiHeadAttention]</c> class and the attribute values it was declared with (KeyDim and ValueDim are
/// private constants of the generated class, so they are repeated here; <see cref="DeclaredLayers"/> cross-checks the rest).
/// </summary>
internal sealed record MhaDeclaration(
    string Name, int ModelDim, int Heads, int DimHead, int KeyDim, int ValueDim, bool Bias, float Scale, bool Causal, bool KeyPadding,
    Func<IMultiHeadAttentionLayer> Create)
{
    public int InnerDim => Heads * DimHead;

    /// <summary>Whether the projections are PyTorch's packed <c>in_proj_weight</c> (kdim = vdim = embed_dim).</summary>
    public bool PackedProjection => KeyDim == ModelDim && ValueDim == ModelDim;

    public override string ToString() => Name;
}

/// <summary>A declared <c>[ScaledDotProductAttention]</c> class, keyed by its compile-time shape.</summary>
internal sealed record SdpaDeclaration(string Name, int Heads, int KvHeads, int DimHead, int ValueDimHead, Func<IScaledDotProductAttentionLayer> Create)
{
    public (int Heads, int KvHeads, int DimHead, int ValueDimHead) Key => (Heads, KvHeads, DimHead, ValueDimHead);

    public override string ToString() => Name;
}

/// <summary>Registries of the classes declared above, looked up by shape.</summary>
internal static class DeclaredLayers
{
    /// <summary>Every declared MHA class by name.</summary>
    public static IReadOnlyDictionary<string, MhaDeclaration> Mha { get; } = new[]
    {
        MhaRow(nameof(MhaE15H3), MhaE15H3.ModelDim, MhaE15H3.Heads, MhaE15H3.DimHead, 15, 15, true, 0f, false, false, () => new MhaE15H3()),
        MhaRow(nameof(MhaE15H3Causal), MhaE15H3Causal.ModelDim, MhaE15H3Causal.Heads, MhaE15H3Causal.DimHead, 15, 15, true, 0f, true, false, () => new MhaE15H3Causal()),
        MhaRow(nameof(MhaE15H3KeyPadding), MhaE15H3KeyPadding.ModelDim, MhaE15H3KeyPadding.Heads, MhaE15H3KeyPadding.DimHead, 15, 15, true, 0f, false, true, () => new MhaE15H3KeyPadding()),
        MhaRow(nameof(MhaE256H4), MhaE256H4.ModelDim, MhaE256H4.Heads, MhaE256H4.DimHead, 256, 256, true, 0f, false, false, () => new MhaE256H4()),
        MhaRow(nameof(MhaE256H4Causal), MhaE256H4Causal.ModelDim, MhaE256H4Causal.Heads, MhaE256H4Causal.DimHead, 256, 256, true, 0f, true, false, () => new MhaE256H4Causal()),
        MhaRow(nameof(MhaE256H4KeyPadding), MhaE256H4KeyPadding.ModelDim, MhaE256H4KeyPadding.Heads, MhaE256H4KeyPadding.DimHead, 256, 256, true, 0f, false, true, () => new MhaE256H4KeyPadding()),
        MhaRow(nameof(MhaE128H4), MhaE128H4.ModelDim, MhaE128H4.Heads, MhaE128H4.DimHead, 128, 128, true, 0f, false, false, () => new MhaE128H4()),
        MhaRow(nameof(MhaE51H3), MhaE51H3.ModelDim, MhaE51H3.Heads, MhaE51H3.DimHead, 51, 51, true, 0f, false, false, () => new MhaE51H3()),
        MhaRow(nameof(MhaE51H3Causal), MhaE51H3Causal.ModelDim, MhaE51H3Causal.Heads, MhaE51H3Causal.DimHead, 51, 51, true, 0f, true, false, () => new MhaE51H3Causal()),
        MhaRow(nameof(MhaE8H8), MhaE8H8.ModelDim, MhaE8H8.Heads, MhaE8H8.DimHead, 8, 8, true, 0f, false, false, () => new MhaE8H8()),
        MhaRow(nameof(MhaE20H2D7Kv10V6), MhaE20H2D7Kv10V6.ModelDim, MhaE20H2D7Kv10V6.Heads, MhaE20H2D7Kv10V6.DimHead, 10, 6, false, 0.3f, true, true, () => new MhaE20H2D7Kv10V6()),
    }.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Every declared SDPA class by (Heads, KvHeads, DimHead, ValueDimHead), read from its generated constants.</summary>
    public static IReadOnlyDictionary<(int Heads, int KvHeads, int DimHead, int ValueDimHead), SdpaDeclaration> Sdpa { get; } = new[]
    {
        SdpaRow(nameof(SdpaH3D5), SdpaH3D5.Heads, SdpaH3D5.KvHeads, SdpaH3D5.DimHead, SdpaH3D5.ValueDimHead, () => new SdpaH3D5()),
        SdpaRow(nameof(SdpaH2D64), SdpaH2D64.Heads, SdpaH2D64.KvHeads, SdpaH2D64.DimHead, SdpaH2D64.ValueDimHead, () => new SdpaH2D64()),
        SdpaRow(nameof(SdpaH3D8), SdpaH3D8.Heads, SdpaH3D8.KvHeads, SdpaH3D8.DimHead, SdpaH3D8.ValueDimHead, () => new SdpaH3D8()),
        SdpaRow(nameof(SdpaH3D8Dv10), SdpaH3D8Dv10.Heads, SdpaH3D8Dv10.KvHeads, SdpaH3D8Dv10.DimHead, SdpaH3D8Dv10.ValueDimHead, () => new SdpaH3D8Dv10()),
        SdpaRow(nameof(SdpaH9Kv3D8), SdpaH9Kv3D8.Heads, SdpaH9Kv3D8.KvHeads, SdpaH9Kv3D8.DimHead, SdpaH9Kv3D8.ValueDimHead, () => new SdpaH9Kv3D8()),
        SdpaRow(nameof(SdpaH2D8), SdpaH2D8.Heads, SdpaH2D8.KvHeads, SdpaH2D8.DimHead, SdpaH2D8.ValueDimHead, () => new SdpaH2D8()),
        SdpaRow(nameof(SdpaH4Kv2D8), SdpaH4Kv2D8.Heads, SdpaH4Kv2D8.KvHeads, SdpaH4Kv2D8.DimHead, SdpaH4Kv2D8.ValueDimHead, () => new SdpaH4Kv2D8()),
        SdpaRow(nameof(SdpaH1D8), SdpaH1D8.Heads, SdpaH1D8.KvHeads, SdpaH1D8.DimHead, SdpaH1D8.ValueDimHead, () => new SdpaH1D8()),
        SdpaRow(nameof(SdpaH3D4), SdpaH3D4.Heads, SdpaH3D4.KvHeads, SdpaH3D4.DimHead, SdpaH3D4.ValueDimHead, () => new SdpaH3D4()),
        SdpaRow(nameof(SdpaH2D1), SdpaH2D1.Heads, SdpaH2D1.KvHeads, SdpaH2D1.DimHead, SdpaH2D1.ValueDimHead, () => new SdpaH2D1()),
        SdpaRow(nameof(SdpaH3Kv1D3Dv5), SdpaH3Kv1D3Dv5.Heads, SdpaH3Kv1D3Dv5.KvHeads, SdpaH3Kv1D3Dv5.DimHead, SdpaH3Kv1D3Dv5.ValueDimHead, () => new SdpaH3Kv1D3Dv5()),
        SdpaRow(nameof(SdpaH2D17), SdpaH2D17.Heads, SdpaH2D17.KvHeads, SdpaH2D17.DimHead, SdpaH2D17.ValueDimHead, () => new SdpaH2D17()),
        SdpaRow(nameof(SdpaH2D80Dv48), SdpaH2D80Dv48.Heads, SdpaH2D80Dv48.KvHeads, SdpaH2D80Dv48.DimHead, SdpaH2D80Dv48.ValueDimHead, () => new SdpaH2D80Dv48()),
        SdpaRow(nameof(SdpaH2Kv1D128), SdpaH2Kv1D128.Heads, SdpaH2Kv1D128.KvHeads, SdpaH2Kv1D128.DimHead, SdpaH2Kv1D128.ValueDimHead, () => new SdpaH2Kv1D128()),
    }.ToDictionary(d => d.Key);

    /// <summary>The declared SDPA class named <paramref name="name"/>.</summary>
    public static SdpaDeclaration SdpaNamed(string name) =>
        Sdpa.Values.SingleOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"No SDPA class {name} is registered in Layers/Declarations.cs.");

    /// <summary>
    /// The declared SDPA class of that shape; a missing one fails the calling test with the declaration to add.
    /// </summary>
    public static SdpaDeclaration RequireSdpa(int heads, int kvHeads, int dimHead, int valueDimHead, string neededBy)
    {
        if (Sdpa.TryGetValue((heads, kvHeads, dimHead, valueDimHead), out SdpaDeclaration? declaration))
        {
            return declaration;
        }

        throw new Xunit.Sdk.XunitException(
            $"{neededBy} needs a layer that is not declared: no [ScaledDotProductAttention(Heads = {heads}, KvHeads = {kvHeads}, DimHead = {dimHead}, " +
            $"ValueDimHead = {valueDimHead})] is declared in Layers/Declarations.cs (add the class and its row in DeclaredLayers.Sdpa).");
    }

    /// <summary>The declared MHA class of that shape and mask; a missing one fails the calling test with the declaration to add.</summary>
    public static MhaDeclaration RequireMha(int modelDim, int heads, int keyDim, int valueDim, bool causal, bool keyPadding, string neededBy)
    {
        MhaDeclaration? found = Mha.Values.FirstOrDefault(d =>
            d.ModelDim == modelDim && d.Heads == heads && d.DimHead * heads == modelDim && d.KeyDim == keyDim && d.ValueDim == valueDim &&
            d.Bias && d.Scale == 0f && d.Causal == causal && d.KeyPadding == keyPadding);
        if (found != null)
        {
            return found;
        }

        string mask = (causal, keyPadding) switch
        {
            (false, false) => "",
            (true, false) => ", Mask = AttentionMask.Causal",
            (false, true) => ", Mask = AttentionMask.KeyPadding",
            _ => ", Mask = AttentionMask.Causal | AttentionMask.KeyPadding",
        };
        string dims = keyDim == modelDim && valueDim == modelDim ? "" : $", KeyDim = {keyDim}, ValueDim = {valueDim}";
        throw new Xunit.Sdk.XunitException(
            $"{neededBy} needs a layer that is not declared: no [MultiHeadAttention(ModelDim = {modelDim}, Heads = {heads}{dims}{mask})] " +
            "is declared in Layers/Declarations.cs (add the class and its row in DeclaredLayers.Mha).");
    }

    private static MhaDeclaration MhaRow(string name, int modelDim, int heads, int dimHead, int keyDim, int valueDim, bool bias, float scale,
        bool causal, bool keyPadding, Func<IMultiHeadAttentionLayer> create) =>
        new(name, modelDim, heads, dimHead, keyDim, valueDim, bias, scale, causal, keyPadding, create);

    private static SdpaDeclaration SdpaRow(string name, int heads, int kvHeads, int dimHead, int valueDimHead, Func<IScaledDotProductAttentionLayer> create) =>
        new(name, heads, kvHeads, dimHead, valueDimHead, create);
}
