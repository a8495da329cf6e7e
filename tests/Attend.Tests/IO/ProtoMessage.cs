using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Attend.Tests.IO;

/// <summary>One field of a protobuf message as the tests write it; <see cref="WireType"/> is the wire type its tag carries.</summary>
internal abstract record ProtoField(int Number)
{
    public abstract int WireType { get; }

    public abstract void WritePayload(Stream output);
}

internal sealed record VarintField(int Number, ulong Value) : ProtoField(Number)
{
    public override int WireType => 0;

    public override void WritePayload(Stream output) => ProtoMessage.WriteVarint(output, Value);
}

internal sealed record Fixed32Field(int Number, uint Value) : ProtoField(Number)
{
    public override int WireType => 5;

    public override void WritePayload(Stream output) => output.Write(BitConverter.GetBytes(Value));
}

internal sealed record Fixed64Field(int Number, ulong Value) : ProtoField(Number)
{
    public override int WireType => 1;

    public override void WritePayload(Stream output) => output.Write(BitConverter.GetBytes(Value));
}

/// <summary>A length-delimited field; <paramref name="LengthSkew"/> is added to the length written, to make it lie.</summary>
internal sealed record BytesField(int Number, byte[] Value, int LengthSkew = 0) : ProtoField(Number)
{
    public override int WireType => 2;

    public override void WritePayload(Stream output)
    {
        ProtoMessage.WriteVarint(output, (ulong)(Value.Length + LengthSkew));
        output.Write(Value);
    }
}

internal sealed record MessageField(int Number, ProtoMessage Value, int LengthSkew = 0) : ProtoField(Number)
{
    public override int WireType => 2;

    public override void WritePayload(Stream output)
    {
        byte[] bytes = Value.ToBytes();
        ProtoMessage.WriteVarint(output, (ulong)(bytes.Length + LengthSkew));
        output.Write(bytes);
    }
}

/// <summary>A deprecated group (wire types 3 and 4) holding fields, for the unknown-field skipping tests.</summary>
internal sealed record GroupField(int Number, ProtoMessage Value) : ProtoField(Number)
{
    public override int WireType => 3;

    public override void WritePayload(Stream output)
    {
        output.Write(Value.ToBytes());
        ProtoMessage.WriteVarint(output, (ulong)Number << 3 | 4);
    }
}

/// <summary>
/// A protobuf message as a mutable list of fields: the tests' own writer of ONNX files, and the tree the
/// fuzzer edits (remove, duplicate, reorder fields; make lengths lie) before writing it out.
/// </summary>
internal sealed class ProtoMessage
{
    public List<ProtoField> Fields { get; } = [];

    public ProtoMessage Varint(int number, long value)
    {
        Fields.Add(new VarintField(number, unchecked((ulong)value)));
        return this;
    }

    public ProtoMessage Fixed32(int number, uint value)
    {
        Fields.Add(new Fixed32Field(number, value));
        return this;
    }

    public ProtoMessage Fixed64(int number, ulong value)
    {
        Fields.Add(new Fixed64Field(number, value));
        return this;
    }

    public ProtoMessage Bytes(int number, byte[] value)
    {
        Fields.Add(new BytesField(number, value));
        return this;
    }

    public ProtoMessage String(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    public ProtoMessage Message(int number, ProtoMessage value)
    {
        Fields.Add(new MessageField(number, value));
        return this;
    }

    /// <summary>A packed repeated varint field (proto3's default for repeated int64).</summary>
    public ProtoMessage PackedVarints(int number, IEnumerable<long> values)
    {
        using var payload = new MemoryStream();
        foreach (long value in values) WriteVarint(payload, unchecked((ulong)value));
        return Bytes(number, payload.ToArray());
    }

    /// <summary>Every message in the tree, this one first.</summary>
    public IEnumerable<ProtoMessage> Descendants()
    {
        yield return this;
        foreach (ProtoField field in Fields)
        {
            ProtoMessage? inner = field switch { MessageField m => m.Value, GroupField g => g.Value, _ => null };
            if (inner is null) continue;
            foreach (ProtoMessage descendant in inner.Descendants()) yield return descendant;
        }
    }

    public ProtoMessage DeepClone()
    {
        var copy = new ProtoMessage();
        foreach (ProtoField field in Fields)
            copy.Fields.Add(field switch
            {
                MessageField m => m with { Value = m.Value.DeepClone() },
                GroupField g => g with { Value = g.Value.DeepClone() },
                BytesField b => b with { Value = (byte[])b.Value.Clone() },
                _ => field,
            });
        return copy;
    }

    public byte[] ToBytes()
    {
        using var output = new MemoryStream();
        foreach (ProtoField field in Fields)
        {
            WriteVarint(output, (ulong)field.Number << 3 | (uint)field.WireType);
            field.WritePayload(output);
        }
        return output.ToArray();
    }

    public static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    public static byte[] Varint(ulong value)
    {
        using var output = new MemoryStream();
        WriteVarint(output, value);
        return output.ToArray();
    }

    public override string ToString() => string.Join(", ", Fields.Select(f => $"{f.Number}:{f.GetType().Name}"));
}
