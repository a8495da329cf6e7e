using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// <c>e^x</c> for float32, one method per register width with the same arithmetic in every lane, for the
/// softmax inside the attention kernels (whose inputs are <c>s − max ≤ 0</c>).
/// </summary>
/// <remarks>
/// <para>
/// Method: Cody–Waite range reduction <c>x = n·ln 2 + r</c> with <c>n = round(x·log2 e)</c> and
/// <c>|r| ≤ ln 2 / 2</c> (<c>ln 2</c> split in a high part exact in float and a low correction), then
/// <c>e^r ≈ 1 + r + r²·P(r)</c> with the degree-5 minimax polynomial <c>P</c> of Cephes' <c>expf</c>, then
/// <c>2^n</c> built in the exponent bits. The round-to-nearest of <c>x·log2 e</c> uses the
/// <c>1.5·2²³</c> shifter, so <c>n + 127</c> also lands in the low mantissa bits and becomes the exponent by one shift.
/// </para>
/// <para>
/// Error bound (tested by <c>VectorExpTests</c> against <see cref="Math.Exp(double)"/> over every float in
/// the ranges below, on every width): relative error at most <see cref="MaxRelativeErrorUlps"/> units in the
/// last place for <c>x</c> in <c>[−87.33, 88.72]</c> (results in the normal range); for <c>x &lt; −87.33</c> the
/// result is 0 or a tiny normal number, an absolute error below <c>2^−125</c>; <c>x = −∞</c> gives exactly 0,
/// so masked scores contribute nothing. <c>x &gt; 88.72</c> gives +∞. NaN is not handled (scores are finite
/// or −∞ here).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class VectorExp
{
    /// <summary>The bound on the relative error, in float32 ulps, stated above and asserted by the tests.</summary>
    public const float MaxRelativeErrorUlps = 2f;

    /// <summary>Below this input the result is below float's normal range (or 0).</summary>
    public const float NormalRangeLow = -87.33f;

    /// <summary>Above this input the result is +∞ (2^n's exponent would need n = 128).</summary>
    public const float NormalRangeHigh = 88.37f;

    // Inputs are clamped here first: −88 keeps n ≥ −127, where 2^n's exponent bits are 0 (the result is exactly 0);
    // 88.8 keeps n ≤ 129 so the bit trick cannot wrap.
    private const float ClampLow = -88f;
    private const float ClampHigh = 88.8f;
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;      // ln 2 to 9 bits: n·Ln2High is exact for |n| ≤ 2^15
    private const float Ln2Low = -2.12194440e-4f;    // ln 2 − Ln2High
    private const float Shifter = 12583039f;         // 1.5·2^23 + 127: adding it rounds to an integer and biases it
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary><c>e^x</c> in each of 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ClampLow)), Vector512.Create(ClampHigh));
        Vector512<float> shifted = Vector512.MultiplyAddEstimate(x, Vector512.Create(Log2E), Vector512.Create(Shifter));
        Vector512<float> n = shifted - Vector512.Create(Shifter);
        Vector512<float> r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2High), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Low), r);
        Vector512<float> p = Vector512.MultiplyAddEstimate(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(P5));
        p = Vector512.MultiplyAddEstimate(p, r * r, r + Vector512<float>.One);
        Vector512<float> scale = (shifted.AsInt32() << 23).AsSingle();
        return p * scale;
    }

    /// <summary><c>e^x</c> in each of 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ClampLow)), Vector256.Create(ClampHigh));
        Vector256<float> shifted = Vector256.MultiplyAddEstimate(x, Vector256.Create(Log2E), Vector256.Create(Shifter));
        Vector256<float> n = shifted - Vector256.Create(Shifter);
        Vector256<float> r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);
        Vector256<float> p = Vector256.MultiplyAddEstimate(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(P5));
        p = Vector256.MultiplyAddEstimate(p, r * r, r + Vector256<float>.One);
        Vector256<float> scale = (shifted.AsInt32() << 23).AsSingle();
        return p * scale;
    }

    /// <summary><c>e^x</c> in each of 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(ClampLow)), Vector128.Create(ClampHigh));
        Vector128<float> shifted = Vector128.MultiplyAddEstimate(x, Vector128.Create(Log2E), Vector128.Create(Shifter));
        Vector128<float> n = shifted - Vector128.Create(Shifter);
        Vector128<float> r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2High), x);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Low), r);
        Vector128<float> p = Vector128.MultiplyAddEstimate(Vector128.Create(P0), r, Vector128.Create(P1));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(P2));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(P3));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(P4));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(P5));
        p = Vector128.MultiplyAddEstimate(p, r * r, r + Vector128<float>.One);
        Vector128<float> scale = (shifted.AsInt32() << 23).AsSingle();
        return p * scale;
    }

    /// <summary><c>e^x</c> for one float, the same arithmetic as one lane of the vector versions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = Math.Min(Math.Max(x, ClampLow), ClampHigh);
        float shifted = float.MultiplyAddEstimate(x, Log2E, Shifter);
        float n = shifted - Shifter;
        float r = float.MultiplyAddEstimate(n, -Ln2High, x);
        r = float.MultiplyAddEstimate(n, -Ln2Low, r);
        float p = float.MultiplyAddEstimate(P0, r, P1);
        p = float.MultiplyAddEstimate(p, r, P2);
        p = float.MultiplyAddEstimate(p, r, P3);
        p = float.MultiplyAddEstimate(p, r, P4);
        p = float.MultiplyAddEstimate(p, r, P5);
        p = float.MultiplyAddEstimate(p, r * r, r + 1f);
        float scale = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(shifted) << 23);
        return p * scale;
    }
}
