namespace Attend.Generators.Model;

/// <summary>What every layer declaration shares: where the partial class lives and what it is named.</summary>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="Type">The decorated class itself.</param>
/// <param name="HintName">A file name unique in the compilation.</param>
internal sealed record LayerIdentity(
    string Namespace,
    EquatableArray<TypeDeclarationInfo> ContainingTypes,
    TypeDeclarationInfo Type,
    string HintName);

/// <summary>A validated <c>[MultiHeadAttention]</c> declaration; every size resolved (no zeros meaning "default").</summary>
/// <param name="WeightPrecision">The declared <c>WeightPrecision</c> (a <c>BlockOptions.WeightPrecisionNames</c> index), or
/// null when the declaration does not name one: such a layer keeps plain float panels and has no <c>WeightPrecision</c> property.</param>
internal sealed record MultiHeadAttentionSpec(
    LayerIdentity Identity,
    int ModelDim,
    int Heads,
    int DimHead,
    int KeyDim,
    int ValueDim,
    bool Bias,
    bool Causal,
    bool KeyPadding,
    float Scale,
    bool ScaleIsDefault,
    int KvHeads,
    int Window,
    int? WeightPrecision = null);

/// <summary>A validated <c>[ScaledDotProductAttention]</c> declaration; every size resolved.</summary>
internal sealed record ScaledDotProductAttentionSpec(
    LayerIdentity Identity,
    int Heads,
    int KvHeads,
    int DimHead,
    int ValueDimHead);

/// <summary>What the parse stage hands on: a spec when the declaration is valid, and its diagnostics.</summary>
internal sealed record ParseResult<TSpec>(TSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
    where TSpec : class;
