namespace Attend;

/// <summary>
/// How a <see cref="KvCache"/> stores the keys and values it holds. Decoding one token reads every cached key and value
/// once, so a decode step's time is mostly the cache's bytes: <see cref="BFloat16"/> halves them.
/// </summary>
public enum KvCachePrecision
{
    /// <summary>32-bit floats, exactly as projected (the default): decode equals the last row of a causal <c>Forward</c> up to summation order.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16 (the upper half of a 32-bit float: 8 exponent bits, 7 stored mantissa bits), rounded to nearest even
    /// when stored and widened back exactly when read; every sum and product is still computed in 32-bit floats. Half
    /// the bytes per position; each cached key and value carries a relative rounding error of at most 2⁻⁸, and a new
    /// token's own key and value are used unrounded in the step that produces them.
    /// </summary>
    BFloat16 = 1,
}
