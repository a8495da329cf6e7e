// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>The score function of a graph attention layer.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum GraphAttentionScoring
{
    /// <summary>GAT: <c>e_ij = LeakyReLU(a[:F′]·h_i + a[F′:]·h_j)</c>; the ranking of neighbours is the same for every target ("static" attention).</summary>
    Gat = 0,

    /// <summary>GATv2: <c>e_ij = a·LeakyReLU(h_i + h_j)</c> with one shared <c>W</c> (PyG's <c>GATv2Conv(share_weights=True)</c>); "dynamic" attention.</summary>
    GatV2 = 1,
}
