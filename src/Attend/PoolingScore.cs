// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How an attention pooling layer scores each position of a sequence.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum PoolingScore
{
    /// <summary><c>score_t = vᵀ tanh(W h_t + b)</c>: Bahdanau-style additive attention with a learned context vector <c>v</c>.</summary>
    Additive = 0,

    /// <summary><c>score_t = qᵀ h_t</c> with a learned query <c>q</c> of <c>Features</c> values.</summary>
    LearnedQuery = 1,
}
