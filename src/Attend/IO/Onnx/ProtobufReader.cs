using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Attend;

/// <summary>The protobuf wire types (the low three bits of a field's tag).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of protobuf wire format over one message's bytes. Every read checks its
/// length against the bytes left, so a malformed file fails here with an <see cref="InvalidDataException"/>
/// naming the file offset, never with an out-of-range index or an allocation sized by a lying length.
/// </summary>
/// <remarks>
/// Only what ONNX's messages use is read; unknown fields of every wire type are skipped (deprecated
/// groups included, nested at most <see cref="MaxGroupDepth"/> deep), so files from newer exporters load.
/// </remarks>
internal ref struct ProtobufReader
{
    /// <summary>Protobuf's own default recursion limit; no ONNX field is a group, so real files never come close.</summary>
    internal const int MaxGroupDepth = 100;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly long _fileOffset;
    private readonly string _source;
    private int _position;

    /// <param name="bytes">The message's bytes.</param>
    /// <param name="fileOffset">Where <paramref name="bytes"/> start in the file, for messages and tensor offsets.</param>
    /// <param name="source">Names the file in messages.</param>
    internal ProtobufReader(ReadOnlySpan<byte> bytes, long fileOffset, string source)
    {
        _bytes = bytes;
        _fileOffset = fileOffset;
        _source = source;
        _position = 0;
    }

    /// <summary>Whether every byte of the message has been read.</summary>
    internal readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>Names the file in messages.</summary>
    internal readonly string Source => _source;

    /// <summary>Length of the message in bytes.</summary>
    internal readonly int Length => _bytes.Length;

    /// <summary>File offset of the next byte to read.</summary>
    internal readonly long FileOffset => _fileOffset + _position;

    /// <summary>Reads a field's tag. Field numbers are 1..2^29-1; 0 and wire types 6 and 7 do not exist.</summary>
    internal (int Field, WireType Type) ReadTag()
    {
        long at = FileOffset;
        ulong tag = ReadVarint();
        ulong field = tag >> 3;
        int type = (int)(tag & 7);
        if (field == 0 || field > (1 << 29) - 1)
            throw Invalid($"field number {field} at file byte {at} is outside protobuf's 1..536870911");
        if (type > 5)
            throw Invalid($"wire type {type} at file byte {at} does not exist (protobuf uses 0..5)");
        return ((int)field, (WireType)type);
    }

    /// <summary>Reads a base-128 varint of at most 10 bytes whose value fits 64 bits.</summary>
    internal ulong ReadVarint()
    {
        long at = FileOffset;
        ulong value = 0;
        // Ten rounds (shifts 0..63): the tenth byte either ends the varint or overflows, so none is longer.
        for (int shift = 0; ; shift += 7)
        {
            if (_position >= _bytes.Length)
                throw Invalid($"the varint at file byte {at} runs past the end of its message (file byte {_fileOffset + _bytes.Length})");
            byte b = _bytes[_position++];
            // The tenth byte holds bit 63 only: anything more overflows 64 bits.
            if (shift == 63 && b > 1)
                throw Invalid($"the varint at file byte {at} overflows 64 bits");
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }

    /// <summary>Reads a varint that must be a non-negative 64-bit integer (ONNX's int64 fields hold sizes and flags).</summary>
    internal long ReadInt64() => unchecked((long)ReadVarint());

    internal uint ReadFixed32()
    {
        ReadOnlySpan<byte> bytes = ReadRaw(4, "fixed32 value");
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    internal ulong ReadFixed64()
    {
        ReadOnlySpan<byte> bytes = ReadRaw(8, "fixed64 value");
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>Reads a length-delimited field's payload; <paramref name="payloadOffset"/> is its first byte's file offset.</summary>
    internal ReadOnlySpan<byte> ReadLengthDelimited(string what, out long payloadOffset)
    {
        long at = FileOffset;
        ulong length = ReadVarint();
        long left = _bytes.Length - _position;
        if (length > (ulong)left)
            throw Invalid($"{what} at file byte {at} declares {length} bytes, but only {left} remain in its message");
        payloadOffset = FileOffset;
        return ReadRaw((int)length, what);
    }

    /// <summary>A nested message's reader, positioned at its first field.</summary>
    internal ProtobufReader ReadMessage(string what)
    {
        ReadOnlySpan<byte> bytes = ReadLengthDelimited(what, out long offset);
        return new ProtobufReader(bytes, offset, _source);
    }

    /// <summary>Reads a string field, which protobuf requires to be valid UTF-8.</summary>
    internal string ReadString(string what)
    {
        ReadOnlySpan<byte> bytes = ReadLengthDelimited(what, out long offset);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw Invalid($"{what} at file byte {offset} is not valid UTF-8", exception);
        }
    }

    /// <summary>Skips a field whose tag has just been read, whatever its wire type.</summary>
    internal void Skip(int field, WireType type)
    {
        switch (type)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadRaw(8, $"field {field}"); break;
            case WireType.Fixed32: ReadRaw(4, $"field {field}"); break;
            case WireType.LengthDelimited: ReadLengthDelimited($"field {field}", out _); break;
            case WireType.StartGroup: SkipGroup(field); break;
            default: throw Invalid($"an end-group tag for field {field} at file byte {FileOffset} has no matching start");
        }
    }

    /// <summary>Requires a field's wire type to be the one the schema declares.</summary>
    internal readonly void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected)
            throw Invalid($"{what} before file byte {FileOffset} has wire type {actual}, expected {expected}");
    }

    /// <summary>The exception every violation of the format becomes.</summary>
    internal readonly InvalidDataException Invalid(string problem, Exception? inner = null) => OnnxWeights.Invalid(_source, problem, inner);

    private void SkipGroup(int field)
    {
        // Iterative with an explicit depth, so a file of nested start-group tags cannot overflow the stack.
        long at = FileOffset;
        Span<int> open = stackalloc int[MaxGroupDepth];
        int depth = 0;
        open[depth++] = field;
        while (depth > 0)
        {
            var (inner, type) = ReadTag();
            if (type == WireType.EndGroup)
            {
                if (inner != open[depth - 1])
                    throw Invalid($"an end-group tag for field {inner} closes the group of field {open[depth - 1]} (started near file byte {at})");
                depth--;
            }
            else if (type == WireType.StartGroup)
            {
                if (depth == MaxGroupDepth)
                    throw Invalid($"groups starting at file byte {at} nest more than {MaxGroupDepth} deep");
                open[depth++] = inner;
            }
            else
            {
                Skip(inner, type);
            }
        }
    }

    private ReadOnlySpan<byte> ReadRaw(int length, string what)
    {
        if (length > _bytes.Length - _position)
            throw Invalid($"{what} at file byte {FileOffset} needs {length} bytes, but only {_bytes.Length - _position} remain in its message");
        ReadOnlySpan<byte> slice = _bytes.Slice(_position, length);
        _position += length;
        return slice;
    }
}
