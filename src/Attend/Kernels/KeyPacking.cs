using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// Packs key rows into the score tile's layout (<see cref="IAttentionHeadKernels.PackKeys"/>'s blocks of
/// <c>[D, KeyBlock]</c>) eight keys by eight dimensions at a time, reading each key row where it lies.
/// </summary>
/// <remarks>
/// The emitted <c>PackKeys</c> moves one float at a time, a store per float into lines a <c>KeyBlock</c> stride apart;
/// measured on the 128-row benchmark layer (8 heads of 64), packing was about a fifth of the attention core, since
/// there each packed key serves only 128 queries. Here each 8 × 8 square is 8 row loads, 24 in-register shuffles and 8
/// full-register stores. The result is the same floats in the same places, so which one runs changes no output.
/// </remarks>
internal static unsafe class KeyPacking
{
    /// <summary>Whether <see cref="PackBlock"/> can pack keys of <paramref name="dimHead"/> into blocks of <paramref name="keyBlock"/> here.</summary>
    public static bool CanPack(int dimHead, int keyBlock) => Avx.IsSupported && dimHead % 8 == 0 && keyBlock % 8 == 0;

    /// <summary>
    /// One block: <c>packed[d·keyBlock + j] = rows[j][d]</c> for the <paramref name="count"/> ≤ <paramref name="keyBlock"/>
    /// keys, and 0 for <c>j</c> in <c>[count, keyBlock)</c>. Requires <see cref="CanPack"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBlock(float** rows, int count, int dimHead, int keyBlock, float* packed)
    {
        int j = 0;
        for (; j + 8 <= count; j += 8)
        {
            float** r = rows + j;
            for (int d = 0; d < dimHead; d += 8)
            {
                Transpose8x8(r[0] + d, r[1] + d, r[2] + d, r[3] + d, r[4] + d, r[5] + d, r[6] + d, r[7] + d, packed + (nint)d * keyBlock + j, keyBlock);
            }
        }

        for (; j < count; j++)
        {
            float* row = rows[j];
            for (int d = 0; d < dimHead; d++)
            {
                packed[(nint)d * keyBlock + j] = row[d];
            }
        }

        if (count < keyBlock)
        {
            for (int d = 0; d < dimHead; d++)
            {
                new System.Span<float>(packed + (nint)d * keyBlock + count, keyBlock - count).Clear();
            }
        }
    }

    /// <summary>Eight rows' floats <c>[0, 8)</c> become eight columns: <c>destination[k·stride + i] = row_i[k]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* r6, float* r7, float* destination, nint stride)
    {
        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped across: the usual AVX 8 × 8.
        Vector256<float> a0 = Avx.UnpackLow(Avx.LoadVector256(r0), Avx.LoadVector256(r1));
        Vector256<float> a1 = Avx.UnpackHigh(Avx.LoadVector256(r0), Avx.LoadVector256(r1));
        Vector256<float> a2 = Avx.UnpackLow(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> a3 = Avx.UnpackHigh(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> a4 = Avx.UnpackLow(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> a5 = Avx.UnpackHigh(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> a6 = Avx.UnpackLow(Avx.LoadVector256(r6), Avx.LoadVector256(r7));
        Vector256<float> a7 = Avx.UnpackHigh(Avx.LoadVector256(r6), Avx.LoadVector256(r7));

        Vector256<float> b0 = Avx.Shuffle(a0, a2, 0x44);
        Vector256<float> b1 = Avx.Shuffle(a0, a2, 0xEE);
        Vector256<float> b2 = Avx.Shuffle(a1, a3, 0x44);
        Vector256<float> b3 = Avx.Shuffle(a1, a3, 0xEE);
        Vector256<float> b4 = Avx.Shuffle(a4, a6, 0x44);
        Vector256<float> b5 = Avx.Shuffle(a4, a6, 0xEE);
        Vector256<float> b6 = Avx.Shuffle(a5, a7, 0x44);
        Vector256<float> b7 = Avx.Shuffle(a5, a7, 0xEE);

        Avx.Store(destination, Avx.Permute2x128(b0, b4, 0x20));
        Avx.Store(destination + stride, Avx.Permute2x128(b1, b5, 0x20));
        Avx.Store(destination + 2 * stride, Avx.Permute2x128(b2, b6, 0x20));
        Avx.Store(destination + 3 * stride, Avx.Permute2x128(b3, b7, 0x20));
        Avx.Store(destination + 4 * stride, Avx.Permute2x128(b0, b4, 0x31));
        Avx.Store(destination + 5 * stride, Avx.Permute2x128(b1, b5, 0x31));
        Avx.Store(destination + 6 * stride, Avx.Permute2x128(b2, b6, 0x31));
        Avx.Store(destination + 7 * stride, Avx.Permute2x128(b3, b7, 0x31));
    }
}
