using System;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary><see cref="Convolution2d.Same"/> on every path against a direct float64 convolution, plus its argument checks.</summary>
public sealed class Convolution2dTests
{
    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All)
        {
            data.Add(path);
        }

        return data;
    }

    // Heights and widths around every register width (4, 8, 16, 32 columns), below the kernel, and 1.
    private static readonly (int Height, int Width)[] Sizes = [(1, 1), (2, 3), (3, 2), (5, 6), (7, 9), (4, 17), (9, 33), (6, 37)];

    [Theory]
    [MemberData(nameof(Paths))]
    public void SquareKernels_MatchReference(KernelPath path)
    {
        int seed = 0;
        foreach (int kernel in new[] { 1, 3, 5, 7 })
        {
            foreach (int dilation in new[] { 1, 2 })
            {
                foreach (int groups in new[] { 1, 4 })
                {
                    foreach ((int height, int width) in Sizes)
                    {
                        // 12 outputs: 3 per group of 4 (single-channel tiles) or 12 in one group (4-channel tiles).
                        var c = ConvolutionCase.Create(++seed, inChannels: 8, height, width, outChannels: 12, kernel, kernel, dilation, groups, withBias: seed % 3 != 0);
                        c.AssertMatchesReference(path);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RectangularKernels_MatchReference(KernelPath path)
    {
        foreach ((int kh, int kw) in new[] { (1, 7), (7, 1), (3, 5), (5, 1) })
        {
            foreach ((int height, int width) in Sizes)
            {
                ConvolutionCase.Create(kh * 10 + kw, inChannels: 2, height, width, outChannels: 1, kh, kw, dilation: 2, groups: 1, withBias: true)
                    .AssertMatchesReference(path);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void WideImagesAndManyChannels_MatchReference(KernelPath path)
    {
        // The module sizes: 64 channels at 56 columns (3 × 16 + 8), depthwise and grouped, 1×1 over 3136 pixels.
        ConvolutionCase.Create(1, inChannels: 16, height: 9, width: 56, outChannels: 16, 3, 3, dilation: 1, groups: 1, withBias: true).AssertMatchesReference(path);
        ConvolutionCase.Create(2, inChannels: 16, height: 9, width: 56, outChannels: 16, 5, 5, dilation: 1, groups: 16, withBias: true).AssertMatchesReference(path);
        ConvolutionCase.Create(3, inChannels: 32, height: 56, width: 56, outChannels: 20, 1, 1, dilation: 1, groups: 2, withBias: true).AssertMatchesReference(path);
        ConvolutionCase.Create(4, inChannels: 4, height: 11, width: 61, outChannels: 4, 3, 3, dilation: 4, groups: 1, withBias: false).AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void InputChannelsInSeveralBlocks_MatchReference(KernelPath path)
    {
        // Widths a whole number of registers on every path, with more input rows than fit the L1 block: the
        // channels are summed in several passes that add to the partial sums in the output (7×7: 8 channels a pass).
        ConvolutionCase.Create(11, inChannels: 80, height: 6, width: 64, outChannels: 6, 7, 7, dilation: 1, groups: 1, withBias: true).AssertMatchesReference(path);
        ConvolutionCase.Create(12, inChannels: 150, height: 5, width: 16, outChannels: 5, 3, 3, dilation: 2, groups: 1, withBias: false).AssertMatchesReference(path);
        ConvolutionCase.Create(13, inChannels: 96, height: 4, width: 32, outChannels: 8, 5, 5, dilation: 1, groups: 2, withBias: true).AssertMatchesReference(path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPath_IsThreadSafe(KernelPath path)
    {
        var c = ConvolutionCase.Create(7, inChannels: 8, height: 13, width: 21, outChannels: 8, 3, 3, dilation: 2, groups: 2, withBias: true);
        System.Threading.Tasks.Parallel.For(0, 8, _ => c.AssertMatchesReference(path));
    }

    [Fact]
    public void InvalidArguments_NameTheArgument()
    {
        float[] x = new float[2 * 3 * 4];
        float[] w = new float[4 * 2 * 3 * 3];
        float[] y = new float[4 * 3 * 4];
        Assert.Equal("path", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Convolution2d.Same((KernelPath)9, x, 2, 3, 4, w, [], 4, 3, 3, 1, 1, y)).ParamName);
        Assert.Equal("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Convolution2d.Same(KernelPath.Scalar, x, 0, 3, 4, w, [], 4, 3, 3, 1, 1, y)).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Convolution2d.Same(KernelPath.Scalar, x, 2, -1, 4, w, [], 4, 3, 3, 1, 1, y)).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 3, 0, 1, y)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 3, 1, 0, y)).ParamName);
        var even = Assert.Throws<ArgumentException>(() => Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 4, 1, 1, y));
        Assert.Equal("kernelWidth", even.ParamName);
        Assert.Contains("odd", even.Message);
        var groups = Assert.Throws<ArgumentException>(() => Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 3, 1, 4, y));
        Assert.Equal("groups", groups.ParamName);
        var input = Assert.Throws<ArgumentException>(() => Convolution2d.Same(KernelPath.Scalar, x.AsSpan(1), 2, 3, 4, w, [], 4, 3, 3, 1, 1, y));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("= 24", input.Message);
        var weight = Assert.Throws<ArgumentException>(() => Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 3, 1, 2, y));
        Assert.Equal("weight", weight.ParamName);
        Assert.Contains("= 36", weight.Message);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() =>
            Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, new float[3], 4, 3, 3, 1, 1, y)).ParamName);
        var output = Assert.Throws<ArgumentException>(() => Convolution2d.Same(KernelPath.Scalar, x, 2, 3, 4, w, [], 4, 3, 3, 1, 1, y.AsSpan(0, 47)));
        Assert.Equal("output", output.ParamName);
        Assert.Contains("= 48", output.Message);
        float[] shared = new float[2 * 3 * 4 + 2 * 3 * 4];
        Assert.Equal("output", Assert.Throws<ArgumentException>(() =>
            Convolution2d.Same(KernelPath.Scalar, shared.AsSpan(0, 24), 2, 3, 4, new float[2 * 2 * 9], [], 2, 3, 3, 1, 1, shared.AsSpan(12, 24))).ParamName);
    }

    [Fact]
    public void WarmCall_AllocatesNothing()
    {
        var c = ConvolutionCase.Create(3, inChannels: 8, height: 14, width: 14, outChannels: 8, 5, 5, dilation: 2, groups: 1, withBias: true);
        var pointwise = ConvolutionCase.Create(4, inChannels: 8, height: 14, width: 14, outChannels: 8, 1, 1, dilation: 1, groups: 2, withBias: true);
        float[] output = new float[8 * 14 * 14];
        c.Run(KernelPath.Auto, output);
        pointwise.Run(KernelPath.Auto, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        c.Run(KernelPath.Auto, output);
        pointwise.Run(KernelPath.Auto, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Random input, weight and bias of one shape, and the float64 result computed tap by tap with explicit bounds checks.</summary>
    private sealed record ConvolutionCase(float[] Input, int InChannels, int Height, int Width, float[] Weight, float[] Bias,
        int OutChannels, int KernelHeight, int KernelWidth, int Dilation, int Groups)
    {
        public static ConvolutionCase Create(int seed, int inChannels, int height, int width, int outChannels, int kernelHeight,
            int kernelWidth, int dilation, int groups, bool withBias)
        {
            var random = new Random(seed);
            float[] Uniform(int n)
            {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
                return values;
            }

            return new ConvolutionCase(Uniform(inChannels * height * width), inChannels, height, width,
                Uniform(outChannels * inChannels / groups * kernelHeight * kernelWidth), withBias ? Uniform(outChannels) : [],
                outChannels, kernelHeight, kernelWidth, dilation, groups);
        }

        public float[] Run(KernelPath path)
        {
            float[] output = new float[OutChannels * Height * Width];
            output.AsSpan().Fill(float.NaN); // every element must be written
            Run(path, output);
            return output;
        }

        public void Run(KernelPath path, float[] output) =>
            Convolution2d.Same(path, Input, InChannels, Height, Width, Weight, Bias, OutChannels, KernelHeight, KernelWidth, Dilation, Groups, output);

        public void AssertMatchesReference(KernelPath path)
        {
            float[] actual = Run(path);
            int inPerGroup = InChannels / Groups;
            int outPerGroup = OutChannels / Groups;
            int padH = Dilation * (KernelHeight - 1) / 2;
            int padW = Dilation * (KernelWidth - 1) / 2;
            for (int o = 0; o < OutChannels; o++)
            {
                int g = o / outPerGroup;
                for (int y = 0; y < Height; y++)
                {
                    for (int x = 0; x < Width; x++)
                    {
                        double sum = Bias.Length == 0 ? 0 : Bias[o];
                        double magnitude = Math.Abs(sum);
                        for (int i = 0; i < inPerGroup; i++)
                        {
                            for (int ky = 0; ky < KernelHeight; ky++)
                            {
                                int iy = y - padH + ky * Dilation;
                                if (iy < 0 || iy >= Height) continue;
                                for (int kx = 0; kx < KernelWidth; kx++)
                                {
                                    int ix = x - padW + kx * Dilation;
                                    if (ix < 0 || ix >= Width) continue;
                                    double term = (double)Weight[((o * inPerGroup + i) * KernelHeight + ky) * KernelWidth + kx] *
                                        Input[((g * inPerGroup + i) * Height + iy) * Width + ix];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        }

                        // Float sums of n terms: error below n·2⁻²⁴·Σ|terms|; 1e-6·Σ|terms| is far tighter than one misplaced tap.
                        float got = actual[(o * Height + y) * Width + x];
                        double tolerance = 1e-6 * magnitude + 1e-7;
                        Assert.True(Math.Abs(got - sum) <= tolerance,
                            $"{path} {KernelHeight}×{KernelWidth} d{Dilation} g{Groups} {InChannels}→{OutChannels} {Height}×{Width}: " +
                            $"out[{o},{y},{x}] = {got}, expected {sum} (±{tolerance:G3})");
                    }
                }
            }
        }
    }
}
