// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>Where a transformer block normalizes: before each sublayer (pre-norm) or after each residual sum (post-norm).</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum NormPlacement
{
    /// <summary>What the weight naming's module does: post-norm for <c>torch.nn</c> layers (<c>norm_first=False</c>), pre-norm for the ViT namings.</summary>
    Default = 0,

    /// <summary><c>x = norm(x + sublayer(x))</c>, PyTorch's <c>norm_first=False</c> (the original Transformer).</summary>
    Post = 1,

    /// <summary><c>x = x + sublayer(norm(x))</c>, PyTorch's <c>norm_first=True</c> (GPT-2, ViT).</summary>
    Pre = 2,
}
