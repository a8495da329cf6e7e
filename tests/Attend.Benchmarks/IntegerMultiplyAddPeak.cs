using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Benchmarks;

/// <summary>
/// The ceiling of the int8 projection kernel on this core: how many 16-bit multiply-adds per second one thread gets
/// from 256-bit <c>vpmaddwd</c> (16 products per instruction) and from <c>vpmaddubsw</c> (32 u8 × s8 products), beside the
/// float32 FMA's 8. Float32 FMAs run on two pipes; if the integer multiplies issue on fewer, int8 cannot run at twice the
/// float speed however the kernel is tiled. Timed by the thread's CPU time, 12 independent chains, best of 5.
/// </summary>
internal static unsafe class IntegerMultiplyAddPeak
{
    /// <summary>
    /// G multiply-adds per second: float32 FMA, vpmaddwd, vpmaddubsw, and the int8 projection's AVX2 inner loop (NaN where
    /// AVX2 is missing).
    /// </summary>
    public static (double Fma, double MaddWd, double MaddUbsw, double Int8Loop, double ByteLoop) PerCore()
    {
        double fma = FmaPeak.Vector256PerCore() / 2;
        if (!Avx2.IsSupported)
        {
            return (fma, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        return (fma, FmaPeak.Best(() => WordChains(FmaPeak.Iterations), 16), FmaPeak.Best(() => ByteChains(FmaPeak.Iterations), 32), LoopBest(&Int8Loop, 16), LoopBest(&ByteLoop, 32));
    }

    /// <summary>
    /// A register-tile inner loop over data that stays in L1: what a kernel could reach with no group epilogue,
    /// quantisation or cache misses. <see cref="Int8Loop"/> is the int8 kernel's as <c>Int8Gemm.Tile</c> runs it on AVX2;
    /// <see cref="ByteLoop"/> the 8-bit-activation form (u8 × s8, ONNX Runtime's on AVX2) the kernel does not use.
    /// </summary>
    private static double LoopBest(delegate*<long, short*, sbyte*, int> loop, int productsPerInstruction)
    {
        short* activations = (short*)NativeMemory.AlignedAlloc(6 * 1024 * sizeof(short), 64);
        sbyte* weights = (sbyte*)NativeMemory.AlignedAlloc(32 * 32, 64);
        try
        {
            new Span<short>(activations, 6 * 1024).Fill(1);
            new Span<sbyte>(weights, 32 * 32).Fill(1);
            return FmaPeak.Best(() => loop(FmaPeak.Iterations, activations, weights), productsPerInstruction);
        }
        finally
        {
            NativeMemory.AlignedFree(activations);
            NativeMemory.AlignedFree(weights);
        }
    }

    /// <summary>
    /// Per input pair: two <c>vpmovsxbw</c> weight loads, six activation broadcasts, twelve <c>vpmaddwd</c> + <c>vpaddd</c>
    /// (192 multiply-adds, counted as twelve instructions of 16 like the chains below).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Int8Loop(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 1024;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector256<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        for (long i = 0; i < iterations; i++)
        {
            short* x = activations + ((i & 31) << 1); // 32 pairs, as one 64-input group
            sbyte* w = weights + ((i & 31) << 5);
            Vector256<short> w0 = Avx2.ConvertToVector256Int16(w), w1 = Avx2.ConvertToVector256Int16(w + 16);
            Vector256<short> a = Avx.BroadcastScalarToVector256((float*)x).AsInt16();
            s0 += Avx2.MultiplyAddAdjacent(a, w0); s1 += Avx2.MultiplyAddAdjacent(a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + RowStride)).AsInt16();
            s2 += Avx2.MultiplyAddAdjacent(a, w0); s3 += Avx2.MultiplyAddAdjacent(a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 2 * RowStride)).AsInt16();
            s4 += Avx2.MultiplyAddAdjacent(a, w0); s5 += Avx2.MultiplyAddAdjacent(a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 3 * RowStride)).AsInt16();
            s6 += Avx2.MultiplyAddAdjacent(a, w0); s7 += Avx2.MultiplyAddAdjacent(a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 4 * RowStride)).AsInt16();
            s8 += Avx2.MultiplyAddAdjacent(a, w0); s9 += Avx2.MultiplyAddAdjacent(a, w1);
            a = Avx.BroadcastScalarToVector256((float*)(x + 5 * RowStride)).AsInt16();
            s10 += Avx2.MultiplyAddAdjacent(a, w0); s11 += Avx2.MultiplyAddAdjacent(a, w1);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    /// <summary>
    /// Per four inputs: two 32-byte weight loads, six broadcasts of four u8 activations, twelve <c>vpmaddubsw</c> (u8 × s8
    /// pairs, saturating to 16 bits) + <c>vpmaddwd</c> by ones + <c>vpaddd</c> (384 multiply-adds, twelve of 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int ByteLoop(long iterations, short* activations, sbyte* weights)
    {
        const int RowStride = 2048; // bytes
        byte* bytes = (byte*)activations;
        Vector256<short> ones = Vector256.Create((short)1);
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default;
        Vector256<int> s6 = default, s7 = default, s8 = default, s9 = default, s10 = default, s11 = default;
        for (long i = 0; i < iterations; i++)
        {
            byte* x = bytes + ((i & 15) << 2); // 16 quads, as one 64-input group
            sbyte* w = weights + ((i & 15) << 6);
            Vector256<sbyte> w0 = Vector256.Load(w), w1 = Vector256.Load(w + 32);
            Vector256<byte> a = Avx.BroadcastScalarToVector256((float*)x).AsByte();
            s0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
            a = Avx.BroadcastScalarToVector256((float*)(x + RowStride)).AsByte();
            s2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
            a = Avx.BroadcastScalarToVector256((float*)(x + 2 * RowStride)).AsByte();
            s4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
            a = Avx.BroadcastScalarToVector256((float*)(x + 3 * RowStride)).AsByte();
            s6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
            a = Avx.BroadcastScalarToVector256((float*)(x + 4 * RowStride)).AsByte();
            s8 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s9 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
            a = Avx.BroadcastScalarToVector256((float*)(x + 5 * RowStride)).AsByte();
            s10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w0), ones); s11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, w1), ones);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    // Each chain feeds its own result back as the next multiplicand, so nothing is loop-invariant for the JIT to hoist.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int WordChains(long iterations)
    {
        Vector256<short> m = Vector256.Create((short)3);
        Vector256<short> a0 = Vector256.Create((short)1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx2.MultiplyAddAdjacent(a0, m).AsInt16(); a1 = Avx2.MultiplyAddAdjacent(a1, m).AsInt16();
            a2 = Avx2.MultiplyAddAdjacent(a2, m).AsInt16(); a3 = Avx2.MultiplyAddAdjacent(a3, m).AsInt16();
            a4 = Avx2.MultiplyAddAdjacent(a4, m).AsInt16(); a5 = Avx2.MultiplyAddAdjacent(a5, m).AsInt16();
            a6 = Avx2.MultiplyAddAdjacent(a6, m).AsInt16(); a7 = Avx2.MultiplyAddAdjacent(a7, m).AsInt16();
            a8 = Avx2.MultiplyAddAdjacent(a8, m).AsInt16(); a9 = Avx2.MultiplyAddAdjacent(a9, m).AsInt16();
            a10 = Avx2.MultiplyAddAdjacent(a10, m).AsInt16(); a11 = Avx2.MultiplyAddAdjacent(a11, m).AsInt16();
        }

        return Vector256.Sum((a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).AsInt32());
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int ByteChains(long iterations)
    {
        Vector256<sbyte> m = Vector256.Create((sbyte)3);
        Vector256<byte> a0 = Vector256.Create((byte)1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx2.MultiplyAddAdjacent(a0, m).AsByte(); a1 = Avx2.MultiplyAddAdjacent(a1, m).AsByte();
            a2 = Avx2.MultiplyAddAdjacent(a2, m).AsByte(); a3 = Avx2.MultiplyAddAdjacent(a3, m).AsByte();
            a4 = Avx2.MultiplyAddAdjacent(a4, m).AsByte(); a5 = Avx2.MultiplyAddAdjacent(a5, m).AsByte();
            a6 = Avx2.MultiplyAddAdjacent(a6, m).AsByte(); a7 = Avx2.MultiplyAddAdjacent(a7, m).AsByte();
            a8 = Avx2.MultiplyAddAdjacent(a8, m).AsByte(); a9 = Avx2.MultiplyAddAdjacent(a9, m).AsByte();
            a10 = Avx2.MultiplyAddAdjacent(a10, m).AsByte(); a11 = Avx2.MultiplyAddAdjacent(a11, m).AsByte();
        }

        return Vector256.Sum((a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).AsInt32());
    }
}
