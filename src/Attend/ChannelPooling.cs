// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>How a channel-attention layer squeezes each channel's <c>height × width</c> plane to one number.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum ChannelPooling
{
    /// <summary>The plane's mean (global average pooling), as squeeze-and-excitation does.</summary>
    Average = 0,

    /// <summary>The plane's maximum (global max pooling).</summary>
    Max = 1,

    /// <summary>
    /// Both, CBAM-style: the shared MLP runs on the mean and on the maximum and the two results are added
    /// before the gate, <c>gate(mlp(mean) + mlp(max))</c> (so a second-layer bias is counted twice, as a
    /// PyTorch module calling <c>self.fc</c> twice would).
    /// </summary>
    Both = 2,
}
