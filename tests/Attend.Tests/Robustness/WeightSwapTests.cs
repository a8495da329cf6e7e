using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Robustness;

/// <summary>
/// Every weighted layer kind besides <c>[MultiHeadAttention]</c> (see <see cref="ConcurrencyTests"/>): <c>LoadWeights</c>
/// racing forward passes swaps the weights whole, and a load that fails leaves the layer exactly as it was.
/// </summary>
public sealed class WeightSwapTests(ITestOutputHelper output)
{
    private const int Runners = 7;
    private const int PassesPerRunner = 40;
    private const int MinimumLoads = 100;
    private const int MostPassesPerRunner = 1000;

    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (SwapCase swap in SwapCase.All()) data.Add(swap.Kind);
        return data;
    }

    private static SwapCase Case(string kind) => SwapCase.All().Single(c => c.Kind == kind);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void LoadWeights_racing_forwards_swaps_weights_whole(string kind)
    {
        SwapCase swap = Case(kind);
        (Action<IWeightSource> load, Func<float[]> forward) = swap.Create();
        WeightDictionary first = swap.Weights(seed: 1), second = swap.Weights(seed: 2);
        load(first);
        float[] withFirst = forward();
        load(second);
        float[] withSecond = forward();
        Assert.False(RobustnessData.BitIdentical(withFirst, withSecond), "the two weight sets must give different outputs");

        int loadsDone = 0, seenFirst = 0, seenSecond = 0, torn = 0, forwards = 0, runnersLeft = Runners;
        // Dedicated threads started together: on a 2-core machine the thread pool would run them one after another.
        using var start = new Barrier(Runners + 1);
        var clock = Stopwatch.StartNew();
        bool Raced() => Volatile.Read(ref loadsDone) >= MinimumLoads && Volatile.Read(ref seenFirst) > 0 && Volatile.Read(ref seenSecond) > 0;
        var loader = new Thread(() =>
        {
            start.SignalAndWait();
            // Keep swapping for as long as any runner is still computing.
            for (int n = 0; Volatile.Read(ref runnersLeft) > 0; n++)
            {
                load(n % 2 == 0 ? first : second);
                Interlocked.Increment(ref loadsDone);
            }
        });
        Thread[] runners = Enumerable.Range(0, Runners).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            // At least PassesPerRunner passes, and on (bounded) until MinimumLoads loads have landed among them and both sets
            // have been seen: on a busy 2-core machine the loader and the runners can otherwise take turns instead of racing.
            for (int pass = 0; pass < MostPassesPerRunner && (pass < PassesPerRunner || !Raced()); pass++)
            {
                float[] y = forward();
                Interlocked.Increment(ref forwards);
                if (RobustnessData.BitIdentical(y, withFirst)) Interlocked.Increment(ref seenFirst);
                else if (RobustnessData.BitIdentical(y, withSecond)) Interlocked.Increment(ref seenSecond);
                else Interlocked.Increment(ref torn);
                Thread.Yield(); // a pass takes microseconds: without this a runner can finish inside one time slice, never racing
            }

            Interlocked.Decrement(ref runnersLeft);
        })).ToArray();
        foreach (Thread thread in runners.Append(loader)) thread.Start();
        foreach (Thread thread in runners.Append(loader)) Assert.True(thread.Join(TimeSpan.FromMinutes(1)), "a thread did not finish");

        CiReport.Line(output, $"Concurrency, LoadWeights racing forwards, {kind}: {loadsDone} loads against {Runners} threads, {forwards} forwards in {clock.Elapsed.TotalSeconds:F1} s: " +
                              $"{seenFirst} saw the first set, {seenSecond} the second, {torn} a mix.");
        Assert.True(loadsDone >= MinimumLoads, $"only {loadsDone} loads ran while the forwards did");
        Assert.True(forwards >= Runners * PassesPerRunner, $"only {forwards} forwards ran");
        Assert.True(seenFirst > 0 && seenSecond > 0, $"the forwards never saw one of the sets ({seenFirst} first, {seenSecond} second): the loads did not race them");
        Assert.Equal(0, torn);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Failed_load_leaves_the_layer_unchanged(string kind)
    {
        SwapCase swap = Case(kind);
        (Action<IWeightSource> load, Func<float[]> forward) = swap.Create();
        load(swap.Weights(seed: 3));
        float[] before = forward();
        // What the valid tensors of the broken sets would give if they were applied.
        load(swap.Weights(seed: 4));
        Assert.False(RobustnessData.BitIdentical(before, forward()), "the two weight sets must give different outputs");
        load(swap.Weights(seed: 3));

        string last = swap.Tensors[^1].Name;
        InvalidDataException misshaped = Assert.Throws<InvalidDataException>(() => load(swap.Broken(seed: 4, missing: false)));
        Assert.Contains(last, misshaped.Message);
        Assert.True(RobustnessData.BitIdentical(before, forward()), "a load that failed on a misshaped tensor changed the layer");

        KeyNotFoundException missing = Assert.Throws<KeyNotFoundException>(() => load(swap.Broken(seed: 4, missing: true)));
        Assert.Contains(last, missing.Message);
        Assert.True(RobustnessData.BitIdentical(before, forward()), "a load that failed on a missing tensor changed the layer");
        CiReport.Line(output, $"LoadWeights, {kind}: a load failing on its last tensor ({last}, misshaped, then missing) left the layer's output bit-identical.");
    }
}
