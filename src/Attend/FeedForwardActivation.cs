// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>The nonlinearity between the two linear layers of a transformer block's feed-forward network.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum FeedForwardActivation
{
    /// <summary>What the weight naming's module uses: ReLU for <c>torch.nn</c> layers, exact GELU for the ViT namings.</summary>
    Default = 0,

    /// <summary><c>max(x, 0)</c>, PyTorch's <c>activation="relu"</c>.</summary>
    Relu = 1,

    /// <summary>Exact GELU, <c>x·Φ(x)</c> (PyTorch's <c>activation="gelu"</c>, <c>nn.GELU()</c>).</summary>
    Gelu = 2,

    /// <summary>GELU's tanh approximation (<c>nn.GELU(approximate="tanh")</c>).</summary>
    GeluTanh = 3,
}
