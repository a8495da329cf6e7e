using System;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary><see cref="ProjectionDriver"/>: every split of the rows and panels gives the single-threaded kernel's bits.</summary>
public sealed class ProjectionDriverTests
{
    [Theory]
    [InlineData(512, 64, 192)]  // 11 row blocks: split in panel groups too on two and three threads
    [InlineData(4096, 32, 48)]  // many row blocks: rows only
    [InlineData(40, 96, 320)]   // one row block: panel groups only
    public void Threads_GiveTheSingleThreadedBits(int rows, int inFeatures, int outFeatures)
    {
        var c = LinearCase.Create(seed: rows + inFeatures, rows, inFeatures, outFeatures, inputPad: 3, outputPad: 5);
        float[] expected = c.Run(KernelPath.Auto);
        foreach (int threads in new[] { 2, 3 })
        {
            float[] output = new float[expected.Length];
            Array.Fill(output, -12345.5f); // LinearCase's sentinel: the gaps between output rows must stay untouched
            ProjectionDriver.Forward(KernelPath.Auto, c.Input, c.Rows, c.InputStride, c.Packed, c.Bias, c.InFeatures, c.OutFeatures,
                output, c.OutputStride, threads);
            LayerAssert.Identical(expected, output, $"{threads} threads");
        }
    }
}
