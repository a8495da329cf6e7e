// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>Luong et al.'s (2015) local attention: each query sees only a window of <c>±Window</c> keys around a position.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum LocalAttention
{
    /// <summary>Global attention: every key is visible.</summary>
    None = 0,

    /// <summary>
    /// local-m (monotonic): the window is centred on a position given at run time per query
    /// (<c>positions</c>, <c>[batch, queryLength]</c>), or on the query's own index <c>i</c> when none is given.
    /// </summary>
    Monotonic = 1,

    /// <summary>
    /// local-p (predictive): the centre is predicted, <c>p = S · sigmoid(v_pᵀ tanh(W_p q))</c> with <c>S</c> the
    /// row's number of keys, and the weights are multiplied by <c>exp(-(s - p)² / (2σ²))</c>, <c>σ = Window / 2</c>
    /// (not renormalized, as in the paper). Weights <c>W_p.weight</c> <c>[PositionHidden, QuerySize]</c> and
    /// <c>v_p.weight</c> <c>[1, PositionHidden]</c>.
    /// </summary>
    Predictive = 2,
}
