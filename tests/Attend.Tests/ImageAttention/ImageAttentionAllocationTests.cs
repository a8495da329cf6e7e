using System;
using Attend;
using Attend.Tests.Kernels;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.ImageAttention;

/// <summary>A warm Forward of every image attention layer allocates nothing, on one thread or several.</summary>
[Collection(AllocationCollection.Name)]
public sealed class ImageAttentionAllocationTests
{
    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (int threads in new[] { 1, 2 })
        {
            data.Add(nameof(PamC64), 20, threads);
            data.Add(nameof(PamOfficialC64), 20, threads);
            data.Add(nameof(CamC64H7W7), 7, threads);
            data.Add(nameof(CamOfficialC64), 30, threads);
            data.Add(nameof(AttnConvK3Medium), 30, threads);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_allocates_nothing_once_warm(string layer, int size, int threads)
    {
        var random = new Random(7);
        (IWeightSource weights, int inChannels, int outChannels) = ImageAttentionTests.RandomLayer(layer, random);
        ImageForward forward = ImageAttentionLayers.Create(layer, weights, KernelPath.Auto, threads);
        float[] x = Random(random, 2 * inChannels * size * size);
        var y = new float[2 * outChannels * size * size];
        AllocationTests.AssertAllocatesNothing(() => forward(x, y, 2, size, size));
    }
}
