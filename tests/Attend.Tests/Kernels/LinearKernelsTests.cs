using System;
using System.Collections.Generic;
using System.Linq;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary><see cref="LinearKernels"/> on every path against a float64 reference, plus its argument checks.</summary>
public sealed class LinearKernelsTests
{
    private static readonly int[] Features = [1, 3, 5, 15, 17, 45, 64, 80, 129];
    private static readonly int[] RowCounts = [1, 2, 7, 13, 100];

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All)
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void OddShapes_MatchReference(KernelPath path)
    {
        // Every in × out pair at a few row counts (all pairs at every count would be 405 shapes a path).
        for (int i = 0; i < Features.Length; i++)
        {
            for (int o = 0; o < Features.Length; o++)
            {
                int rows = RowCounts[(i + o) % RowCounts.Length];
                var c = LinearCase.Create(seed: 100 * i + o, rows, Features[i], Features[o]);
                c.AssertMatchesReference(path);
            }
        }

        foreach (int rows in RowCounts)
        {
            LinearCase.Create(seed: rows, rows, inFeatures: 45, outFeatures: 80).AssertMatchesReference(path);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryTileHeight_MatchesReference(KernelPath path)
    {
        // 1 to 17 rows: every remainder of the 6-row (Vector256, Vector128) and 8-row (Vector512) tiles.
        for (int rows = 1; rows <= 17; rows++)
        {
            LinearCase.Create(seed: 50 + rows, rows, inFeatures: 17, outFeatures: 80).AssertMatchesReference(path);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void WideStrides_WriteOnlyTheirColumns(KernelPath path)
    {
        // Gaps of 3 inputs and 5 outputs after every row, as when Q, K and V share one [rows, 3E] buffer.
        var c = LinearCase.Create(seed: 7, rows: 13, inFeatures: 17, outFeatures: 45, inputPad: 3, outputPad: 5);
        c.AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EmptyBias_IsZeroBias(KernelPath path)
    {
        var c = LinearCase.Create(seed: 8, rows: 7, inFeatures: 15, outFeatures: 17, withBias: false);
        c.AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void DeepAndTall_CrossesCacheBlocks(KernelPath path)
    {
        // 1100 input features span two 550-deep blocks (partial sums stored and reloaded); 100 rows span a
        // 48-row block and a 52-row one (a short last block joins the one before it); 50 outputs end in a partial panel.
        var c = LinearCase.Create(seed: 9, rows: 100, inFeatures: 1100, outFeatures: 50, inputPad: 1, outputPad: 2);
        c.AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void DanetProjectionShape_OneRowBlockAndEqualDepthBlocks(KernelPath path)
    {
        // 64 rows make one row block (not 48 + 16); 2100 features three 700-deep blocks (not 1024 + 1024 + 52);
        // 40 outputs are two full panels, packed by the blocked transpose, and a partial one.
        var c = LinearCase.Create(seed: 11, rows: 64, inFeatures: 2100, outFeatures: 40, inputPad: 1, outputPad: 2);
        c.AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SingleRow_DeepAndWide_MatchesReference(KernelPath path)
    {
        // One row takes the one-row tiles on the vector paths; 1100 features cross a block there too.
        var c = LinearCase.Create(seed: 10, rows: 1, inFeatures: 1100, outFeatures: 200, outputPad: 3);
        c.AssertMatchesReference(path);

        // 1 to 9 panels, the last one partial: every remainder of the 4-panel and 8-panel one-row tiles.
        for (int panels = 1; panels <= 9; panels++)
        {
            LinearCase.Create(seed: 20 + panels, rows: 1, inFeatures: 33, outFeatures: 16 * panels - 3).AssertMatchesReference(path);
        }
    }

    [Theory]
    [InlineData(100, 200, 150)] // split over rows
    [InlineData(13, 300, 600)]  // too few rows: split over columns
    [InlineData(1, 2100, 1100)] // one row: split over columns
    public void ThreadCounts_GiveTheSameBits(int rows, int inFeatures, int outFeatures)
    {
        Assert.True(LinearKernels.PlanThreads(rows, inFeatures, outFeatures, 2) == 2, "the shape is too small to use 2 threads");
        var c = LinearCase.Create(seed: 11, rows, inFeatures, outFeatures, outputPad: 1);
        foreach (KernelPath path in KernelPaths.All)
        {
            float[] single = c.Run(path, maxDegreeOfParallelism: 1);
            Assert.Equal(single, c.Run(path, maxDegreeOfParallelism: 2), BitwiseComparer.Instance);
            Assert.Equal(single, c.Run(path, maxDegreeOfParallelism: 3), BitwiseComparer.Instance);
        }
    }

    [Fact]
    public void EveryPath_GivesTheSameBits()
    {
        // Every path computes each output as the same chain of fused multiply-adds from the bias.
        foreach (var (rows, inFeatures, outFeatures) in new[] { (13, 129, 45), (1, 80, 17), (100, 1100, 50) })
        {
            var c = LinearCase.Create(seed: rows, rows, inFeatures, outFeatures);
            float[] scalar = c.Run(KernelPath.Scalar);
            foreach (KernelPath path in KernelPaths.All)
            {
                Assert.Equal(scalar, c.Run(path), BitwiseComparer.Instance);
            }

            Assert.Equal(scalar, c.Run(KernelPath.Auto), BitwiseComparer.Instance);
        }
    }

    [Fact]
    public void SingleThread_AllocatesNothingOnceWarm()
    {
        var c = LinearCase.Create(seed: 12, rows: 13, inFeatures: 1100, outFeatures: 45);
        float[] output = new float[c.Rows * c.OutFeatures];
        foreach (KernelPath path in KernelPaths.All)
        {
            LinearKernels.Forward(path, c.Input, c.Rows, c.InputStride, c.Packed, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutFeatures);
            long before = GC.GetAllocatedBytesForCurrentThread();
            LinearKernels.Forward(path, c.Input, c.Rows, c.InputStride, c.Packed, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutFeatures);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ZeroRows_WritesNothing(KernelPath path)
    {
        const int InFeatures = 3, OutFeatures = 5;
        const float Sentinel = -123.25f;
        float[] weight = Enumerable.Range(1, OutFeatures * InFeatures).Select(i => (float)i).ToArray();
        float[] packed = new float[LinearKernels.PackedLength(InFeatures, OutFeatures)];
        LinearKernels.Pack(weight, InFeatures, OutFeatures, packed);
        float[] input = [1f, 2f, 3f];
        float[] bias = [1f, 1f, 1f, 1f, 1f];
        // Room for a row: a kernel that ignored rows = 0 would have somewhere to write.
        float[] output = Enumerable.Repeat(Sentinel, OutFeatures).ToArray();

        LinearKernels.Forward(path, input, 0, InFeatures, packed, bias, InFeatures, OutFeatures, output, OutFeatures, maxDegreeOfParallelism: 4);

        Assert.All(output, value => Assert.Equal(Sentinel, value));
    }

    [Fact]
    public void Pack_LaysOutPanelsOf16ColumnsZeroPadded()
    {
        const int InFeatures = 3, OutFeatures = 17;
        float[] weight = new float[OutFeatures * InFeatures];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = i + 1;
        }

        Assert.Equal(2 * 16 * InFeatures, LinearKernels.PackedLength(InFeatures, OutFeatures));
        float[] packed = new float[LinearKernels.PackedLength(InFeatures, OutFeatures)];
        LinearKernels.Pack(weight, InFeatures, OutFeatures, packed);
        for (int n = 0; n < 32; n++)
        {
            for (int k = 0; k < InFeatures; k++)
            {
                float expected = n < OutFeatures ? weight[n * InFeatures + k] : 0f;
                Assert.Equal(expected, packed[(n / 16 * InFeatures + k) * 16 + n % 16]);
            }
        }
    }

    [Fact]
    public void BadArguments_ThrowNamingTheArgument()
    {
        const int Rows = 2, In = 3, Out = 5;
        float[] x = new float[Rows * In], w = new float[Out * In], b = new float[Out], y = new float[Rows * Out];
        float[] packed = new float[LinearKernels.PackedLength(In, Out)];

        void Forward(KernelPath path = KernelPath.Auto, float[]? input = null, int rows = Rows, int inputStride = In,
            float[]? packedWeight = null, float[]? bias = null, int inFeatures = In, int outFeatures = Out,
            float[]? output = null, int outputStride = Out, int threads = 1) =>
            LinearKernels.Forward(path, input ?? x, rows, inputStride, packedWeight ?? packed, bias ?? b, inFeatures,
                outFeatures, output ?? y, outputStride, threads);

        AssertThrows<ArgumentOutOfRangeException>("inFeatures", () => LinearKernels.PackedLength(0, Out));
        AssertThrows<ArgumentOutOfRangeException>("outFeatures", () => LinearKernels.PackedLength(In, -1));
        AssertThrows<ArgumentException>("weight", () => LinearKernels.Pack(new float[Out * In - 1], In, Out, packed));
        AssertThrows<ArgumentException>("packed", () => LinearKernels.Pack(w, In, Out, new float[packed.Length + 1]));

        AssertThrows<ArgumentOutOfRangeException>("path", () => Forward(path: (KernelPath)99));
        AssertThrows<ArgumentOutOfRangeException>("rows", () => Forward(rows: -1));
        AssertThrows<ArgumentOutOfRangeException>("inFeatures", () => Forward(inFeatures: 0));
        AssertThrows<ArgumentOutOfRangeException>("outFeatures", () => Forward(outFeatures: 0));
        AssertThrows<ArgumentOutOfRangeException>("inputStride", () => Forward(inputStride: In - 1));
        AssertThrows<ArgumentOutOfRangeException>("outputStride", () => Forward(outputStride: Out - 1));
        AssertThrows<ArgumentOutOfRangeException>("maxDegreeOfParallelism", () => Forward(threads: 0));
        AssertThrows<ArgumentException>("packedWeight", () => Forward(packedWeight: new float[packed.Length - 1]));
        AssertThrows<ArgumentException>("bias", () => Forward(bias: new float[Out - 1]));
        AssertThrows<ArgumentException>("input", () => Forward(input: new float[Rows * In - 1]));
        AssertThrows<ArgumentException>("input", () => Forward(inputStride: In + 1));
        AssertThrows<ArgumentException>("output", () => Forward(output: new float[Rows * Out - 1]));

        float[] shared = new float[Rows * Out];
        AssertThrows<ArgumentException>("output", () =>
            LinearKernels.Forward(KernelPath.Auto, shared, Rows, In, packed, b, In, Out, shared, Out));

        Assert.All(y, v => Assert.Equal(0f, v)); // nothing was written before a check failed
    }

    private static void AssertThrows<T>(string parameter, Action action)
        where T : ArgumentException
    {
        T e = Assert.Throws<T>(action);
        Assert.Equal(parameter, e.ParamName);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    /// <summary>Compares floats by their bits, so that the thread-count and path checks demand identical results.</summary>
    private sealed class BitwiseComparer : IEqualityComparer<float>
    {
        public static readonly BitwiseComparer Instance = new();

        public bool Equals(float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y);

        public int GetHashCode(float value) => BitConverter.SingleToInt32Bits(value);
    }
}

/// <summary>One random problem: inputs, the packed weight, and output buffers whose gaps hold a sentinel.</summary>
internal sealed class LinearCase
{
    private const float Sentinel = -12345.5f;

    private LinearCase(int rows, int inFeatures, int outFeatures, int inputStride, int outputStride,
        float[] input, float[] weight, float[] bias)
    {
        Rows = rows;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        InputStride = inputStride;
        OutputStride = outputStride;
        Input = input;
        Weight = weight;
        Bias = bias;
        Packed = new float[LinearKernels.PackedLength(inFeatures, outFeatures)];
        LinearKernels.Pack(weight, inFeatures, outFeatures, Packed);
    }

    public int Rows { get; }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public int InputStride { get; }

    public int OutputStride { get; }

    public float[] Input { get; }

    /// <summary>[OutFeatures, InFeatures], PyTorch layout.</summary>
    public float[] Weight { get; }

    /// <summary>Empty when the case has no bias.</summary>
    public float[] Bias { get; }

    public float[] Packed { get; }

    public static LinearCase Create(int seed, int rows, int inFeatures, int outFeatures, int inputPad = 0, int outputPad = 0,
        bool withBias = true)
    {
        var random = new Random(seed);
        float Next() => (float)(random.NextDouble() * 2 - 1);
        int inputStride = inFeatures + inputPad;
        float[] input = new float[(rows - 1) * inputStride + inFeatures];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = i % inputStride < inFeatures ? Next() : float.NaN; // a gap read by mistake poisons the output
        }

        float[] weight = new float[outFeatures * inFeatures];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = Next();
        }

        float[] bias = withBias ? new float[outFeatures] : [];
        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = Next();
        }

        return new LinearCase(rows, inFeatures, outFeatures, inputStride, outFeatures + outputPad, input, weight, bias);
    }

    /// <summary>Runs the kernel into a fresh buffer whose every element starts as the sentinel.</summary>
    public float[] Run(KernelPath path, int maxDegreeOfParallelism = 1)
    {
        // One spare element after the last row: the kernel must not write past outFeatures there either.
        float[] output = new float[(Rows - 1) * OutputStride + OutFeatures + 1];
        Array.Fill(output, Sentinel);
        LinearKernels.Forward(path, Input, Rows, InputStride, Packed, Bias, InFeatures, OutFeatures, output, OutputStride,
            maxDegreeOfParallelism);
        return output;
    }

    /// <summary>
    /// Each output within 1e-5 of its scale, <c>|b| + Σ|x·w|</c>, of the float64 sum (a float32 sum of 129
    /// terms can be off by about 129 · 6e-8 of that scale at worst); every other element still the sentinel.
    /// </summary>
    public void AssertMatchesReference(KernelPath path)
    {
        float[] output = Run(path);
        string shape = $"{path}: rows {Rows}, in {InFeatures} (stride {InputStride}), out {OutFeatures} (stride {OutputStride})";
        for (int i = 0; i < output.Length; i++)
        {
            int r = i / OutputStride, n = i % OutputStride;
            if (r >= Rows || n >= OutFeatures)
            {
                Assert.True(output[i] == Sentinel, $"{shape}: element {i} outside the outputs was written");
                continue;
            }

            double sum = Bias.Length == 0 ? 0 : Bias[n];
            double scale = Math.Abs(sum);
            for (int k = 0; k < InFeatures; k++)
            {
                double term = (double)Input[r * InputStride + k] * Weight[n * InFeatures + k];
                sum += term;
                scale += Math.Abs(term);
            }

            double error = Math.Abs(output[i] - sum);
            Assert.True(error <= 1e-5 * scale, $"{shape}: y[{r}, {n}] = {output[i]}, expected {sum} (error {error:E2}, scale {scale:E2})");
        }
    }
}
