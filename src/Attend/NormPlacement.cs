namespace Attend;

/// <summary>Where a transformer block normalizes: before each sublayer (pre-norm) or after each residual sum (post-norm).</summary>
public enum NormPlacement
{
    /// <summary>What the weight naming's module does: post-norm for <c>torch.nn</c> layers (<c>norm_first=False</c>), pre-norm for the ViT namings.</summary>
    Default = 0,

    /// <summary><c>x = norm(x + sublayer(x))</c>, PyTorch's <c>norm_first=False</c> (the original Transformer).</summary>
    Post = 1,

    /// <summary><c>x = x + sublayer(norm(x))</c>, PyTorch's <c>norm_first=True</c> (GPT-2, ViT).</summary>
    Pre = 2,
}
