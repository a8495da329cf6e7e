using System;

namespace Attend;

/// <summary>
/// A validated initializer: its description and where its little-endian bytes are. Values stored in
/// <c>raw_data</c> stay in the file (<see cref="FileOffset"/>); values stored in a typed field
/// (<c>float_data</c>, <c>int32_data</c>, …) were decoded at load into <see cref="Decoded"/>.
/// </summary>
/// <param name="Info">The stored name, dtype and shape.</param>
/// <param name="ElementCount">The product of the shape.</param>
/// <param name="FileOffset">Offset of <c>raw_data</c>'s first byte; unused when <see cref="Decoded"/> is set.</param>
/// <param name="ByteLength">Element count × element size.</param>
/// <param name="Decoded">Typed-field values as little-endian bytes of <see cref="TensorInfo.DType"/>, or null for raw_data.</param>
internal sealed record OnnxInitializer(TensorInfo Info, long ElementCount, long FileOffset, int ByteLength, byte[]? Decoded)
{
    /// <summary>The tensor's bytes: from <paramref name="file"/> for raw_data, else the decoded copy.</summary>
    internal ReadOnlySpan<byte> Bytes(TensorBytes file) => Decoded ?? file.Slice(FileOffset, ByteLength);
}
