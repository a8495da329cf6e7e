using System;
using System.Runtime.Intrinsics;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>The error bound <see cref="VectorExp"/> states, on every width, and its edge cases.</summary>
public sealed class VectorExpTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Every float in <c>[−87.33, 88.72]</c> whose bit pattern is a multiple of this is tested: ~2.4 M inputs.</summary>
    private const int BitStride = 887;

    [Fact]
    public void RelativeError_IsWithinTheStatedUlps_OnEveryWidth()
    {
        double worst = 0;
        float worstInput = 0;
        Span<float> inputs = stackalloc float[16];
        int filled = 0;
        foreach (float x in Inputs())
        {
            inputs[filled++] = x;
            if (filled < 16)
            {
                continue;
            }

            filled = 0;
            Vector512<float> v512 = VectorExp.Exp(Vector512.Create<float>(inputs));
            Vector256<float> v256 = VectorExp.Exp(Vector256.Create<float>(inputs[..8]));
            Vector128<float> v128 = VectorExp.Exp(Vector128.Create<float>(inputs[..4]));
            for (int lane = 0; lane < 16; lane++)
            {
                float scalar = VectorExp.Exp(inputs[lane]);
                // Every lane runs the same arithmetic as the scalar version, so the widths agree bit for bit.
                Assert.Equal(scalar, v512[lane]);
                if (lane < 8) Assert.Equal(scalar, v256[lane]);
                if (lane < 4) Assert.Equal(scalar, v128[lane]);

                double ulps = UlpError(inputs[lane], scalar);
                if (ulps > worst)
                {
                    worst = ulps;
                    worstInput = inputs[lane];
                }
            }
        }

        output.WriteLine($"worst: {worst:F3} ulps at x = {worstInput:R}");
        Assert.True(worst <= VectorExp.MaxRelativeErrorUlps, $"exp({worstInput:R}) is off by {worst:F2} ulps, over the stated {VectorExp.MaxRelativeErrorUlps}.");
        Assert.True(worst > 0.1, "the sweep must exercise rounding (an exact exp would be suspicious)");
    }

    [Fact]
    public void NegativeInfinity_IsExactlyZero_OnEveryWidth()
    {
        Assert.Equal(0f, VectorExp.Exp(float.NegativeInfinity));
        Assert.Equal(Vector512<float>.Zero, VectorExp.Exp(Vector512.Create(float.NegativeInfinity)));
        Assert.Equal(Vector256<float>.Zero, VectorExp.Exp(Vector256.Create(float.NegativeInfinity)));
        Assert.Equal(Vector128<float>.Zero, VectorExp.Exp(Vector128.Create(float.NegativeInfinity)));
    }

    [Theory]
    [InlineData(-87.4f)]
    [InlineData(-88f)]
    [InlineData(-100f)]
    [InlineData(-1e30f)]
    public void BelowTheNormalRange_AbsoluteErrorIsTiny(float x)
    {
        float result = VectorExp.Exp(x);
        Assert.True(result >= 0 && Math.Abs(result - Math.Exp(x)) < Math.Pow(2, -125), $"exp({x}) = {result}");
    }

    [Fact]
    public void ZeroGivesOne_AndOverflowGivesInfinity()
    {
        Assert.Equal(1f, VectorExp.Exp(0f));
        Assert.Equal(float.PositiveInfinity, VectorExp.Exp(89f));
        Assert.Equal(float.PositiveInfinity, VectorExp.Exp(1e30f));
    }

    private static System.Collections.Generic.IEnumerable<float> Inputs()
    {
        // Negative inputs (what softmax feeds it), then positive ones, walking the bit patterns.
        for (uint bits = BitConverter.SingleToUInt32Bits(-0f); ; bits += BitStride)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            if (x < VectorExp.NormalRangeLow) break;
            yield return x;
        }

        for (uint bits = 0; ; bits += BitStride)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            if (x > VectorExp.NormalRangeHigh) break;
            yield return x;
        }
    }

    /// <summary>|result − e^x| in units of the last place of the correctly rounded float result.</summary>
    private static double UlpError(float x, float result)
    {
        double exact = Math.Exp(x);
        float rounded = (float)exact;
        double ulp = Math.Max(MathF.BitIncrement(rounded) - rounded, float.Epsilon);
        return Math.Abs(result - exact) / ulp;
    }
}
