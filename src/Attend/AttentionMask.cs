using System;

namespace Attend;

/// <summary>Which positions a declared attention layer may not attend to; flags combine.</summary>
[Flags]
public enum AttentionMask
{
    /// <summary>Every query sees every key.</summary>
    None = 0,

    /// <summary>Query <c>i</c> may not see key <c>j &gt; i</c> (top-left aligned, as PyTorch's <c>is_causal</c>).</summary>
    Causal = 1,

    /// <summary>A run-time <c>[batch, keyLength]</c> mask marks padded keys (<c>true</c> = padded, PyTorch's polarity).</summary>
    KeyPadding = 2,
}
