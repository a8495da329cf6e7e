namespace Attend;

/// <summary>The function that turns a channel-attention layer's logits into per-channel scales.</summary>
public enum GateActivation
{
    /// <summary><c>1 / (1 + exp(-x))</c>.</summary>
    Sigmoid = 0,

    /// <summary>
    /// PyTorch's <c>nn.Hardsigmoid</c>: <c>clamp(x / 6 + 1/2, 0, 1)</c> (slope 1/6, as MobileNetV3's
    /// squeeze-and-excitation uses it).
    /// </summary>
    HardSigmoid = 1,
}
