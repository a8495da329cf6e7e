// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How an <see cref="AttentionAttribute"/> layer turns a row of scores into weights over the keys.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum AttentionSelection
{
    /// <summary>Softmax over every key the row may see.</summary>
    Soft = 0,

    /// <summary>
    /// Hard attention: weight 1 on the highest-scoring key, 0 elsewhere (the output is that key's value).
    /// Ties go to the lowest key index.
    /// </summary>
    Hard = 1,

    /// <summary>
    /// Keep the <c>TopK</c> highest-scoring keys, softmax over them (renormalized), 0 elsewhere. Ties at the
    /// boundary go to the lowest key index. A row with fewer visible keys keeps them all.
    /// </summary>
    TopK = 2,
}
