using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Attend.Tests.Kernels;

/// <summary>
/// A minimal safetensors reader for the conformance tests, kept private to this folder until the library's own
/// reader lands (then these tests switch to it). Reads F32, F16, I64 and BOOL tensors.
/// </summary>
internal sealed class TestSafeTensors
{
    private readonly byte[] _bytes;
    private readonly int _dataStart;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private TestSafeTensors(byte[] bytes)
    {
        _bytes = bytes;
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        _dataStart = checked(8 + (int)headerLength);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        foreach (JsonProperty property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty item in property.Value.EnumerateObject())
                {
                    Metadata[item.Name] = item.Value.GetString() ?? "";
                }

                continue;
            }

            var shape = new List<int>();
            foreach (JsonElement dim in property.Value.GetProperty("shape").EnumerateArray())
            {
                shape.Add(dim.GetInt32());
            }

            JsonElement offsets = property.Value.GetProperty("data_offsets");
            _entries[property.Name] = new Entry(
                property.Value.GetProperty("dtype").GetString() ?? "",
                shape.ToArray(),
                offsets[0].GetInt32(),
                offsets[1].GetInt32());
        }
    }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public static TestSafeTensors Open(string path) => new(File.ReadAllBytes(path));

    public bool Contains(string name) => _entries.ContainsKey(name);

    public string DType(string name) => _entries[name].DType;

    public int[] Shape(string name) => _entries[name].Shape;

    /// <summary>Reads an F32 tensor, or an F16 one widened exactly to float.</summary>
    public float[] ReadFloat32(string name)
    {
        Entry entry = _entries[name];
        ReadOnlySpan<byte> data = Data(entry);
        switch (entry.DType)
        {
            case "F32":
                {
                    var values = new float[data.Length / 4];
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                    }

                    return values;
                }

            case "F16":
                {
                    var values = new float[data.Length / 2];
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                    }

                    return values;
                }

            default:
                throw new InvalidDataException($"{name} is {entry.DType}, not a float tensor.");
        }
    }

    public long[] ReadInt64(string name)
    {
        Entry entry = Expect(name, "I64");
        ReadOnlySpan<byte> data = Data(entry);
        var values = new long[data.Length / 8];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
        }

        return values;
    }

    public bool[] ReadBool(string name)
    {
        ReadOnlySpan<byte> data = Data(Expect(name, "BOOL"));
        var values = new bool[data.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = data[i] != 0;
        }

        return values;
    }

    private Entry Expect(string name, string dtype)
    {
        Entry entry = _entries[name];
        return entry.DType == dtype ? entry : throw new InvalidDataException($"{name} is {entry.DType}, expected {dtype}.");
    }

    private ReadOnlySpan<byte> Data(Entry entry) => _bytes.AsSpan(_dataStart + entry.Begin, entry.End - entry.Begin);

    private sealed record Entry(string DType, int[] Shape, int Begin, int End);
}
