using System;
using System.IO;
using System.Text;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// The few protobuf wire-format primitives an ONNX model needs (varints, length-delimited fields, nested messages),
/// so the benchmark writes its ONNX graphs itself instead of depending on a protobuf package or a checked-in model.
/// </summary>
public sealed class ProtobufWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;

    private readonly MemoryStream _buffer = new();

    /// <summary>The message written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    /// <summary>An integer field (int32, int64 or enum: all are varints on the wire).</summary>
    public ProtobufWriter Int(int field, long value)
    {
        WriteVarint(((ulong)field << 3) | VarintWireType);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        WriteVarint(((ulong)field << 3) | LengthDelimitedWireType);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A nested message field, written by <paramref name="body"/>.</summary>
    public ProtobufWriter Message(int field, Action<ProtobufWriter> body)
    {
        var nested = new ProtobufWriter();
        body(nested);
        return Bytes(field, nested.ToArray());
    }

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
