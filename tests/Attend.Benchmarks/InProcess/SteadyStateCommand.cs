using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// <c>steady [--shape decode] [--threads 1] [--seconds 4]</c>: how long after process start a row runs at its final
/// speed. Runs the row back to back from the first call, then prints the median step time per 100 ms window since
/// process start, and when the windows first stay within 10 % of the last second's median. Run it in a fresh process
/// per setting (e.g. <c>DOTNET_TieredPGO=0</c>, <c>DOTNET_TieredCompilation=0</c>, <c>DOTNET_ReadyToRun=0</c>):
/// tiering state is per process.
/// </summary>
public static class SteadyStateCommand
{
    private const double WindowSeconds = 0.1;
    private const double SteadyWithin = 1.10;

    public static int Run(string[] args)
    {
        Shape shape = Shape.Parse("decode");
        int threads = 1;
        double seconds = 4;
        for (int a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--shape": shape = Shape.Parse(args[++a]); break;
                case "--threads": threads = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++a], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"steady: unknown argument {args[a]}"); return 2;
            }
        }

        DateTime processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        double SinceStart() => (DateTime.UtcNow - processStart).TotalSeconds;

        var engine = new AttendEngine(MhaCase.Create(shape)) { Threads = threads };
        double firstCall = SinceStart();
        var steps = new List<(double At, double Ms)>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Run();
            steps.Add((SinceStart(), Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }

        double end = steps[^1].At;
        double final = Median(steps.Where(s => s.At > end - 1).Select(s => s.Ms));
        var windows = steps.GroupBy(s => (int)(s.At / WindowSeconds)).OrderBy(g => g.Key).Select(g => (At: g.Key * WindowSeconds, Ms: Median(g.Select(s => s.Ms)), Runs: g.Count())).ToList();
        int lastSlow = windows.FindLastIndex(w => w.Ms > final * SteadyWithin);
        double steadyAt = lastSlow < 0 ? windows[0].At : lastSlow + 1 < windows.Count ? windows[lastSlow + 1].At : double.NaN;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {shape.Name}, {threads} thread(s); TieredCompilation={Env("DOTNET_TieredCompilation")} TieredPGO={Env("DOTNET_TieredPGO")} ReadyToRun={Env("DOTNET_ReadyToRun")}; first call {firstCall:F2} s after process start"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# final median {final:F3} ms; first call {steps[0].Ms:F2} ms; steady (every later 100 ms window within 10 %) from {steadyAt:F1} s after process start"));
        Console.WriteLine(string.Join(" ", windows.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.At:F1}s:{w.Ms:F3}"))));
        return 0;
    }

    private static string Env(string name) => Environment.GetEnvironmentVariable(name) ?? "default";

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
