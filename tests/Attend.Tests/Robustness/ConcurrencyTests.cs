using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Robustness;

/// <summary>
/// One layer instance shared by many threads: every forward pass is bit-identical to the same pass run alone, and
/// <c>LoadWeights</c> racing with forward passes swaps the weights whole (each pass sees the old set or the new one).
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Threads = 8;
    private const int ForwardsPerThread = 500;
    private const int DistinctInputs = 16;
    private const int Batch = 2;
    private const int Length = 7;

    [Fact]
    public void Multi_head_attention_from_8_threads_matches_sequential_bit_for_bit()
    {
        const int E = CausalAttention.ModelDim;
        var layer = new CausalAttention();
        layer.LoadWeights(RobustnessData.MultiHeadWeights(E, seed: 41));
        float[][] inputs = Enumerable.Range(0, DistinctInputs).Select(k => RobustnessData.Random(Batch * Length * E, 100 + k)).ToArray();
        float[][] expected = inputs.Select(x => Forward(layer, x, null)).ToArray();
        float[][] expectedWeights = inputs.Select(x => ForwardWeights(layer, x)).ToArray();

        (int forwards, int mismatches, TimeSpan elapsed) = Hammer((thread, i) =>
        {
            int k = (thread * 5 + i) % DistinctInputs;
            // Every other pass also asks for the attention probabilities, so both outputs are raced.
            return i % 2 == 0
                ? RobustnessData.BitIdentical(Forward(layer, inputs[k], null), expected[k])
                : RobustnessData.BitIdentical(ForwardWeights(layer, inputs[k]), expectedWeights[k]);
        });

        CiReport.Line(output, $"Concurrency, MultiHeadAttention: {Threads} threads × {ForwardsPerThread} forwards = {forwards} on one instance in {elapsed.TotalSeconds:F1} s, {mismatches} differ from sequential.");
        Assert.Equal(Threads * ForwardsPerThread, forwards);
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Scaled_dot_product_attention_from_8_threads_matches_sequential_bit_for_bit()
    {
        const int H = GroupedAttention.Heads, Hkv = GroupedAttention.KvHeads, D = GroupedAttention.DimHead, Dv = GroupedAttention.ValueDimHead;
        var layer = new GroupedAttention();
        var problems = Enumerable.Range(0, DistinctInputs).Select(k => (
            Query: RobustnessData.Random(Batch * H * Length * D, 200 + k),
            Key: RobustnessData.Random(Batch * Hkv * Length * D, 300 + k),
            Value: RobustnessData.Random(Batch * Hkv * Length * Dv, 400 + k),
            Causal: k % 2 == 0)).ToArray();
        float[] Run(int k)
        {
            float[] y = new float[Batch * H * Length * Dv];
            layer.Forward(new ScaledDotProductAttentionArguments
            {
                Batch = Batch, QueryLength = Length, KeyLength = Length, IsCausal = problems[k].Causal,
                Query = problems[k].Query, Key = problems[k].Key, Value = problems[k].Value, Output = y,
            });
            return y;
        }

        float[][] expected = Enumerable.Range(0, DistinctInputs).Select(Run).ToArray();
        (int forwards, int mismatches, TimeSpan elapsed) = Hammer((thread, i) =>
        {
            int k = (thread * 3 + i) % DistinctInputs;
            return RobustnessData.BitIdentical(Run(k), expected[k]);
        });

        CiReport.Line(output, $"Concurrency, ScaledDotProductAttention: {Threads} threads × {ForwardsPerThread} forwards = {forwards} on one instance in {elapsed.TotalSeconds:F1} s, {mismatches} differ from sequential.");
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void LoadWeights_during_forwards_swaps_weights_whole()
    {
        const int E = PlainAttention.ModelDim, Loads = 200;
        var layer = new PlainAttention();
        WeightDictionary first = RobustnessData.MultiHeadWeights(E, seed: 51);
        WeightDictionary second = RobustnessData.MultiHeadWeights(E, seed: 52);
        float[] input = RobustnessData.Random(Batch * Length * E, 53);
        layer.LoadWeights(first);
        float[] withFirst = Forward(layer, input, null);
        layer.LoadWeights(second);
        float[] withSecond = Forward(layer, input, null);
        Assert.False(RobustnessData.BitIdentical(withFirst, withSecond), "the two weight sets must give different outputs");

        const int PassesPerRunner = 60;
        int loadsDone = 0, seenFirst = 0, seenSecond = 0, torn = 0, forwards = 0, runnersLeft = Threads - 1;
        // Dedicated threads started together: on a 2-core machine the thread pool would run the tasks one after another.
        using var start = new Barrier(Threads);
        var loader = new Thread(() =>
        {
            start.SignalAndWait();
            // Keep swapping for as long as any runner is still computing, and at least Loads times.
            for (int n = 0; n < Loads || Volatile.Read(ref runnersLeft) > 0; n++)
            {
                layer.LoadWeights(n % 2 == 0 ? first : second);
                Interlocked.Increment(ref loadsDone);
            }
        });
        Thread[] runners = Enumerable.Range(0, Threads - 1).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int pass = 0; pass < PassesPerRunner; pass++)
            {
                float[] y = Forward(layer, input, null);
                Interlocked.Increment(ref forwards);
                if (RobustnessData.BitIdentical(y, withFirst)) Interlocked.Increment(ref seenFirst);
                else if (RobustnessData.BitIdentical(y, withSecond)) Interlocked.Increment(ref seenSecond);
                else Interlocked.Increment(ref torn);
            }

            Interlocked.Decrement(ref runnersLeft);
        })).ToArray();
        foreach (Thread thread in runners.Append(loader)) thread.Start();
        foreach (Thread thread in runners.Append(loader)) Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "a thread did not finish");

        CiReport.Line(output, $"Concurrency, LoadWeights racing forwards: {loadsDone} loads against {Threads - 1} threads × {PassesPerRunner} forwards: " +
                              $"{seenFirst} saw the first set, {seenSecond} the second, {torn} a mix.");
        Assert.True(loadsDone >= Loads, $"only {loadsDone} loads ran");
        Assert.Equal((Threads - 1) * PassesPerRunner, forwards);
        Assert.Equal(0, torn);
    }

    /// <summary>Runs <paramref name="check"/> <see cref="ForwardsPerThread"/> times on each of <see cref="Threads"/> threads, started together.</summary>
    private static (int Forwards, int Mismatches, TimeSpan Elapsed) Hammer(Func<int, int, bool> check)
    {
        int forwards = 0, mismatches = 0;
        using var start = new Barrier(Threads);
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < ForwardsPerThread; i++)
            {
                if (!check(t, i)) Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref forwards);
            }
        })).ToArray();
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        return (forwards, mismatches, clock.Elapsed);
    }

    private static float[] Forward(CausalAttention layer, float[] input, float[]? weights)
    {
        float[] y = new float[input.Length];
        layer.Forward(input, y, Batch, Length, attentionWeights: weights);
        return y;
    }

    private static float[] ForwardWeights(CausalAttention layer, float[] input)
    {
        float[] weights = new float[Batch * CausalAttention.Heads * Length * Length];
        Forward(layer, input, weights);
        return weights;
    }

    private static float[] Forward(PlainAttention layer, float[] input, float[]? weights)
    {
        float[] y = new float[input.Length];
        layer.Forward(input, y, Batch, Length, attentionWeights: weights);
        return y;
    }
}
