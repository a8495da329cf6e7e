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

    public static TheoryData<KernelPath, FeedForwardActivation, WeightPrecision> FusedCases()
    {
        var data = new TheoryData<KernelPath, FeedForwardActivation, WeightPrecision>();
        foreach (KernelPath path in KernelPaths.All)
        {
            foreach (FeedForwardActivation activation in new[] { FeedForwardActivation.Relu, FeedForwardActivation.Gelu, FeedForwardActivation.GeluTanh })
            {
                data.Add(path, activation, WeightPrecision.Float32);
            }

            data.Add(path, FeedForwardActivation.Gelu, WeightPrecision.BFloat16);
            data.Add(path, FeedForwardActivation.Gelu, WeightPrecision.Int8);
            data.Add(path, FeedForwardActivation.Gelu, WeightPrecision.Int8ByteActivations);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void FusedActivation_IsTheProjectionThenTheActivation_OnAnyThreadCount(KernelPath path, FeedForwardActivation activation, WeightPrecision precision)
    {
        foreach ((int rows, int inFeatures, int outFeatures) in new[] { (130, 24, 72), (5, 40, 100) }) // many row blocks; one, edge panel
        {
            var c = LinearCase.Create(seed: rows + outFeatures, rows, inFeatures, outFeatures, inputPad: 3, outputPad: 5);
            var weight = new PackedProjection(inFeatures, outFeatures);
            weight.Pack(c.Weight, precision);
            float[] expected = new float[c.Rows * c.OutputStride];
            Array.Fill(expected, -12345.5f);
            ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, weight, c.Bias, inFeatures, outFeatures, expected, c.OutputStride, 1);
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = expected.AsSpan(r * c.OutputStride, outFeatures);
                switch (activation)
                {
                    case FeedForwardActivation.Gelu: Activations.Gelu(path, row, row); break;
                    case FeedForwardActivation.GeluTanh: Activations.GeluTanh(path, row, row); break;
                    default: Activations.Relu(path, row, row); break;
                }
            }

            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] output = new float[expected.Length];
                Array.Fill(output, -12345.5f); // the gaps between output rows stay untouched
                ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, weight, c.Bias, inFeatures, outFeatures, output, c.OutputStride, threads, activation);
                LayerAssert.Identical(expected, output, $"{rows}×{inFeatures}→{outFeatures}, {threads} threads");
            }
        }
    }

    [Fact]
    public void FusedActivation_RejectsDefaultByName()
    {
        var weight = new PackedProjection(4, 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProjectionDriver.Forward(KernelPath.Auto, new float[8], 2, 4, weight, default, 4, 4, new float[8], 4, 1, FeedForwardActivation.Default));
        Assert.Equal("activation", ex.ParamName);
    }
}
