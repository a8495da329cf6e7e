// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How an <see cref="AttentionAttribute"/> layer scores a query against a key.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum AttentionScore
{
    /// <summary><c>qᵀk</c> (Luong "dot"); needs <c>KeySize == QuerySize</c>.</summary>
    Dot = 0,

    /// <summary><c>qᵀk / sqrt(QuerySize)</c> (Vaswani et al.); needs <c>KeySize == QuerySize</c>.</summary>
    ScaledDot = 1,

    /// <summary><c>qᵀ W k</c> (Luong "general", bilinear); weight <c>W_a.weight</c> <c>[QuerySize, KeySize]</c>.</summary>
    General = 2,

    /// <summary>
    /// <c>q/max(|q|, 1e-8) · k/max(|k|, 1e-8)</c>, no temperature (as <c>torch.nn.functional.cosine_similarity</c>);
    /// needs <c>KeySize == QuerySize</c>.
    /// </summary>
    Cosine = 3,

    /// <summary>
    /// <c>vᵀ tanh(W₁q + W₂k)</c> (Bahdanau; d2l's <c>AdditiveAttention</c>): weights <c>W_q.weight</c>
    /// <c>[Hidden, QuerySize]</c>, <c>W_k.weight</c> <c>[Hidden, KeySize]</c>, <c>w_v.weight</c> <c>[1, Hidden]</c>.
    /// </summary>
    Additive = 4,

    /// <summary>Luong's "concat" score, <c>vᵀ tanh(W[q; k])</c>: the same function as <see cref="Additive"/>, with W split into W₁ | W₂.</summary>
    Concat = Additive,

    /// <summary>
    /// A two-layer perceptron on the concatenation, <c>w₂ᵀ relu(W₁[q; k] + b₁) + b₂</c>, as
    /// <c>mlp = nn.Sequential(nn.Linear(QuerySize + KeySize, Hidden), nn.ReLU(), nn.Linear(Hidden, 1))</c>:
    /// weights <c>mlp.0.weight</c>, <c>mlp.0.bias</c>, <c>mlp.2.weight</c>, <c>mlp.2.bias</c>.
    /// </summary>
    Mlp = 5,
}
