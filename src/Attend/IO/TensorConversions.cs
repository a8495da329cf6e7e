using System;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend;

/// <summary>
/// Widens stored little-endian elements to float32, int64 or bool. The float paths that matter for
/// weights (F32, F16, BF16) are bulk and vectorized; integer and F64 tensors are rare and small
/// (masks, lengths), so they convert element by element.
/// </summary>
internal static class TensorConversions
{
    /// <summary>Converts <paramref name="source"/> (exactly <c>destination.Length</c> elements of <paramref name="dtype"/>).</summary>
    internal static void ToFloat32(TensorDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!BitConverter.IsLittleEndian)
        {
            ToFloat32Portable(dtype, source, destination);
            return;
        }
        switch (dtype)
        {
            case TensorDType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case TensorDType.F16:
                // Exact: every binary16 value, subnormals, infinities and NaNs included, is a binary32 value.
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case TensorDType.BF16:
                Bf16ToFloat32(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            default:
                ToFloat32Portable(dtype, source, destination);
                break;
        }
    }

    /// <summary>
    /// bfloat16 is the upper 16 bits of a binary32, so widening is "zero-extend, shift left 16":
    /// exact for every value, NaN payloads included. TensorPrimitives has no BF16 overload (there is
    /// no BFloat16 type to give it), so the widen is written here with the portable vector API.
    /// </summary>
    internal static void Bf16ToFloat32(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        Span<uint> bits = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(Vector256.Create(source.Slice(i, Vector256<ushort>.Count)));
                (lower << 16).CopyTo(bits.Slice(i, Vector256<uint>.Count));
                (upper << 16).CopyTo(bits.Slice(i + Vector256<uint>.Count, Vector256<uint>.Count));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(Vector128.Create(source.Slice(i, Vector128<ushort>.Count)));
                (lower << 16).CopyTo(bits.Slice(i, Vector128<uint>.Count));
                (upper << 16).CopyTo(bits.Slice(i + Vector128<uint>.Count, Vector128<uint>.Count));
            }
        }
        for (; i < source.Length; i++)
            bits[i] = (uint)source[i] << 16;
    }

    /// <summary>Element-by-element conversion that reads little-endian on any host.</summary>
    private static void ToFloat32Portable(TensorDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dtype)
        {
            case TensorDType.F32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                break;
            case TensorDType.F16:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
                break;
            case TensorDType.BF16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16);
                break;
            case TensorDType.F64:
                // Rounds to nearest, like PyTorch's .float().
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]);
                break;
            default:
                // Integers round to nearest too: (float)long, as PyTorch's .float() does.
                ForEachInteger(dtype, source, destination, static (value, ref slot) => slot = value);
                break;
        }
    }

    /// <summary>Converts an integer or boolean tensor by value.</summary>
    internal static void ToInt64(TensorDType dtype, ReadOnlySpan<byte> source, Span<long> destination) =>
        ForEachInteger(dtype, source, destination, static (value, ref slot) => slot = value);

    /// <summary>Converts a Bool or U8 tensor: 0 is false, anything else true.</summary>
    internal static void ToBool(ReadOnlySpan<byte> source, Span<bool> destination)
    {
        // min(byte, 1) maps every byte to the canonical 0/1 a bool must hold, vectorized.
        TensorPrimitives.Min(source, (byte)1, MemoryMarshal.Cast<bool, byte>(destination));
    }

    private delegate void IntegerSink<T>(long value, ref T slot);

    /// <summary>Reads each integer element by value, with the dtype switch hoisted out of the loop.</summary>
    private static void ForEachInteger<T>(TensorDType dtype, ReadOnlySpan<byte> source, Span<T> destination, IntegerSink<T> store)
    {
        switch (dtype)
        {
            case TensorDType.I64:
                for (int i = 0; i < destination.Length; i++) store(BinaryPrimitives.ReadInt64LittleEndian(source[(i * 8)..]), ref destination[i]);
                break;
            case TensorDType.I32:
                for (int i = 0; i < destination.Length; i++) store(BinaryPrimitives.ReadInt32LittleEndian(source[(i * 4)..]), ref destination[i]);
                break;
            case TensorDType.I16:
                for (int i = 0; i < destination.Length; i++) store(BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]), ref destination[i]);
                break;
            case TensorDType.I8:
                for (int i = 0; i < destination.Length; i++) store((sbyte)source[i], ref destination[i]);
                break;
            case TensorDType.U8:
                for (int i = 0; i < destination.Length; i++) store(source[i], ref destination[i]);
                break;
            case TensorDType.Bool:
                for (int i = 0; i < destination.Length; i++) store(source[i] != 0 ? 1 : 0, ref destination[i]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not an integer dtype.");
        }
    }
}
