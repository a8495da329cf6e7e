using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Benchmarks;

/// <summary>
/// This machine's float32 FMA peak, measured in-process: 12 independent FMA chains (enough to cover a 4-cycle latency
/// on two pipes), timed by the thread's own CPU time so other processes on a shared machine do not lower it.
/// </summary>
public static class FmaPeak
{
    internal const long Iterations = 20_000_000;

    /// <summary>GFLOP/s of one thread with Vector256 FMAs (the reference peak): the best of several runs.</summary>
    public static double Vector256PerCore() => Best(() => Chains256(Iterations), 16);

    /// <summary>GFLOP/s of one thread with Vector512 FMAs (where AVX-512 exists; for reference).</summary>
    public static double Vector512PerCore() => Vector512.IsHardwareAccelerated ? Best(() => Chains512(Iterations), 32) : double.NaN;

    /// <summary>
    /// The best rate of five runs of <paramref name="run"/> (12 independent chains × <see cref="Iterations"/> instructions,
    /// each doing <paramref name="operationsPerInstruction"/> operations), in G operations per second of thread CPU time.
    /// </summary>
    internal static double Best<T>(Func<T> run, int operationsPerInstruction)
    {
        double best = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long start = CpuTime.ThreadNanoseconds();
            T sink = run();
            long elapsed = CpuTime.ThreadNanoseconds() - start;
            GC.KeepAlive(sink);
            best = Math.Max(best, Iterations * 12.0 * operationsPerInstruction / elapsed);
        }

        return best;
    }

    // No calls inside the loops: the x64 ABI has no callee-saved vector registers, so a call would spill all 12 chains.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations)
    {
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        Vector256<float> m = Vector256.Create(0.9999f), c = Vector256.Create(1e-4f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long iterations)
    {
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        Vector512<float> m = Vector512.Create(0.9999f), c = Vector512.Create(1e-4f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}

/// <summary>CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>; elsewhere wall-clock).</summary>
public static class CpuTime
{
    private const int ThreadCpuTimeClock = 3;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool s_supported = OperatingSystem.IsLinux();

    /// <summary>Nanoseconds this thread has run on a CPU.</summary>
    public static long ThreadNanoseconds()
    {
        if (s_supported && ClockGetTime(ThreadCpuTimeClock, out TimeSpec time) == 0)
        {
            return time.Seconds * 1_000_000_000 + time.Nanoseconds;
        }

        return (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1e9 / System.Diagnostics.Stopwatch.Frequency));
    }

    /// <summary>Nanoseconds the whole process has run on any CPU.</summary>
    public static long ProcessNanoseconds() => (long)(Environment.CpuUsage.TotalTime.TotalMilliseconds * 1e6);
}
