// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How a transformer block tells positions apart.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum PositionEncoding
{
    /// <summary>No positional information is added (the caller adds its own, or the task needs none).</summary>
    None = 0,

    /// <summary>
    /// The fixed sines and cosines of "Attention Is All You Need", added to the input:
    /// <c>PE[p, 2i] = sin(p / 10000^(2i/ModelDim))</c>, <c>PE[p, 2i+1] = cos(p / 10000^(2i/ModelDim))</c>.
    /// </summary>
    Sinusoidal = 1,

    /// <summary>A learned table <c>[MaxLength, ModelDim]</c> added to the input (<c>pos_embedding</c>).</summary>
    Learned = 2,

    /// <summary>Rotary embedding of queries and keys, pairs <c>(x[i], x[i + RotaryDim/2])</c> (GPT-NeoX; ONNX <c>interleaved=0</c>).</summary>
    RotaryHalf = 3,

    /// <summary>Rotary embedding of queries and keys, pairs <c>(x[2i], x[2i+1])</c> (GPT-J; ONNX <c>interleaved=1</c>).</summary>
    RotaryInterleaved = 4,

    /// <summary>ALiBi: score <c>(i, j)</c> gets <c>−m_h·|i − j|</c>, head slopes <c>m_h</c> a geometric sequence (Press et al.).</summary>
    Alibi = 5,

    /// <summary>
    /// A learned bias per head and offset added to the scores: <c>relative_position_bias_table</c>
    /// <c>[2·MaxLength − 1, Heads]</c>, row <c>(i − j) + MaxLength − 1</c>.
    /// </summary>
    RelativeBias1D = 6,

    /// <summary>
    /// A learned bias per head and 2-D offset for tokens on a <c>GridHeight × GridWidth</c> grid (row-major):
    /// <c>relative_position_bias_table</c> <c>[(2·GridHeight − 1)·(2·GridWidth − 1), Heads]</c>, row
    /// <c>(Δrow + GridHeight − 1)·(2·GridWidth − 1) + (Δcol + GridWidth − 1)</c> with <c>Δ = query − key</c>.
    /// </summary>
    RelativeBias2D = 7,
}
