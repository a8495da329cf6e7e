using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Attend.Benchmarks;

/// <summary>Median timings of a repeated action: wall-clock, and the calling thread's CPU time (robust to time slicing).</summary>
public readonly record struct Timing(double MedianMilliseconds, double MedianThreadCpuMilliseconds, double MinMilliseconds, int Runs)
{
    /// <summary>
    /// Warms up (at least 3 runs and <see cref="WarmUpSeconds"/>), then times runs until <paramref name="seconds"/> pass
    /// (at least <paramref name="minRuns"/>, at most <paramref name="maxRuns"/>).
    /// </summary>
    public static Timing Measure(Action action, double seconds, int minRuns = 5, int maxRuns = 2000)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < WarmUpSeconds; i++)
        {
            action();
        }

        var wall = new List<double>();
        var cpu = new List<double>();
        var total = Stopwatch.StartNew();
        while (wall.Count < maxRuns && (wall.Count < minRuns || total.Elapsed.TotalSeconds < seconds))
        {
            long cpuStart = CpuTime.ThreadNanoseconds();
            long start = Stopwatch.GetTimestamp();
            action();
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            cpu.Add((CpuTime.ThreadNanoseconds() - cpuStart) / 1e6);
        }

        return new Timing(Median(wall), Median(cpu), Min(wall), wall.Count);
    }

    /// <summary>
    /// Each action's best wall-clock milliseconds per call over <paramref name="rounds"/> rounds, the actions interleaved
    /// within a round, and its best process CPU milliseconds per call (on one thread, the figure least disturbed by other
    /// processes on a shared machine; on more, it counts every thread's work but not their waiting).
    /// </summary>
    public static (double[] Wall, double[] Cpu) BestOfInterleavedRounds(int rounds, double seconds, Action[] actions)
    {
        var best = Enumerable.Repeat(double.MaxValue, actions.Length).ToArray();
        var cpu = Enumerable.Repeat(double.MaxValue, actions.Length).ToArray();
        foreach (Action action in actions)
        {
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < WarmUpSeconds) action(); // JIT and tier-up
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int a = 0; a < actions.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                do
                {
                    long start = Stopwatch.GetTimestamp(), cpuStart = CpuTime.ProcessNanoseconds();
                    actions[a]();
                    best[a] = Math.Min(best[a], Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    cpu[a] = Math.Min(cpu[a], (CpuTime.ProcessNanoseconds() - cpuStart) / 1e6);
                }
                while (clock.Elapsed.TotalSeconds < seconds);
            }
        }

        return (best, cpu);
    }

    /// <summary>
    /// Long enough for tiered compilation to finish (methods are recompiled on a background thread about 100 ms after
    /// their 30th call): measured, a fresh process timing short calls on 2 threads ran while that thread held one of
    /// the 2 cores (the decode step: 0.29–0.42 ms on 2 threads against 0.24 on 1; the 128 row likewise).
    /// </summary>
    public const double WarmUpSeconds = 0.5;

    private static double Min(List<double> values)
    {
        double min = double.PositiveInfinity;
        foreach (double value in values)
        {
            min = Math.Min(min, value);
        }

        return min;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}
