using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;

namespace Attend.Benchmarks;

/// <summary>
/// How much of the machine other processes (and hypervisor steal) used while a figure was timed, read from
/// <c>/proc/stat</c>: the same protocol <c>peers/torch_peer.py</c> and <c>peers/ort_peer.mjs</c> apply to the peers,
/// so every column of the side-by-side table is measured the same way.
/// </summary>
public static class MachineNoise
{
    /// <summary>Other processes may use at most this many cores during a timed window for its figure to count as quiet.</summary>
    public const double LimitCores = 0.10;

    /// <summary>Whether <c>/proc/stat</c> can be read here; elsewhere noise is unknown and figures are taken once.</summary>
    public static bool Available { get; } = File.Exists("/proc/stat");

    /// <summary>Busy CPU seconds of the whole machine (all cores, steal included) since boot.</summary>
    public static double MachineBusySeconds()
    {
        using var reader = new StreamReader("/proc/stat");
        string[] fields = (reader.ReadLine() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...: guest time is already counted in user.
        long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        long busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return busy / (double)ClockTicksPerSecond;
    }

    /// <summary>Cores other processes used on average from <paramref name="start"/> to now.</summary>
    public static double OtherCoresSince(Snapshot start)
    {
        Snapshot now = Snapshot.Take();
        double wall = (now.WallTicks - start.WallTicks) / (double)Stopwatch.Frequency;
        double other = now.MachineBusySeconds - start.MachineBusySeconds - (now.OwnCpuSeconds - start.OwnCpuSeconds);
        return wall > 0 ? Math.Max(0, other / wall) : 0;
    }

    /// <summary>
    /// Sleeps until other processes use at most <see cref="LimitCores"/> over a half-second window, or until
    /// <paramref name="maxWaitSeconds"/> would pass; returns the seconds waited.
    /// </summary>
    public static double WaitQuiet(double maxWaitSeconds, double windowSeconds = 0.5)
    {
        var waited = Stopwatch.StartNew();
        if (!Available || maxWaitSeconds < windowSeconds)
        {
            return 0;
        }

        while (true)
        {
            Snapshot start = Snapshot.Take();
            Thread.Sleep(TimeSpan.FromSeconds(windowSeconds));
            if (OtherCoresSince(start) <= LimitCores || waited.Elapsed.TotalSeconds + windowSeconds > maxWaitSeconds)
            {
                return waited.Elapsed.TotalSeconds;
            }
        }
    }

    /// <summary>The kernel's clock tick (USER_HZ): 100 on every Linux architecture .NET runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>Machine busy time, this process's CPU time and the wall clock, read together.</summary>
    public readonly record struct Snapshot(double MachineBusySeconds, double OwnCpuSeconds, long WallTicks)
    {
        public static Snapshot Take() => new(
            Available ? MachineNoise.MachineBusySeconds() : 0, CpuTime.ProcessNanoseconds() / 1e9, Stopwatch.GetTimestamp());
    }
}
