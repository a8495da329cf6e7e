using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Benchmarks;

/// <summary>
/// The int8 kernel's ceilings where AVX-512 or AVX-VNNI exist (Zen 4/5, Ice Lake and later): 512-bit <c>vpmaddwd</c>
/// (32 products an instruction, still needing a <c>vpaddd</c>), 256-bit <c>vpdpwssd</c> (16 products and the add in one,
/// the only VNNI width .NET 10 exposes), and the kernel's inner loops built on each, beside the 512-bit float32 FMA; and
/// the u8 × s8 form, 256-bit <c>vpdpbusd</c> (32 products and the add in one), alone and in the tile a kernel with 8-bit
/// activations would run. Same method as <see cref="IntegerMultiplyAddPeak"/>: thread CPU time, 12 independent chains, best of 5.
/// </summary>
internal static unsafe class IntegerMultiplyAddPeak512
{
    /// <summary>G multiply-adds per second; NaN where the instruction set is missing.</summary>
    public static (double Fma512, double MaddWd512, double DpWssd256, double Loop512x6, double Loop512x12, double VnniLoop256, double DpBusd256, double ByteLoop256) PerCore()
    {
        double fma = FmaPeak.Vector512PerCore() / 2;
        double maddWd = Avx512BW.IsSupported ? FmaPeak.Best(() => WordChains512(FmaPeak.Iterations), 32) : double.NaN;
        double dpWssd = AvxVnni.IsSupported ? FmaPeak.Best(() => VnniChains256(FmaPeak.Iterations), 16) : double.NaN;
        double loop6 = Avx512BW.IsSupported ? LoopBest(&Loop512Rows6, 32) : double.NaN;
        double loop12 = Avx512BW.IsSupported ? LoopBest(&Loop512Rows12, 64) : double.NaN;
        double vnniLoop = AvxVnni.IsSupported ? LoopBest(&VnniLoop256, 16) : double.NaN;
        double dpBusd = AvxVnni.IsSupported ? FmaPeak.Best(() => ByteChains256(FmaPeak.Iterations), 32) : double.NaN;
        double byteLoop = AvxVnni.IsSupported ? LoopBest(&ByteLoop256, 32) : double.NaN;
        return (fma, maddWd, dpWssd, loop6, loop12, vnniLoop, dpBusd, byteLoop);
    }

    private static double LoopBest(delegate*<long, short*, sbyte*, int> loop, int productsPerInstruction)
    {
        short* activations = (short*)NativeMemory.AlignedAlloc(12 * 1024 * sizeof(short), 64);
        sbyte* weights = (sbyte*)NativeMemory.AlignedAlloc(64 * 32, 64);
        try
        {
            new Span<short>(activations, 12 * 1024).Fill(1);
            new Span<sbyte>(weights, 64 * 32).Fill(1);
            return FmaPeak.Best(() => loop(FmaPeak.Iterations, activations, weights), productsPerInstruction);
        }
        finally
        {
            NativeMemory.AlignedFree(activations);
            NativeMemory.AlignedFree(weights);
        }
    }

    private static Vector512<short> Weights512(sbyte* source) => Avx512BW.ConvertToVector512Int16(Vector256.Load(source));

    private static Vector512<short> Pair512(short* pair) => Vector512.Create(*(int*)pair).AsInt16();

    /// <summary>The kernel's tile on 512 bits: per input pair two widened weight registers, six rows, 12 <c>vpmaddwd</c> + <c>vpaddd</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Loop512Rows6(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 1024;
        Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector512<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        for (long i = 0; i < iterations; i++)
        {
            short* x = activations + ((i & 31) << 1);
            sbyte* w = weights + ((i & 31) << 6);
            Vector512<short> w0 = Weights512(w), w1 = Weights512(w + 32);
            Vector512<short> a = Pair512(x);
            s0 += Avx512BW.MultiplyAddAdjacent(a, w0); s1 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + RowStride);
            s2 += Avx512BW.MultiplyAddAdjacent(a, w0); s3 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 2 * RowStride);
            s4 += Avx512BW.MultiplyAddAdjacent(a, w0); s5 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 3 * RowStride);
            s6 += Avx512BW.MultiplyAddAdjacent(a, w0); s7 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 4 * RowStride);
            s8 += Avx512BW.MultiplyAddAdjacent(a, w0); s9 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 5 * RowStride);
            s10 += Avx512BW.MultiplyAddAdjacent(a, w0); s11 += Avx512BW.MultiplyAddAdjacent(a, w1);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    /// <summary>Twelve rows (24 of AVX-512's 32 registers accumulate): each widened weight serves twice the products.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Loop512Rows12(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 1024;
        Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector512<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        Vector512<int> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default;
        Vector512<int> t6 = default, t7 = default, t8 = default, t9 = default, t10 = default, t11 = default;
        for (long i = 0; i < iterations; i++)
        {
            short* x = activations + ((i & 31) << 1);
            sbyte* w = weights + ((i & 31) << 6);
            Vector512<short> w0 = Weights512(w), w1 = Weights512(w + 32);
            Vector512<short> a = Pair512(x);
            s0 += Avx512BW.MultiplyAddAdjacent(a, w0); s1 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + RowStride);
            s2 += Avx512BW.MultiplyAddAdjacent(a, w0); s3 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 2 * RowStride);
            s4 += Avx512BW.MultiplyAddAdjacent(a, w0); s5 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 3 * RowStride);
            s6 += Avx512BW.MultiplyAddAdjacent(a, w0); s7 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 4 * RowStride);
            s8 += Avx512BW.MultiplyAddAdjacent(a, w0); s9 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 5 * RowStride);
            s10 += Avx512BW.MultiplyAddAdjacent(a, w0); s11 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 6 * RowStride);
            t0 += Avx512BW.MultiplyAddAdjacent(a, w0); t1 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 7 * RowStride);
            t2 += Avx512BW.MultiplyAddAdjacent(a, w0); t3 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 8 * RowStride);
            t4 += Avx512BW.MultiplyAddAdjacent(a, w0); t5 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 9 * RowStride);
            t6 += Avx512BW.MultiplyAddAdjacent(a, w0); t7 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 10 * RowStride);
            t8 += Avx512BW.MultiplyAddAdjacent(a, w0); t9 += Avx512BW.MultiplyAddAdjacent(a, w1);
            a = Pair512(x + 11 * RowStride);
            t10 += Avx512BW.MultiplyAddAdjacent(a, w0); t11 += Avx512BW.MultiplyAddAdjacent(a, w1);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11 + t0 + t1 + t2 + t3 + t4 + t5 + t6 + t7 + t8 + t9 + t10 + t11);
    }

    /// <summary>The kernel's 256-bit tile where AVX-VNNI fuses each product and add into one <c>vpdpwssd</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int VnniLoop256(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 1024;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector256<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        for (long i = 0; i < iterations; i++)
        {
            short* x = activations + ((i & 31) << 1);
            sbyte* w = weights + ((i & 31) << 5);
            Vector256<short> w0 = Avx2.ConvertToVector256Int16(w), w1 = Avx2.ConvertToVector256Int16(w + 16);
            Vector256<short> a = Avx.BroadcastScalarToVector256((float*)x).AsInt16();
            s0 = AvxVnni.MultiplyWideningAndAdd(s0, a, w0); s1 = AvxVnni.MultiplyWideningAndAdd(s1, a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + RowStride)).AsInt16();
            s2 = AvxVnni.MultiplyWideningAndAdd(s2, a, w0); s3 = AvxVnni.MultiplyWideningAndAdd(s3, a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 2 * RowStride)).AsInt16();
            s4 = AvxVnni.MultiplyWideningAndAdd(s4, a, w0); s5 = AvxVnni.MultiplyWideningAndAdd(s5, a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 3 * RowStride)).AsInt16();
            s6 = AvxVnni.MultiplyWideningAndAdd(s6, a, w0); s7 = AvxVnni.MultiplyWideningAndAdd(s7, a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 4 * RowStride)).AsInt16();
            s8 = AvxVnni.MultiplyWideningAndAdd(s8, a, w0); s9 = AvxVnni.MultiplyWideningAndAdd(s9, a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 5 * RowStride)).AsInt16();
            s10 = AvxVnni.MultiplyWideningAndAdd(s10, a, w0); s11 = AvxVnni.MultiplyWideningAndAdd(s11, a, w1);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    /// <summary>
    /// The tile with 8-bit activations (u8, a zero point per row and group) and AVX-VNNI: per four inputs two weight
    /// registers loaded as they are stored (8 columns × 4 inputs of s8 each, no widening), six rows of four bytes
    /// broadcast, 12 <c>vpdpbusd</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int ByteLoop256(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 2048; // bytes
        byte* bytes = (byte*)activations;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector256<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        for (long i = 0; i < iterations; i++)
        {
            byte* x = bytes + ((i & 31) << 2);
            sbyte* w = weights + ((i & 31) << 6);
            Vector256<sbyte> w0 = Vector256.Load(w), w1 = Vector256.Load(w + 32);
            Vector256<byte> a = Vector256.Create(*(int*)x).AsByte();
            s0 = AvxVnni.MultiplyWideningAndAdd(s0, a, w0); s1 = AvxVnni.MultiplyWideningAndAdd(s1, a, w1);
            a = Vector256.Create(*(int*)(x + RowStride)).AsByte();
            s2 = AvxVnni.MultiplyWideningAndAdd(s2, a, w0); s3 = AvxVnni.MultiplyWideningAndAdd(s3, a, w1);
            a = Vector256.Create(*(int*)(x + 2 * RowStride)).AsByte();
            s4 = AvxVnni.MultiplyWideningAndAdd(s4, a, w0); s5 = AvxVnni.MultiplyWideningAndAdd(s5, a, w1);
            a = Vector256.Create(*(int*)(x + 3 * RowStride)).AsByte();
            s6 = AvxVnni.MultiplyWideningAndAdd(s6, a, w0); s7 = AvxVnni.MultiplyWideningAndAdd(s7, a, w1);
            a = Vector256.Create(*(int*)(x + 4 * RowStride)).AsByte();
            s8 = AvxVnni.MultiplyWideningAndAdd(s8, a, w0); s9 = AvxVnni.MultiplyWideningAndAdd(s9, a, w1);
            a = Vector256.Create(*(int*)(x + 5 * RowStride)).AsByte();
            s10 = AvxVnni.MultiplyWideningAndAdd(s10, a, w0); s11 = AvxVnni.MultiplyWideningAndAdd(s11, a, w1);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int ByteChains256(long iterations)
    {
        Vector256<byte> x = Vector256.Create((byte)1);
        Vector256<sbyte> m = Vector256.Create((sbyte)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, m); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, m);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, m); a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, m);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, m); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, m);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, m); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, m);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, m); a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, m);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, m); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, m);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int WordChains512(long iterations)
    {
        Vector512<short> m = Vector512.Create((short)3);
        Vector512<short> a0 = Vector512.Create((short)1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512BW.MultiplyAddAdjacent(a0, m).AsInt16(); a1 = Avx512BW.MultiplyAddAdjacent(a1, m).AsInt16();
            a2 = Avx512BW.MultiplyAddAdjacent(a2, m).AsInt16(); a3 = Avx512BW.MultiplyAddAdjacent(a3, m).AsInt16();
            a4 = Avx512BW.MultiplyAddAdjacent(a4, m).AsInt16(); a5 = Avx512BW.MultiplyAddAdjacent(a5, m).AsInt16();
            a6 = Avx512BW.MultiplyAddAdjacent(a6, m).AsInt16(); a7 = Avx512BW.MultiplyAddAdjacent(a7, m).AsInt16();
            a8 = Avx512BW.MultiplyAddAdjacent(a8, m).AsInt16(); a9 = Avx512BW.MultiplyAddAdjacent(a9, m).AsInt16();
            a10 = Avx512BW.MultiplyAddAdjacent(a10, m).AsInt16(); a11 = Avx512BW.MultiplyAddAdjacent(a11, m).AsInt16();
        }

        return Vector512.Sum((a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).AsInt32());
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int VnniChains256(long iterations)
    {
        Vector256<short> m = Vector256.Create((short)3), x = Vector256.Create((short)1);
        Vector256<int> a0 = Vector256.Create(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, m); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, m);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, m); a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, m);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, m); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, m);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, m); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, m);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, m); a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, m);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, m); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, m);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
