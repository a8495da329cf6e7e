using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace Attend.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- ab --a DIR --b DIR [--case decode] [--threads 1] [--seconds 20]</c>:
/// compares two builds of this project (each <c>dotnet build -c Release -o DIR</c>, e.g. one from a worktree of the
/// base commit) in one process. Each build's assemblies load into an <see cref="AssemblyLoadContext"/> of their own;
/// the command alternates blocks of about 20 ms of one workload from each and reports the median of the paired ratios
/// A ÷ B (> 1: B is faster).
/// </summary>
/// <remarks>
/// Why: on this shared machine the speed of a memory-bound step moves by 10–20 % within minutes, more than the change
/// being measured, so two processes run one after the other disagree from run to run. Blocks a few milliseconds apart
/// see the same machine. Two copies of one build usually read within ±1 % of 1, but each process places the builds'
/// buffers anew, and a one-row projection once read 0.95 with tight quartiles: run a comparison two or three times.
/// On more than one thread each build has its own worker pool, and the idle pool's helpers spin for a while after
/// every block: compare one-thread figures first.
/// </remarks>
internal static class BuildComparisonCommand
{
    private const double BlockMilliseconds = 20;

    public static int Run(string[] args)
    {
        string? a = Option(args, "--a"), b = Option(args, "--b");
        if (a is null || b is null)
        {
            Console.Error.WriteLine($"ab: --a DIR and --b DIR are required: two directories, each holding a Release build of Attend.Benchmarks. Workloads: {BuildComparisonWorkloads.Names}.");
            return 2;
        }

        string name = Option(args, "--case") ?? "decode";
        int threads = int.Parse(Option(args, "--threads") ?? "1", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds") ?? "20", CultureInfo.InvariantCulture);
        Action first, second;
        try
        {
            first = Load(a, name, threads);
            second = Load(b, name, threads);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine($"ab: {e.Message}");
            return 2;
        }

        // Both builds tier up before anything is kept (the decode step's tier-1 code can take a second to arrive).
        int repeats = WarmUp(first, second);
        var times = new[] { new List<double>(), new List<double>() };
        var clock = Stopwatch.StartNew();
        // Strictly A, B, A, B: every block follows the other build's, so both start with the other's data in the caches.
        // (Running a build twice in a row favours its second block by up to 15 % on the decode step, whose 12.6 MB stay
        // in L3 only while the other build's copy is not read: the two builds' working sets share the 32 MB L3.)
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            times[0].Add(Block(first, repeats));
            times[1].Add(Block(second, repeats));
        }

        double[] ratios = times[0].Zip(times[1], (x, y) => x / y).Order().ToArray();
        Console.WriteLine($"# ab {name}, {threads} thread(s), {DateTime.UtcNow:u}, {ratios.Length} pairs of {repeats} calls; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"A {a}: best {times[0].Min():F4} ms, median {Median(times[0]):F4} ms");
        Console.WriteLine($"B {b}: best {times[1].Min():F4} ms, median {Median(times[1]):F4} ms");
        Console.WriteLine($"A ÷ B: paired median {ratios[ratios.Length / 2]:F3} (quartiles {ratios[ratios.Length / 4]:F3}–{ratios[3 * ratios.Length / 4]:F3}), best ÷ best {times[0].Min() / times[1].Min():F3}");
        return 0;
    }

    /// <summary>The workload from the build in <paramref name="directory"/>, its assemblies in a context of their own.</summary>
    private static Action Load(string directory, string name, int threads)
    {
        string full = Path.GetFullPath(directory);
        var context = new BuildContext(full);
        Assembly benchmarks = context.LoadFromAssemblyPath(Path.Combine(full, "Attend.Benchmarks.dll"));
        Type workloads = benchmarks.GetType(typeof(BuildComparisonWorkloads).FullName!)
            ?? throw new InvalidOperationException($"{full} has no {nameof(BuildComparisonWorkloads)}: build it from a commit that has the ab command.");
        MethodInfo create = workloads.GetMethod(nameof(BuildComparisonWorkloads.Create))!;
        try
        {
            return (Action)create.Invoke(null, [name, threads])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static int WarmUp(Action first, Action second)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (clock.Elapsed.TotalSeconds < 2)
        {
            first();
            second();
            calls++;
        }

        return Math.Max(1, (int)(BlockMilliseconds * calls / clock.Elapsed.TotalMilliseconds));
    }

    private static double Block(Action action, int repeats)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < repeats; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / repeats;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Resolves every assembly its directory holds from there (the framework's stay shared).</summary>
    private sealed class BuildContext(string directory) : AssemblyLoadContext($"build {directory}")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
