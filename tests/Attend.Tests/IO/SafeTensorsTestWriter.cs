using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Attend;

namespace Attend.Tests.IO;

/// <summary>
/// Builds safetensors bytes for tests, the way <c>safetensors.torch.save_file</c> does: tensors packed
/// back to back in the order added, header JSON padded with spaces to a multiple of 8. The raw
/// overloads write any header text at all, for the validation and fuzz tests.
/// </summary>
internal sealed class SafeTensorsTestWriter
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Data)> _tensors = new();
    private readonly List<(string Key, string Value)> _metadata = new();

    public SafeTensorsTestWriter Add(string name, TensorDType dtype, long[] shape, byte[] data)
    {
        _tensors.Add((name, DTypeName(dtype), shape, data));
        return this;
    }

    public SafeTensorsTestWriter AddFloat32(string name, float[] values, params long[] shape) =>
        Add(name, TensorDType.F32, shape, Bytes(values));

    public SafeTensorsTestWriter AddMetadata(string key, string value)
    {
        _metadata.Add((key, value));
        return this;
    }

    public byte[] ToArray()
    {
        var header = new StringBuilder("{");
        var separator = "";
        if (_metadata.Count > 0)
        {
            header.Append("\"__metadata__\":{");
            header.AppendJoin(",", _metadata.Select(m => $"{Quote(m.Key)}:{Quote(m.Value)}"));
            header.Append('}');
            separator = ",";
        }
        long offset = 0;
        foreach (var (name, dtype, shape, data) in _tensors)
        {
            header.Append(separator).Append(Quote(name)).Append(':').Append(EntryJson(dtype, shape, offset, offset + data.Length));
            offset += data.Length;
            separator = ",";
        }
        header.Append('}');
        return Assemble(header.ToString(), _tensors.SelectMany(t => t.Data).ToArray());
    }

    /// <summary>The JSON object of one entry: <c>{"dtype":…,"shape":[…],"data_offsets":[b,e]}</c>.</summary>
    public static string EntryJson(string dtype, IEnumerable<long> shape, long begin, long end) =>
        $"{{\"dtype\":{Quote(dtype)},\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    /// <summary>A file from header text (padded to a multiple of 8 with spaces) and a data section.</summary>
    public static byte[] Assemble(string headerJson, byte[] data) => Assemble(Pad(Encoding.UTF8.GetBytes(headerJson)), data);

    /// <summary>A file from exact header bytes; <paramref name="declaredLength"/> overrides the length prefix.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static byte[] Bytes<T>(T[] values) where T : struct
    {
        // Tests run on little-endian hosts, as the format stores little-endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The test writer assumes a little-endian host.");
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public static string DTypeName(TensorDType dtype) => dtype == TensorDType.Bool ? "BOOL" : dtype.ToString();

    public static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '"' || c == '\\') quoted.Append('\\').Append(c);
            else if (c < 0x20) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>Writes bytes to a fresh temporary file; the caller deletes it.</summary>
    public static string WriteTempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"attend-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Pad(byte[] header)
    {
        int padded = (header.Length + 7) / 8 * 8;
        var result = new byte[Math.Max(padded, 8)];
        Array.Fill(result, (byte)' ');
        header.CopyTo(result, 0);
        return result;
    }
}
