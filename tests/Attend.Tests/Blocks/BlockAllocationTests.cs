using Attend.Tests.Kernels;
using Xunit;

namespace Attend.Tests.Blocks;

/// <summary>
/// The blocks' forward passes, like the layers', allocate nothing once warm: on the calling thread and on the worker
/// threads their projections and attention run on. Weights stay zeroed: what is allocated does not depend on them.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class BlockAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EncoderForward_AllocatesNothingOnceWarm(int threads)
    {
        var stack = new TelPostReluMedium { MaxDegreeOfParallelism = threads };
        float[] input = new float[2 * 96 * TelPostReluMedium.ModelDim], output = new float[input.Length];

        AllocationTests.AssertAllocatesNothing(() => stack.Forward(input, output, batch: 2, length: 96));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DecoderForward_AllocatesNothingOnceWarm(int threads)
    {
        var stack = new DecoderPostRelu { MaxDegreeOfParallelism = threads };
        float[] target = new float[2 * 40 * DecoderPostRelu.ModelDim], memory = new float[2 * 30 * DecoderPostRelu.ModelDim], output = new float[target.Length];

        AllocationTests.AssertAllocatesNothing(() => stack.Forward(target, memory, output, batch: 2, targetLength: 40, memoryLength: 30));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void VisionTransformerForward_AllocatesNothingOnceWarm(int threads)
    {
        var model = new VitCurrentClassToken { MaxDegreeOfParallelism = threads };
        float[] images = new float[64 * 3 * 8 * 8], logits = new float[64 * VitCurrentClassToken.Classes];

        AllocationTests.AssertAllocatesNothing(() => model.Forward(images, logits, batch: 64));
    }

    [Fact]
    public void CachedDecodeStep_AllocatesNothingOnceTheCacheHasBeenFilledOnce()
    {
        var stack = new GqaRotaryHalfDecoder { MaxDegreeOfParallelism = 1 };
        KvCache cache = stack.CreateKvCache(batch: 4, capacity: 48);
        float[] token = new float[4 * GqaRotaryHalfDecoder.ModelDim], output = new float[token.Length];
        // The first sequence sizes the scratch as the cache grows; the same length again reuses it.
        for (int i = 0; i < 48; i++) stack.Forward(token, output, cache);
        cache.Reset();

        long before = System.GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 48; i++) stack.Forward(token, output, cache);

        Assert.Equal(0, System.GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DecodingInSequenceRanges_AllocatesNothingOnceWarm()
    {
        var stack = new GqaRotaryHalfDecoder { MaxDegreeOfParallelism = 2 };
        // 300 sequences: the step runs as two ranges of sequences on two threads (SequenceRangeDecodeTests).
        KvCache cache = stack.CreateKvCache(batch: 300, capacity: 8);
        float[] token = new float[300 * GqaRotaryHalfDecoder.ModelDim], output = new float[token.Length];
        for (int i = 0; i < 8; i++) stack.Forward(token, output, cache);
        cache.Reset();

        AllocationTests.AssertAllocatesNothing(() =>
        {
            for (int i = 0; i < 8; i++) stack.Forward(token, output, cache);
            cache.Reset();
        });
    }
}
