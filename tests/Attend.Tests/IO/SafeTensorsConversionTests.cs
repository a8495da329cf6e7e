using System;
using System.Linq;
using System.Runtime.InteropServices;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

/// <summary>Every dtype's conversion to float32, int64 and bool, checked bit for bit where it is exact.</summary>
public sealed class SafeTensorsConversionTests
{
    private static SafeTensorsFile SingleTensor(TensorDType dtype, byte[] data, int elementSize) =>
        SafeTensors.Load(new SafeTensorsTestWriter().Add("x", dtype, [data.Length / elementSize], data).ToArray());

    private static float[] ReadAsFloat32<T>(TensorDType dtype, T[] values) where T : struct
    {
        using SafeTensorsFile file = SingleTensor(dtype, SafeTensorsTestWriter.Bytes(values), Marshal.SizeOf<T>());
        return file.ReadFloat32("x");
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    [Fact]
    public void F16_EveryBitPattern_WidensExactlyLikeHalf()
    {
        ushort[] all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        float[] actual = ReadAsFloat32(TensorDType.F16, all);

        for (int i = 0; i < all.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(all[i]);
            if (float.IsNaN(expected))
                Assert.True(float.IsNaN(actual[i]), $"0x{i:X4} should be NaN, got {actual[i]}");
            else
                Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual[i]),
                    $"0x{i:X4}: expected {expected:R}, got {actual[i]:R}");
        }
    }

    [Theory]
    [InlineData((ushort)0x0000, 0f)]
    [InlineData((ushort)0x3C00, 1f)]
    [InlineData((ushort)0xC000, -2f)]
    [InlineData((ushort)0x0001, 5.9604645E-08f)]        // smallest subnormal, 2^-24
    [InlineData((ushort)0x03FF, 6.097555E-05f)]         // largest subnormal
    [InlineData((ushort)0x0400, 6.1035156E-05f)]        // smallest normal, 2^-14
    [InlineData((ushort)0x7BFF, 65504f)]                // largest finite
    [InlineData((ushort)0x7C00, float.PositiveInfinity)]
    [InlineData((ushort)0xFC00, float.NegativeInfinity)]
    public void F16_NamedValues(ushort bits, float expected)
    {
        Assert.Equal(expected, ReadAsFloat32(TensorDType.F16, [bits])[0]);
    }

    [Fact]
    public void F16_NegativeZeroAndNaN_KeepSignAndNaNness()
    {
        float[] values = ReadAsFloat32(TensorDType.F16, new ushort[] { 0x8000, 0x7E00, 0xFE01 });
        Assert.Equal(0x8000_0000u, BitConverter.SingleToUInt32Bits(values[0]));
        Assert.True(float.IsNaN(values[1]));
        Assert.True(float.IsNaN(values[2]));
    }

    [Fact]
    public void BF16_EveryBitPattern_IsTheUpperHalfOfAFloat32_NaNPayloadsIncluded()
    {
        ushort[] all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        uint[] actual = Bits(ReadAsFloat32(TensorDType.BF16, all));
        for (int i = 0; i < all.Length; i++)
            Assert.True(actual[i] == (uint)i << 16, $"0x{i:X4}: expected 0x{(uint)i << 16:X8}, got 0x{actual[i]:X8}");
    }

    [Theory]
    [InlineData((ushort)0x3F80, 1f)]
    [InlineData((ushort)0x4049, 3.140625f)]
    [InlineData((ushort)0x0001, 9.18355E-41f)]          // smallest subnormal, 2^-133
    [InlineData((ushort)0x7F7F, 3.3895314E+38f)]        // largest finite
    [InlineData((ushort)0x7F80, float.PositiveInfinity)]
    [InlineData((ushort)0xFF80, float.NegativeInfinity)]
    public void BF16_NamedValues(ushort bits, float expected)
    {
        Assert.Equal(expected, ReadAsFloat32(TensorDType.BF16, [bits])[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2047)]
    [InlineData(2049)]
    [InlineData(5001)]
    public void HalfWidthConversions_HandleLengthsThatAreNotAVectorOrBlockMultiple(int length)
    {
        var random = new Random(length);
        ushort[] bits = Enumerable.Range(0, length).Select(_ => (ushort)random.Next(0, 0x7C00)).ToArray();
        float[] f16 = ReadAsFloat32(TensorDType.F16, bits);
        float[] bf16 = ReadAsFloat32(TensorDType.BF16, bits);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal((float)BitConverter.UInt16BitsToHalf(bits[i]), f16[i]);
            Assert.Equal(BitConverter.UInt32BitsToSingle((uint)bits[i] << 16), bf16[i]);
        }
    }

    [Fact]
    public void F64_RoundsToNearestFloat32()
    {
        double[] values = [1.0 / 3.0, -2.5, 1e300, -1e300, 1e-50, double.NaN, 16777217.0];
        float[] actual = ReadAsFloat32(TensorDType.F64, values);
        Assert.Equal(values.Select(v => (float)v).ToArray(), actual);
        Assert.Equal(float.PositiveInfinity, actual[2]);
        Assert.Equal(16777216f, actual[6]);
    }

    [Fact]
    public void Integers_ConvertByValue_ToFloat32AndInt64()
    {
        long[] i64 = [long.MinValue, -1, 0, 1, long.MaxValue, 16777217];
        int[] i32 = [int.MinValue, -7, int.MaxValue];
        short[] i16 = [short.MinValue, -1, short.MaxValue];
        sbyte[] i8 = [sbyte.MinValue, -1, sbyte.MaxValue];
        byte[] u8 = [0, 128, 255];

        Assert.Equal(i64.Select(v => (float)v), ReadAsFloat32(TensorDType.I64, i64));
        Assert.Equal(i32.Select(v => (float)v), ReadAsFloat32(TensorDType.I32, i32));
        Assert.Equal(i16.Select(v => (float)v), ReadAsFloat32(TensorDType.I16, i16));
        Assert.Equal(i8.Select(v => (float)v), ReadAsFloat32(TensorDType.I8, i8));
        Assert.Equal(u8.Select(v => (float)v), ReadAsFloat32(TensorDType.U8, u8));

        Assert.Equal(i64, ReadInt64(TensorDType.I64, SafeTensorsTestWriter.Bytes(i64), 8));
        Assert.Equal(i32.Select(v => (long)v), ReadInt64(TensorDType.I32, SafeTensorsTestWriter.Bytes(i32), 4));
        Assert.Equal(i16.Select(v => (long)v), ReadInt64(TensorDType.I16, SafeTensorsTestWriter.Bytes(i16), 2));
        Assert.Equal(i8.Select(v => (long)v), ReadInt64(TensorDType.I8, SafeTensorsTestWriter.Bytes(i8), 1));
        Assert.Equal(u8.Select(v => (long)v), ReadInt64(TensorDType.U8, u8, 1));
    }

    [Fact]
    public void Bool_AnyNonZeroByteIsTrue_InEveryReader()
    {
        byte[] stored = [0, 1, 2, 255, 0, 128];
        using SafeTensorsFile file = SingleTensor(TensorDType.Bool, stored, 1);

        bool[] flags = file.ReadBool("x");
        Assert.Equal([false, true, true, true, false, true], flags);
        // A bool must hold exactly 0 or 1 in memory, or == true comparisons misbehave.
        Assert.All(MemoryMarshal.AsBytes(flags.AsSpan()).ToArray(), b => Assert.True(b <= 1));
        Assert.Equal([0f, 1f, 1f, 1f, 0f, 1f], file.ReadFloat32("x"));
        Assert.Equal([0L, 1L, 1L, 1L, 0L, 1L], file.ReadInt64("x"));
    }

    [Fact]
    public void U8_ReadsAsBool()
    {
        using SafeTensorsFile file = SingleTensor(TensorDType.U8, [0, 3, 0], 1);
        Assert.Equal([false, true, false], file.ReadBool("x"));
    }

    [Fact]
    public void UnalignedTensors_ConvertCorrectly()
    {
        // A 1-byte tensor first puts every later tensor at an odd offset, as PyTorch files often do.
        float[] f32 = [1.25f, -3f, 1e-30f];
        ushort[] f16 = [0x3C00, 0x0001];
        byte[] bytes = new SafeTensorsTestWriter()
            .Add("pad", TensorDType.U8, [1], [7])
            .AddFloat32("f32", f32, 3)
            .Add("f16", TensorDType.F16, [2], SafeTensorsTestWriter.Bytes(f16))
            .ToArray();
        using SafeTensorsFile file = SafeTensors.Load(bytes);
        Assert.Equal(f32, file.ReadFloat32("f32"));
        Assert.Equal([1f, 5.9604645E-08f], file.ReadFloat32("f16"));
    }

    private static long[] ReadInt64(TensorDType dtype, byte[] data, int elementSize)
    {
        using SafeTensorsFile file = SingleTensor(dtype, data, elementSize);
        return file.ReadInt64("x");
    }
}
