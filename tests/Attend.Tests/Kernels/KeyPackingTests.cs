using System;
using System.Runtime.Intrinsics.X86;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// <see cref="KeyPacking"/> writes the score tile's layout (<c>packed[d·KeyBlock + j] = key_j[d]</c>, zeros past the
/// last key) exactly as the emitted <c>PackKeys</c> does: every width and key count a tile path uses, including ragged
/// blocks, from rows that lie far apart.
/// </summary>
public sealed unsafe class KeyPackingTests
{
    [Fact]
    public void CanPack_OnlyWholeSquaresOfEight()
    {
        Assert.Equal(Avx.IsSupported, KeyPacking.CanPack(64, 32));
        Assert.Equal(Avx.IsSupported, KeyPacking.CanPack(8, 8));
        Assert.False(KeyPacking.CanPack(20, 32));
        Assert.False(KeyPacking.CanPack(64, 4));
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(16, 16)]
    [InlineData(24, 16)]
    [InlineData(64, 32)]
    [InlineData(128, 32)]
    public void PackBlock_WritesEveryKeyTransposed_AndZerosPastTheLast(int dimHead, int keyBlock)
    {
        Assert.True(KeyPacking.CanPack(dimHead, keyBlock) || !Avx.IsSupported);
        if (!KeyPacking.CanPack(dimHead, keyBlock))
        {
            return; // no AVX: the driver never calls PackBlock here
        }

        const int RowStride = 301; // rows apart and unaligned, as a key head inside a [T, 3E] projection is
        var random = new Random(dimHead * 31 + keyBlock);
        float[] source = new float[keyBlock * RowStride + dimHead];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (float)(random.NextDouble() * 2 - 1);
        }

        float** rows = stackalloc float*[keyBlock];
        for (int count = 1; count <= keyBlock; count++)
        {
            float[] packed = new float[dimHead * keyBlock];
            Array.Fill(packed, float.NaN); // a float left unwritten shows up as NaN
            fixed (float* s = source)
            fixed (float* p = packed)
            {
                for (int j = 0; j < count; j++)
                {
                    rows[j] = s + 1 + (nint)j * RowStride;
                }

                KeyPacking.PackBlock(rows, count, dimHead, keyBlock, p);
            }

            for (int d = 0; d < dimHead; d++)
            {
                for (int j = 0; j < keyBlock; j++)
                {
                    float expected = j < count ? source[1 + j * RowStride + d] : 0f;
                    float actual = packed[d * keyBlock + j];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"D = {dimHead}, block {keyBlock}, {count} keys: packed[{d}·{keyBlock} + {j}] = {actual}, expected {expected}");
                }
            }
        }
    }
}
