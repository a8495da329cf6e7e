using System;
using System.Runtime.Intrinsics;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// The four-register lane sums that the emitted score loops and the bf16-cache kernels use must give, per register, the
/// bits of the one-register sum they replace: a key's score then does not depend on whether it fell in a group of four.
/// </summary>
public sealed class LaneSumTests
{
    [Fact]
    public void LaneSumFour_GivesEachRegistersLaneSumBitForBit()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 20_000; trial++)
        {
            Vector512<float>[] wide = [Wide(random), Wide(random), Wide(random), Wide(random)];
            AssertLanes(HeadKernelParts.LaneSumFour(wide[0], wide[1], wide[2], wide[3]), Array.ConvertAll(wide, HeadKernelParts.LaneSum), "Vector512");

            Vector256<float>[] middle = Array.ConvertAll(wide, register => register.GetLower());
            AssertLanes(HeadKernelParts.LaneSumFour(middle[0], middle[1], middle[2], middle[3]), Array.ConvertAll(middle, Vector256.Sum), "Vector256");

            Vector128<float>[] narrow = Array.ConvertAll(wide, register => register.GetUpper().GetUpper());
            AssertLanes(HeadKernelParts.LaneSumFour(narrow[0], narrow[1], narrow[2], narrow[3]), Array.ConvertAll(narrow, Vector128.Sum), "Vector128");
        }
    }

    private static void AssertLanes(Vector128<float> actual, float[] expected, string width)
    {
        for (int lane = 0; lane < 4; lane++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(actual.GetElement(lane)) == BitConverter.SingleToInt32Bits(expected[lane]),
                $"{width} lane {lane}: {actual.GetElement(lane):R} against {expected[lane]:R}");
        }
    }

    // Magnitudes from 1e-3 to 1e3 and both signs, so that the order of the additions shows in the rounding.
    private static Vector512<float> Wide(Random random)
    {
        var lanes = new float[16];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4)));
        }

        return Vector512.Create(lanes);
    }
}
