using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// Read bandwidth measured in process (vectorized sums over a buffer, each thread its own part): what a step that
/// streams its operands once, like decode, can reach at best. An 8 MB buffer stays in L3 on a quiet machine; a
/// 512 MB one comes from DRAM.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Best-of-5 GB/s reading <paramref name="megabytes"/> MB on <paramref name="threads"/> threads.</summary>
    public static double ReadGigabytesPerSecond(int megabytes, int threads)
    {
        var buffer = new float[megabytes * (1 << 20) / sizeof(float)];
        buffer.AsSpan().Fill(1f);
        int part = buffer.Length / threads;
        double best = 0;
        float sink = 0;
        for (int trial = 0; trial < 5; trial++)
        {
            int passes = Math.Max(1, 256 / megabytes);
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                float local = 0;
                for (int pass = 0; pass < passes; pass++) local += TensorPrimitives.Sum(buffer.AsSpan(t * part, part));
                lock (buffer) sink += local;
            });
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, (double)passes * part * threads * sizeof(float) / seconds / 1e9);
        }

        GC.KeepAlive(sink);
        return best;
    }
}
