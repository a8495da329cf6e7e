namespace Attend;

/// <summary>How a channel-attention layer squeezes each channel's <c>height × width</c> plane to one number.</summary>
public enum ChannelPooling
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
