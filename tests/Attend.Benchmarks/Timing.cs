using System;
using System.Collections.Generic;
using System.Diagnostics;

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
