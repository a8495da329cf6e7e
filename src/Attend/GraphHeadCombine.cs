// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How a multi-head graph attention layer combines its heads.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum GraphHeadCombine
{
    /// <summary>Heads side by side: output <c>[nodes, Heads·OutFeatures]</c>, head-major (<c>y[i, h·F′ + f]</c>).</summary>
    Concat = 0,

    /// <summary>The average of the heads: output <c>[nodes, OutFeatures]</c> (the paper's final layer).</summary>
    Mean = 1,
}
