using System;

namespace Attend;

/// <summary>Which positions a declared attention layer may not attend to; flags combine.</summary>
[Flags]
// The generator compiles this file too (linked, as the Regex generator links RegexOptions.cs), so it reads the flags
// from the same source instead of a copy; there the enum is internal, to stay out of the way of Attend.dll's.
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum AttentionMask
{
    /// <summary>Every query sees every key.</summary>
    None = 0,

    /// <summary>Query <c>i</c> may not see key <c>j &gt; i</c> (top-left aligned, as PyTorch's <c>is_causal</c>).</summary>
    Causal = 1,

    /// <summary>A run-time <c>[batch, keyLength]</c> mask marks padded keys (<c>true</c> = padded, PyTorch's polarity).</summary>
    KeyPadding = 2,
}
