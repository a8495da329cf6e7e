using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// Dynamic asymmetric quantisation of activation rows to unsigned bytes for <see cref="ByteActivationGemm"/>, per row and
/// group of <see cref="ByteActivationGemm.GroupSize"/> inputs: the group's range <c>[lo, hi]</c>, widened to hold 0, maps
/// onto 0 … 255, so <c>x ≈ scale · (q − zero)</c> with <c>scale = (hi − lo) / 255</c>, <c>zero = round(−lo · 255 / (hi − lo))</c>
/// and <c>q = clamp(round(x · 255 / (hi − lo)) + zero, 0, 255)</c>, rounding ties to even. Every path computes the same
/// float products and roundings, so the bytes are identical on every path.
/// </summary>
/// <remarks>
/// <para>
/// Why asymmetric and per 64 inputs: a transformer's activations are lopsided (GELU's outputs lie above −0.17) and a few
/// features run far larger than the rest. Rounding all-MiniLM-L6-v2's activations symmetrically to 8 bits per row moved
/// its embeddings to a cosine of 0.9927 against float32; a range of its own for each group of inputs keeps one large
/// feature from coarsening the whole row's step, and the unsigned offset spends all 256 codes on the range the values
/// occupy: 0.999345 (see docs/low-precision.md for the figures).
/// </para>
/// <para>
/// Degenerate groups: all zeros (or a range so small that <c>255 / range</c> overflows) quantise to zeros with scale 0,
/// so they add nothing, as their products would nearly; a group holding a NaN or an infinity gets zeros and a NaN scale,
/// so the row's outputs are NaN, as PyTorch's would not be finite either.
/// </para>
/// </remarks>
internal static unsafe class ByteActivationQuantization
{
    /// <summary>Largest code: the range spans 0 … 255.</summary>
    private const float Levels = byte.MaxValue;

    /// <summary>How far ahead <see cref="PrefetchAhead"/> asks for the input: 4 KiB.</summary>
    private const int PrefetchDistance = 1024;

    /// <summary>
    /// Quantises <paramref name="rows"/> rows of <paramref name="inFeatures"/> floats into byte rows of
    /// <paramref name="outputStride"/> (whole groups) bytes, zero past <paramref name="inFeatures"/>, and writes each row's
    /// group scales and zero points to <paramref name="scales"/> and <paramref name="zeros"/> (<c>[row, group]</c>).
    /// </summary>
    internal static void QuantizeRows(KernelPath path, float* input, int rows, nint inputStride, int inFeatures,
        byte* output, nint outputStride, float* scales, float* zeros)
    {
        int groups = ByteActivationGemm.Groups(inFeatures);
        for (int r = 0; r < rows; r++)
        {
            float* row = input + r * inputStride;
            byte* quantized = output + r * outputStride;
            new Span<byte>(quantized + inFeatures, (int)outputStride - inFeatures).Clear();
            for (int g = 0; g < groups; g++)
            {
                int start = g * ByteActivationGemm.GroupSize, count = Math.Min(ByteActivationGemm.GroupSize, inFeatures - start);
                if (Sse.IsSupported && path != KernelPath.Scalar)
                {
                    PrefetchAhead(row + start);
                }

                if (count == ByteActivationGemm.GroupSize && path == KernelPath.Vector512 && Avx512BW.IsSupported)
                {
                    QuantizeWholeGroup512(row + start, quantized + start, out scales[r * groups + g], out zeros[r * groups + g]);
                    continue;
                }

                QuantizeGroup(path, row + start, count, quantized + start, out scales[r * groups + g], out zeros[r * groups + g]);
            }
        }
    }

    /// <summary>
    /// Asks for the group <see cref="PrefetchDistance"/> floats ahead (its four cache lines; a prefetch past the input's end
    /// is harmless). The quantiser reads each block of rows once, from L3 or memory, in short bursts between the block's
    /// tiles; prefetched 2 KiB ahead, 4096 × 384 → 384 ran 1.04–1.07× faster (ab) and 384 → 1536 1.02×; 1 KiB ahead was
    /// 2 % slower than 2 KiB, 4 KiB 1 % faster, 8 KiB level with 4.
    /// </summary>
    private static void PrefetchAhead(float* group)
    {
        float* ahead = group + PrefetchDistance;
        Sse.Prefetch0(ahead);
        Sse.Prefetch0(ahead + 16);
        Sse.Prefetch0(ahead + 32);
        Sse.Prefetch0(ahead + 48);
    }

    private static void QuantizeGroup(KernelPath path, float* values, int count, byte* quantized, out float scale, out float zero)
    {
        (float lowest, float highest, bool finite) = Range(path, values, count);
        float range = highest - lowest;
        float inverse = Levels / range;
        if (!finite || range == 0f || !float.IsFinite(inverse))
        {
            new Span<byte>(quantized, count).Clear();
            scale = finite ? 0f : float.NaN;
            zero = 0f;
            return;
        }

        scale = range / Levels;
        zero = MathF.Round(-lowest * inverse);
        Quantize(path, values, count, inverse, zero, quantized);
    }

    /// <summary>
    /// <see cref="QuantizeGroup"/> for a whole group of 64 inputs in 512-bit registers: the same operations lane by lane, so
    /// the same codes, in about half the instructions (ab: 1.04× on 512 × 384 → 384, where the quantisation weighs most).
    /// </summary>
    private static void QuantizeWholeGroup512(float* values, byte* quantized, out float scale, out float zero)
    {
        Vector512<float> x0 = Vector512.Load(values), x1 = Vector512.Load(values + 16);
        Vector512<float> x2 = Vector512.Load(values + 32), x3 = Vector512.Load(values + 48);
        Vector512<float> low = Avx512F.Min(Avx512F.Min(x0, x1), Avx512F.Min(x2, x3));
        Vector512<float> high = Avx512F.Max(Avx512F.Max(x0, x1), Avx512F.Max(x2, x3));
        Vector512<float> finite = (x0 - x0) + (x1 - x1) + ((x2 - x2) + (x3 - x3)); // NaN for a NaN or an infinity, else 0
        Vector256<float> low256 = Avx.Min(low.GetLower(), low.GetUpper()), high256 = Avx.Max(high.GetLower(), high.GetUpper());
        float lowest = Math.Min(0f, Lowest(Minimum128(low256.GetLower(), low256.GetUpper())));
        float highest = Math.Max(0f, Highest(Maximum128(high256.GetLower(), high256.GetUpper())));
        float range = highest - lowest;
        float inverse = Levels / range;
        if (!Vector512.EqualsAll(finite, Vector512<float>.Zero) || range == 0f || !float.IsFinite(inverse))
        {
            Vector512<byte>.Zero.Store(quantized);
            scale = Vector512.EqualsAll(finite, Vector512<float>.Zero) ? 0f : float.NaN;
            zero = 0f;
            return;
        }

        scale = range / Levels;
        zero = MathF.Round(-lowest * inverse);
        Vector512<float> step = Vector512.Create(inverse);
        Vector512<int> offset = Vector512.Create((int)zero);
        Vector512<int> q0 = Avx512F.ConvertToVector512Int32(x0 * step) + offset, q1 = Avx512F.ConvertToVector512Int32(x1 * step) + offset;
        Vector512<int> q2 = Avx512F.ConvertToVector512Int32(x2 * step) + offset, q3 = Avx512F.ConvertToVector512Int32(x3 * step) + offset;
        Vector512<byte> lanes = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(q0, q1), Avx512BW.PackSignedSaturate(q2, q3));
        // The packs work within 128-bit lanes: lane i holds four codes of each of q0 … q3 in turn.
        Vector512<int> order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        Avx512F.PermuteVar16x32(lanes.AsInt32(), order).AsByte().Store(quantized);
    }

    /// <summary>
    /// The group's smallest and largest values, widened to hold 0, and whether every value is finite (tested apart: a
    /// vector minimum drops or keeps a NaN depending on its operand order).
    /// </summary>
    private static (float Lowest, float Highest, bool Finite) Range(KernelPath path, float* values, int count)
    {
        float lowest = 0f, highest = 0f, check = 0f;
        int k = 0;
        if (path is KernelPath.Vector256 or KernelPath.Vector512 && count >= 16)
        {
            // Two sets of registers, so that each min, max and add waits on the one before it half as often.
            Vector256<float> low0 = Vector256<float>.Zero, high0 = Vector256<float>.Zero, finite0 = Vector256<float>.Zero;
            Vector256<float> low1 = Vector256<float>.Zero, high1 = Vector256<float>.Zero, finite1 = Vector256<float>.Zero;
            for (; k + 16 <= count; k += 16)
            {
                Vector256<float> x0 = Vector256.Load(values + k), x1 = Vector256.Load(values + k + 8);
                low0 = Minimum(low0, x0);
                low1 = Minimum(low1, x1);
                high0 = Maximum(high0, x0);
                high1 = Maximum(high1, x1);
                finite0 += x0 - x0; // NaN for a NaN or an infinity, else 0
                finite1 += x1 - x1;
            }

            Vector256<float> low = Minimum(low0, low1), high = Maximum(high0, high1);
            lowest = Lowest(Minimum128(low.GetLower(), low.GetUpper()));
            highest = Highest(Maximum128(high.GetLower(), high.GetUpper()));
            check = Vector256.EqualsAll(finite0 + finite1, Vector256<float>.Zero) ? 0f : float.NaN;
        }
        else if (path == KernelPath.Vector128 && count >= 4)
        {
            Vector128<float> low = Vector128<float>.Zero, high = Vector128<float>.Zero, finite = Vector128<float>.Zero;
            for (; k + 4 <= count; k += 4)
            {
                Vector128<float> x = Vector128.Load(values + k);
                low = Minimum128(low, x);
                high = Maximum128(high, x);
                finite += x - x;
            }

            lowest = Lowest(low);
            highest = Highest(high);
            check = Vector128.EqualsAll(finite, Vector128<float>.Zero) ? 0f : float.NaN;
        }

        for (; k < count; k++)
        {
            lowest = MathF.Min(lowest, values[k]);
            highest = MathF.Max(highest, values[k]);
            check += values[k] - values[k];
        }

        return (lowest, highest, check == 0f);
    }

    /// <summary><c>q = clamp(round(x · inverse) + zero, 0, 255)</c>, ties to even (exact: every term is an integer below 2²⁴).</summary>
    private static void Quantize(KernelPath path, float* values, int count, float inverse, float zero, byte* quantized)
    {
        int k = 0;
        if (path is KernelPath.Vector256 or KernelPath.Vector512 && Avx2.IsSupported)
        {
            // vcvtps2dq rounds to nearest even (the default MXCSR mode), and the saturating packs clamp to 0 … 255.
            Vector256<float> scale = Vector256.Create(inverse);
            Vector256<int> offset = Vector256.Create((int)zero), order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            for (; k + 32 <= count; k += 32)
            {
                Vector256<int> q0 = Avx.ConvertToVector256Int32(Vector256.Load(values + k) * scale) + offset;
                Vector256<int> q1 = Avx.ConvertToVector256Int32(Vector256.Load(values + k + 8) * scale) + offset;
                Vector256<int> q2 = Avx.ConvertToVector256Int32(Vector256.Load(values + k + 16) * scale) + offset;
                Vector256<int> q3 = Avx.ConvertToVector256Int32(Vector256.Load(values + k + 24) * scale) + offset;
                Vector256<byte> lanes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(q0, q1), Avx2.PackSignedSaturate(q2, q3));
                Avx2.PermuteVar8x32(lanes.AsInt32(), order).AsByte().Store(quantized + k); // the packs interleave 128-bit lanes
            }
        }
        else if (path == KernelPath.Vector128 && Sse2.IsSupported)
        {
            Vector128<float> scale = Vector128.Create(inverse);
            Vector128<int> offset = Vector128.Create((int)zero);
            for (; k + 16 <= count; k += 16)
            {
                Vector128<int> q0 = Sse2.ConvertToVector128Int32(Vector128.Load(values + k) * scale) + offset;
                Vector128<int> q1 = Sse2.ConvertToVector128Int32(Vector128.Load(values + k + 4) * scale) + offset;
                Vector128<int> q2 = Sse2.ConvertToVector128Int32(Vector128.Load(values + k + 8) * scale) + offset;
                Vector128<int> q3 = Sse2.ConvertToVector128Int32(Vector128.Load(values + k + 12) * scale) + offset;
                Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(q0, q1), Sse2.PackSignedSaturate(q2, q3)).Store(quantized + k);
            }
        }
        else if (path != KernelPath.Scalar)
        {
            Vector128<float> scale = Vector128.Create(inverse), offset = Vector128.Create(zero), top = Vector128.Create(Levels);
            for (; k + 16 <= count; k += 16)
            {
                Vector128<int> q0 = Code(Vector128.Load(values + k), scale, offset, top);
                Vector128<int> q1 = Code(Vector128.Load(values + k + 4), scale, offset, top);
                Vector128<int> q2 = Code(Vector128.Load(values + k + 8), scale, offset, top);
                Vector128<int> q3 = Code(Vector128.Load(values + k + 12), scale, offset, top);
                Vector128.Narrow(Vector128.Narrow(q0, q1), Vector128.Narrow(q2, q3)).AsByte().Store(quantized + k);
            }
        }

        for (; k < count; k++)
        {
            quantized[k] = (byte)Math.Clamp(MathF.Round(values[k] * inverse) + zero, 0f, Levels);
        }
    }

    /// <summary>The portable form (ARM): round, offset and clamp in floats, then narrow (truncating, after the clamp).</summary>
    private static Vector128<int> Code(Vector128<float> x, Vector128<float> inverse, Vector128<float> zero, Vector128<float> top) =>
        Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(x * inverse) + zero, Vector128<float>.Zero), top));

    // The instructions themselves where there are any: VectorN.Min and Max order signed zeros and NaNs at a cost of
    // several instructions, which a range that is tested for NaNs apart and where −0 and 0 give the same codes does not need.
    private static Vector256<float> Minimum(Vector256<float> a, Vector256<float> b) => Avx.IsSupported ? Avx.Min(a, b) : Vector256.Min(a, b);

    private static Vector256<float> Maximum(Vector256<float> a, Vector256<float> b) => Avx.IsSupported ? Avx.Max(a, b) : Vector256.Max(a, b);

    private static Vector128<float> Minimum128(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Min(a, b) : Vector128.Min(a, b);

    private static Vector128<float> Maximum128(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Max(a, b) : Vector128.Max(a, b);

    private static float Lowest(Vector128<float> lanes)
    {
        lanes = Minimum128(lanes, Vector128.Shuffle(lanes, Vector128.Create(2, 3, 0, 1)));
        return Minimum128(lanes, Vector128.Shuffle(lanes, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    private static float Highest(Vector128<float> lanes)
    {
        lanes = Maximum128(lanes, Vector128.Shuffle(lanes, Vector128.Create(2, 3, 0, 1)));
        return Maximum128(lanes, Vector128.Shuffle(lanes, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }
}
