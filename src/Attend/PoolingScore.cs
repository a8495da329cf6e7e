namespace Attend;

/// <summary>How an attention pooling layer scores each position of a sequence.</summary>
public enum PoolingScore
{
    /// <summary><c>score_t = vᵀ tanh(W h_t + b)</c>: Bahdanau-style additive attention with a learned context vector <c>v</c>.</summary>
    Additive = 0,

    /// <summary><c>score_t = qᵀ h_t</c> with a learned query <c>q</c> of <c>Features</c> values.</summary>
    LearnedQuery = 1,
}
