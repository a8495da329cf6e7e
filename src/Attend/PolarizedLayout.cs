// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How Polarized Self-Attention combines its channel-only and spatial-only branches.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum PolarizedLayout
{
    /// <summary>Both branches read the input and their outputs add: <c>ParallelPolarizedSelfAttention</c>.</summary>
    Parallel = 0,

    /// <summary>The spatial branch reads the channel branch's output: <c>SequentialPolarizedSelfAttention</c>.</summary>
    Sequential = 1,
}
