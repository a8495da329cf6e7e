// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How a vision transformer turns its token sequence into one vector for the classifier.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum Pooling
{
    /// <summary>The class token's final state (<c>x[:, 0]</c>, lucidrains <c>pool='cls'</c>).</summary>
    ClassToken = 0,

    /// <summary>The mean over every token, the class token included (lucidrains <c>pool='mean'</c>).</summary>
    Mean = 1,
}
