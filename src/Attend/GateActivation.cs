// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>The function that turns a channel-attention layer's logits into per-channel scales.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum GateActivation
{
    /// <summary><c>1 / (1 + exp(-x))</c>.</summary>
    Sigmoid = 0,

    /// <summary>
    /// PyTorch's <c>nn.Hardsigmoid</c>: <c>clamp(x / 6 + 1/2, 0, 1)</c> (slope 1/6, as MobileNetV3's
    /// squeeze-and-excitation uses it).
    /// </summary>
    HardSigmoid = 1,
}
