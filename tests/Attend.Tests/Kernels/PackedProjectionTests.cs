using System;
using System.Linq;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// <see cref="PackedProjection"/> in bf16 and int8 on every path: bf16 gives exactly the float kernel's bits on the rounded
/// weights (decoded to floats the float tiles then read), within the rounding's bound of the float64 product of the
/// original weights; both give the same bits on any thread count and path; the stored formats themselves. The int8
/// product's own reference is in <see cref="Int8GemmTests"/>.
/// </summary>
public sealed class PackedProjectionTests
{
    private static readonly (int Rows, int In, int Out)[] Shapes =
        [(1, 17, 45), (1, 384, 1536), (7, 45, 17), (13, 129, 80), (100, 1100, 50), (6, 3, 1)];

    public static TheoryData<KernelPath, WeightPrecision> PathsAndPrecisions()
    {
        var data = new TheoryData<KernelPath, WeightPrecision>();
        foreach (KernelPath path in KernelPaths.All)
        {
            foreach (WeightPrecision precision in new[] { WeightPrecision.Float32, WeightPrecision.BFloat16 }) // int8: Int8GemmTests
            {
                data.Add(path, precision);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndPrecisions))]
    public void Forward_IsTheFloatKernelOnTheRoundedWeights(KernelPath path, WeightPrecision precision)
    {
        foreach (var (rows, inFeatures, outFeatures) in Shapes)
        {
            var c = LinearCase.Create(seed: rows + inFeatures + outFeatures, rows, inFeatures, outFeatures, inputPad: 3, outputPad: 5);
            var projection = new PackedProjection(inFeatures, outFeatures);
            projection.Pack(c.Weight, precision);
            Assert.Equal(precision, projection.Precision);

            float[] rounded = projection.Dequantize();
            var packedRounded = new float[LinearKernels.PackedLength(inFeatures, outFeatures)];
            LinearKernels.Pack(rounded, inFeatures, outFeatures, packedRounded);
            float[] expected = Run(c, (output) => LinearKernels.Forward(path, c.Input, rows, c.InputStride, packedRounded, c.Bias, inFeatures, outFeatures, output, c.OutputStride));
            float[] actual = Run(c, (output) => ProjectionDriver.Forward(path, c.Input, rows, c.InputStride, projection, c.Bias, inFeatures, outFeatures, output, c.OutputStride, 1));
            LayerAssert.Identical(expected, actual, $"{path} {precision} {rows}×{inFeatures}→{outFeatures}");
            AssertWithinRoundingBound(c, precision, actual);
        }
    }

    [Theory]
    [InlineData(WeightPrecision.BFloat16)]
    [InlineData(WeightPrecision.Int8)]
    [InlineData(WeightPrecision.Int8ByteActivations)]
    public void Threads_GiveTheSingleThreadedBits(WeightPrecision precision)
    {
        foreach (var (rows, inFeatures, outFeatures) in new[] { (512, 64, 192), (40, 96, 320), (45, 96, 320), (1, 2100, 1100) })
        {
            var c = LinearCase.Create(seed: rows, rows, inFeatures, outFeatures, inputPad: 3, outputPad: 5);
            var projection = new PackedProjection(inFeatures, outFeatures);
            projection.Pack(c.Weight, precision);
            foreach (KernelPath path in KernelPaths.All)
            {
                float[] single = Run(c, output => ProjectionDriver.Forward(path, c.Input, rows, c.InputStride, projection, c.Bias, inFeatures, outFeatures, output, c.OutputStride, 1));
                foreach (int threads in new[] { 2, 3 })
                {
                    float[] split = Run(c, output => ProjectionDriver.Forward(path, c.Input, rows, c.InputStride, projection, c.Bias, inFeatures, outFeatures, output, c.OutputStride, threads));
                    LayerAssert.Identical(single, split, $"{path} {precision} {rows} rows, {threads} threads");
                }
            }
        }
    }

    [Fact]
    public unsafe void EveryPrecisionsPanels_StartOnACacheLine()
    {
        // A 512-bit load of a float panel row must not straddle two cache lines (the one-row kernels' speed).
        foreach (var (inFeatures, outFeatures) in new[] { (17, 45), (384, 1536), (3, 1) })
        {
            float[] weight = new float[inFeatures * outFeatures];
            foreach (WeightPrecision precision in Enum.GetValues<WeightPrecision>())
            {
                var projection = new PackedProjection(inFeatures, outFeatures);
                projection.Pack(weight, precision);
                nint address = precision switch
                {
                    WeightPrecision.Float32 => Address(projection.Float32Panels!.Span),
                    WeightPrecision.BFloat16 => Address(projection.BFloat16Panels!.Span),
                    _ => Address(projection.Int8Panels!.Span),
                };
                Assert.True(address % 64 == 0, $"{precision} {inFeatures}→{outFeatures}: panels at {address % 64} past a line");
            }
        }

        static nint Address<T>(Span<T> span) where T : unmanaged
        {
            fixed (T* first = span) return (nint)first;
        }
    }

    [Fact]
    public void EveryPath_GivesTheSameBits()
    {
        var c = LinearCase.Create(seed: 3, rows: 13, inFeatures: 129, outFeatures: 45);
        foreach (WeightPrecision precision in new[] { WeightPrecision.BFloat16, WeightPrecision.Int8, WeightPrecision.Int8ByteActivations })
        {
            var projection = new PackedProjection(c.InFeatures, c.OutFeatures);
            projection.Pack(c.Weight, precision);
            float[] scalar = Run(c, output => ProjectionDriver.Forward(KernelPath.Scalar, c.Input, c.Rows, c.InputStride, projection, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutputStride, 1));
            foreach (KernelPath path in KernelPaths.All)
            {
                LayerAssert.Identical(scalar, Run(c, output => ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, projection, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutputStride, 1)), $"{precision} {path}");
            }
        }
    }

    [Fact]
    public void Unpacked_ComputesTheBiasAlone()
    {
        var c = LinearCase.Create(seed: 4, rows: 3, inFeatures: 5, outFeatures: 7, outputPad: 2);
        var projection = new PackedProjection(5, 7);
        Assert.Equal(0, projection.WeightBytes);
        float[] output = Run(c, o => ProjectionDriver.Forward(KernelPath.Auto, c.Input, c.Rows, c.InputStride, projection, c.Bias, 5, 7, o, c.OutputStride, 1));
        for (int r = 0; r < c.Rows; r++)
        {
            Assert.Equal(c.Bias, output.AsSpan(r * c.OutputStride, 7).ToArray());
            Assert.Equal(-12345.5f, output[r * c.OutputStride + 7]);
        }
    }

    [Fact]
    public void WeightBytes_HalveAndQuarter()
    {
        var weight = new float[1536 * 384];
        for (int i = 0; i < weight.Length; i++) weight[i] = MathF.Sin(i);
        long Bytes(WeightPrecision precision)
        {
            var projection = new PackedProjection(384, 1536);
            projection.Pack(weight, precision);
            return projection.WeightBytes;
        }

        Assert.Equal(4L * 384 * 1536, Bytes(WeightPrecision.Float32));
        Assert.Equal(2L * 384 * 1536, Bytes(WeightPrecision.BFloat16));
        Assert.Equal(384L * 1536 + 4 * 1536 * (384 / 64), Bytes(WeightPrecision.Int8)); // a byte a weight, a float scale per output and 64 inputs
        Assert.Equal(384L * 1536 + 2 * 4 * 1536 * (384 / 64), Bytes(WeightPrecision.Int8ByteActivations)); // and the group's weight sum
    }

    [Fact]
    public void BFloat16_RoundsToNearestEvenAndKeepsBFloat16ValuesExactly()
    {
        Assert.Equal(0x3F80, WeightQuantization.ToBFloat16(1f));
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even (1); just above goes up.
        Assert.Equal(0x3F80, WeightQuantization.ToBFloat16(1f + MathF.Pow(2, -8)));
        Assert.Equal(0x3F81, WeightQuantization.ToBFloat16(BitConverter.UInt32BitsToSingle(0x3F808001)));
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up to the even.
        Assert.Equal(0x3F82, WeightQuantization.ToBFloat16(1f + 3 * MathF.Pow(2, -8)));
        Assert.Equal(0x7F80, WeightQuantization.ToBFloat16(float.PositiveInfinity));
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)WeightQuantization.ToBFloat16(float.NaN) << 16)));
        // A BF16 file's values arrive as floats whose low 16 bits are zero: kept exactly.
        foreach (uint bits in new uint[] { 0x3DCC0000, 0xBF7F0000, 0x00010000, 0x7F7F0000 })
        {
            Assert.Equal((ushort)(bits >> 16), WeightQuantization.ToBFloat16(BitConverter.UInt32BitsToSingle(bits)));
        }
    }

    [Fact]
    public void Int8_ScalesPerOutputFeatureSymmetrically()
    {
        // Row 0 spans ±2 (scale 2/127), row 1 is all zeros (scale 0), row 2 holds one large weight.
        float[] weight = [2f, -2f, 1f, 0.5f, 0f, 0f, 0f, 0f, 0.01f, 0f, 0f, -100f];
        var projection = new PackedProjection(4, 3);
        projection.Pack(weight, WeightPrecision.Int8);
        float[] rounded = projection.Dequantize();
        Assert.Equal(2f / 127 * 127, rounded[0]);
        Assert.Equal(-rounded[0], rounded[1]);
        Assert.Equal(MathF.Round(1f / (2f / 127)) * (2f / 127), rounded[2]);
        Assert.Equal(new float[4], rounded.AsSpan(4, 4).ToArray());
        Assert.Equal(-100f / 127 * 127, rounded[11]);
        Assert.Equal(0f, rounded[8]); // 0.01 is below half a step of 100/127
        for (int i = 0; i < weight.Length; i++)
        {
            float step = weight.Skip(i / 4 * 4).Take(4).Max(MathF.Abs) / 127;
            Assert.True(MathF.Abs(rounded[i] - weight[i]) <= step / 2 * 1.0001f, $"weight {i}: {rounded[i]} for {weight[i]}");
        }
    }

    [Fact]
    public void Int8_ScalesEachGroupOf64InputsOnItsOwn()
    {
        // One output feature over 130 inputs: groups [0, 64), [64, 128), [128, 130) spanning ±1, ±100 and ±0.01.
        float[] weight = Enumerable.Range(0, 130).Select(k => (k < 64 ? 1f : k < 128 ? 100f : 0.01f) * MathF.Sin(k + 1)).ToArray();
        var projection = new PackedProjection(130, 1);
        projection.Pack(weight, WeightPrecision.Int8);
        float[] rounded = projection.Dequantize();
        foreach (var (start, count) in new[] { (0, 64), (64, 64), (128, 2) })
        {
            float step = weight.Skip(start).Take(count).Max(MathF.Abs) / 127;
            for (int k = start; k < start + count; k++)
            {
                Assert.True(MathF.Abs(rounded[k] - weight[k]) <= step / 2 * 1.0001f, $"input {k}: {rounded[k]} for {weight[k]}, step {step}");
            }
        }

        Assert.NotEqual(0f, rounded[129]); // a group-wide scale keeps the small tail; one scale per row would zero it
    }

    [Fact]
    public void SingleThread_AllocatesNothingOnceWarm()
    {
        var c = LinearCase.Create(seed: 12, rows: 13, inFeatures: 1100, outFeatures: 45);
        float[] output = new float[c.Rows * c.OutFeatures];
        foreach (WeightPrecision precision in new[] { WeightPrecision.BFloat16, WeightPrecision.Int8, WeightPrecision.Int8ByteActivations })
        {
            var projection = new PackedProjection(c.InFeatures, c.OutFeatures);
            projection.Pack(c.Weight, precision);
            foreach (KernelPath path in KernelPaths.All)
            {
                ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, projection, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutFeatures, 1);
                long before = GC.GetAllocatedBytesForCurrentThread();
                ProjectionDriver.Forward(path, c.Input, c.Rows, c.InputStride, projection, c.Bias, c.InFeatures, c.OutFeatures, output, c.OutFeatures, 1);
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
    }

    [Fact]
    public void BadArguments_ThrowNamingTheArgument()
    {
        var projection = new PackedProjection(4, 3);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => projection.Pack(new float[11], WeightPrecision.Int8)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => projection.Pack(new float[12], (WeightPrecision)4)).ParamName);
        projection.Pack(new float[12], WeightPrecision.BFloat16);
        float[] input = new float[8], output = new float[6];
        var error = Assert.Throws<ArgumentException>(() => ProjectionDriver.Forward(KernelPath.Auto, input, 2, 4, projection, default, 4, 5, new float[10], 5, 1));
        Assert.Equal("weight", error.ParamName);
        Assert.Contains("4 → 5", error.Message);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => ProjectionDriver.Forward(KernelPath.Auto, input.AsSpan(0, 7), 2, 4, projection, default, 4, 3, output, 3, 1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => ProjectionDriver.Forward(KernelPath.Auto, input, 2, 4, projection, default, 4, 3, output.AsSpan(0, 5), 3, 1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => ProjectionDriver.Forward(KernelPath.Auto, input, 2, 4, projection, new float[2], 4, 3, output, 3, 1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => ProjectionDriver.Forward(KernelPath.Auto, input, 2, 4, (PackedProjection)null!, default, 4, 3, output, 3, 1));
    }

    internal delegate void Kernel(float[] output);

    /// <summary>Runs into a buffer of sentinels with one spare element after the last row (LinearCase's convention).</summary>
    internal static float[] Run(LinearCase c, Kernel kernel)
    {
        float[] output = new float[(c.Rows - 1) * c.OutputStride + c.OutFeatures + 1];
        Array.Fill(output, -12345.5f);
        kernel(output);
        return output;
    }

    /// <summary>
    /// Each output within the weight rounding's bound of the float64 product of the original weights: bf16 moves a weight by
    /// at most 2^-9 of itself; plus 1e-5 of the magnitude for the float32 sums.
    /// </summary>
    private static void AssertWithinRoundingBound(LinearCase c, WeightPrecision precision, float[] actual)
    {
        for (int r = 0; r < c.Rows; r++)
        {
            for (int n = 0; n < c.OutFeatures; n++)
            {
                double exact = c.Bias.Length == 0 ? 0 : c.Bias[n], magnitude = Math.Abs(exact);
                for (int k = 0; k < c.InFeatures; k++)
                {
                    double x = c.Input[r * c.InputStride + k], w = c.Weight[n * c.InFeatures + k];
                    exact += x * w;
                    magnitude += Math.Abs(x * w);
                }

                double allowed = (precision == WeightPrecision.BFloat16 ? magnitude / 512 : 0) + 1e-5 * magnitude + 1e-6;
                double error = Math.Abs(actual[r * c.OutputStride + n] - exact);
                Assert.True(error <= allowed, $"{precision} row {r} output {n}: |Δ| {error:E3} > {allowed:E3}");
            }
        }
    }
}
