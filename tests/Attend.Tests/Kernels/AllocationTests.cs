using System;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>A small MHA layer for the allocation test.</summary>
[MultiHeadAttention(ModelDim = 64, Heads = 4, Mask = AttentionMask.Causal)]
internal sealed partial class AllocationProbeAttention;

/// <summary>Runs alone: it reads the process-wide allocation counter, which other tests running in parallel would move.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Allocation";
}

/// <summary>
/// A warm <c>Forward</c> allocates nothing: not on the calling thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>),
/// and not on the worker threads either (the process-wide <see cref="GC.GetTotalAllocatedBytes(bool)"/>).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MultiHeadAttentionForward_AllocatesNothingOnceWarm(int threads)
    {
        var random = new Random(1);
        var layer = new AllocationProbeAttention { MaxDegreeOfParallelism = threads };
        var weights = new WeightDictionary();
        weights.Add("in_proj_weight", Layers.TestTensors.Uniform(random, 3 * 64 * 64, 0.125), 3 * 64, 64);
        weights.Add("in_proj_bias", Layers.TestTensors.Uniform(random, 3 * 64, 0.125), 3 * 64);
        weights.Add("out_proj.weight", Layers.TestTensors.Uniform(random, 64 * 64, 0.125), 64, 64);
        weights.Add("out_proj.bias", Layers.TestTensors.Uniform(random, 64, 0.125), 64);
        layer.LoadWeights(weights);

        // Big enough for every strategy to go parallel (projections and tiles over several items).
        const int Length = 300;
        float[] input = Layers.TestTensors.Uniform(random, 2 * Length * 64, 1.0);
        var output = new float[input.Length];
        AssertAllocatesNothing(() => layer.Forward(input, output, batch: 2, queryLength: Length));
    }

    [Theory]
    [InlineData(1, 1, 1500)]    // split keys (decode over a cache read in place)
    [InlineData(2, 1, 1500)]
    [InlineData(1, 200, 0)]     // tiled
    [InlineData(2, 200, 0)]
    public void ScaledDotProductAttentionForward_AllocatesNothingOnceWarm(int threads, int queryLength, int past)
    {
        var random = new Random(2);
        var layer = new TiledWideLayer { MaxDegreeOfParallelism = threads };
        int heads = TiledWideLayer.Heads, d = TiledWideLayer.DimHead;
        float[] query = Layers.TestTensors.Uniform(random, heads * queryLength * d, 1.0);
        float[] key = Layers.TestTensors.Uniform(random, heads * queryLength * d, 1.0);
        float[] value = Layers.TestTensors.Uniform(random, heads * queryLength * d, 1.0);
        float[] pastKey = Layers.TestTensors.Uniform(random, heads * past * d, 1.0);
        float[] pastValue = Layers.TestTensors.Uniform(random, heads * past * d, 1.0);
        var output = new float[query.Length];
        AssertAllocatesNothing(() => layer.Forward(new ScaledDotProductAttentionArguments
        {
            Batch = 1,
            QueryLength = queryLength,
            KeyLength = queryLength,
            Query = query,
            Key = key,
            Value = value,
            PastKey = pastKey,
            PastValue = pastValue,
            PastLength = past,
            Output = output,
            IsCausal = true,
        }));
    }

    internal static void AssertAllocatesNothing(Action forward)
    {
        for (int i = 0; i < 30; i++)
        {
            forward(); // warm: JIT tiers, per-thread scratch, worker threads, cached work objects
        }

        // The calling thread: exactly nothing, every call. All threads: a helper that happened to take no item during
        // the warm-up sizes its scratch on its first one, so the least of several calls must be nothing (a per-call
        // allocation anywhere would show in every one).
        long leastProcessBytes = long.MaxValue;
        for (int run = 0; run < 10; run++)
        {
            long thread = GC.GetAllocatedBytesForCurrentThread();
            long process = GC.GetTotalAllocatedBytes(precise: true);
            forward();
            long threadBytes = GC.GetAllocatedBytesForCurrentThread() - thread;
            leastProcessBytes = Math.Min(leastProcessBytes, GC.GetTotalAllocatedBytes(precise: true) - process);
            Assert.Equal(0, threadBytes);
        }

        Assert.Equal(0, leastProcessBytes);
    }
}

/// <summary>
/// The External-Attention layers (BAM, Triplet, SK): a warm single-threaded Forward allocates nothing (the batch split of
/// <c>FeatureMapAttention</c> still goes through <c>Parallel.For</c>, which allocates, for every feature-map layer).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class ExternalAttentionAllocationTests
{
    [Theory]
    [InlineData("BamC32R16D2", "bam_r16_d2_small", 1)]
    [InlineData("TripletC6", "triplet_small", 1)]
    [InlineData("SkC8", "sk_k1357_small", 1)]
    public void Forward_allocates_nothing_once_warm(string layer, string fixture, int threads)
    {
        using SafeTensorsFile file = Family.FamilyTestData.OpenFixture(fixture);
        int channels = Family.FamilyTestData.Int(file, "channels");
        Family.FeatureMapForward forward = Family.ExternalAttentionLayers.Create(layer, file, KernelPath.Auto, threads);
        float[] x = Family.FamilyTestData.Random(new Random(2), 4 * channels * 34 * 41);
        var y = new float[x.Length];
        AllocationTests.AssertAllocatesNothing(() => forward(x, y, 4, 34, 41, default, default));
    }
}
