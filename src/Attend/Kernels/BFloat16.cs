using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// bfloat16 storage: the upper 16 bits of a binary32. Narrowing rounds to nearest, ties to even (what PyTorch's
/// <c>.bfloat16()</c> does); widening is exact (<c>bits &lt;&lt; 16</c>).
/// </summary>
internal static class BFloat16
{
    /// <summary>
    /// Bounds the relative error of one rounding (normal numbers): 8 significant bits (7 stored and the implicit one),
    /// so half a unit in the last place is at most 2⁻⁸ of the value (the unit roundoff, as 2⁻²⁴ is a float's).
    /// </summary>
    public const double RelativeRounding = 1.0 / 256;

    /// <summary>Rounds <paramref name="value"/> to the nearest bfloat16 (ties to even); NaN stays a (quiet) NaN.</summary>
    public static ushort Round(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40); // keep the sign and set the quiet bit: the payload's top may be zero
        }

        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>The float that bfloat16 <paramref name="bits"/> encodes (exact).</summary>
    public static float Widen(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds every value of <paramref name="source"/> into <paramref name="destination"/> (the same length).</summary>
    public static void Round(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(source);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= bits.Length - 2 * Vector256<uint>.Count; i += 2 * Vector256<uint>.Count)
            {
                Vector256<uint> lower = Round(Vector256.Create(bits.Slice(i, Vector256<uint>.Count)));
                Vector256<uint> upper = Round(Vector256.Create(bits.Slice(i + Vector256<uint>.Count, Vector256<uint>.Count)));
                Vector256.Narrow(lower, upper).CopyTo(destination.Slice(i, Vector256<ushort>.Count));
            }
        }

        for (; i < bits.Length; i++)
        {
            destination[i] = Round(source[i]);
        }
    }

    /// <summary>
    /// Per lane: the bfloat16 nearest the float whose bits are <paramref name="bits"/>, in the low 16 bits. NaN lanes
    /// (exponent all ones, mantissa not zero) keep their top bits with the quiet bit set, so rounding never turns one
    /// into an infinity.
    /// </summary>
    private static Vector256<uint> Round(Vector256<uint> bits)
    {
        Vector256<uint> rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) >> 16;
        Vector256<uint> nan = Vector256.GreaterThan(bits & Vector256.Create(0x7FFFFFFFu), Vector256.Create(0x7F800000u));
        return Vector256.ConditionalSelect(nan, (bits >> 16) | Vector256.Create(0x40u), rounded);
    }
}
