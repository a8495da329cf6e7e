using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Attend.Tests.IO;

/// <summary>What a mutator's output must do: anything but crash, always load, or always be refused.</summary>
internal enum FuzzExpectation
{
    LoadOrReject,
    Load,
    Reject,
}

/// <summary>A named way of producing one fuzz input from a case's <see cref="Random"/>.</summary>
internal sealed record FuzzMutator(string Name, FuzzExpectation Expectation, Func<Random, byte[]> Produce);

/// <summary>
/// The fuzzer's mutations. Byte-level ones damage valid files (generated, or the real PyTorch and
/// ONNX files under TestData) without regard for structure; structural ones edit one field of a
/// generated valid header so that each validation rule is reached with everything else intact.
/// </summary>
internal static class SafeTensorsMutators
{
    private static readonly Lazy<byte[][]> RealFiles = new(() =>
        new[] { "fixtures", "onnx" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", folder), "*.safetensors"))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .Where(bytes => bytes.Length <= 12_000)
            .ToArray());

    public static IReadOnlyList<FuzzMutator> All { get; } =
    [
        new("valid", FuzzExpectation.Load, r => SafeTensorsFuzzModel.RandomValid(r).ToFile()),
        new("bit-flips", FuzzExpectation.LoadOrReject, BitFlips),
        new("header-bit-flips", FuzzExpectation.LoadOrReject, HeaderBitFlips),
        new("header-byte-set", FuzzExpectation.LoadOrReject, HeaderByteSet),
        new("truncate", FuzzExpectation.LoadOrReject, Truncate),
        new("length-prefix", FuzzExpectation.LoadOrReject, LengthPrefix),
        new("json-edit", FuzzExpectation.LoadOrReject, JsonEdit),
        new("non-utf8", FuzzExpectation.Reject, NonUtf8),
        new("lone-surrogate", FuzzExpectation.Reject, LoneSurrogate),
        new("splice", FuzzExpectation.LoadOrReject, Splice),
        new("unknown-dtype", FuzzExpectation.Reject, UnknownDType),
        new("wrong-json-type", FuzzExpectation.Reject, WrongJsonType),
        new("missing-field", FuzzExpectation.Reject, MissingField),
        new("negative-dimension", FuzzExpectation.Reject, NegativeDimension),
        new("shape-overflow", FuzzExpectation.LoadOrReject, ShapeOverflow),
        new("offsets", FuzzExpectation.LoadOrReject, Offsets),
        new("duplicate-keys", FuzzExpectation.Reject, DuplicateKeys),
        new("metadata-non-string", FuzzExpectation.Reject, MetadataNonString),
        new("deep-nesting", FuzzExpectation.LoadOrReject, DeepNesting),
        new("empty-name", FuzzExpectation.Reject, EmptyName),
        new("extra-fields", FuzzExpectation.Load, ExtraFields),
    ];

    // ---- byte-level ------------------------------------------------------------------------

    private static byte[] Seed(Random r) =>
        r.Next(3) == 0 ? (byte[])RealFiles.Value[r.Next(RealFiles.Value.Length)].Clone() : SafeTensorsFuzzModel.RandomValid(r).ToFile();

    private static int HeaderLength(byte[] file) => (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    private static byte[] BitFlips(Random r)
    {
        byte[] file = Seed(r);
        for (int i = r.Next(1, 17); i > 0; i--)
            file[r.Next(file.Length)] ^= (byte)(1 << r.Next(8));
        return file;
    }

    private static byte[] HeaderBitFlips(Random r)
    {
        byte[] file = Seed(r);
        int header = HeaderLength(file);
        for (int i = r.Next(1, 5); i > 0; i--)
            file[8 + r.Next(header)] ^= (byte)(1 << r.Next(8));
        return file;
    }

    private static readonly byte[] InterestingBytes = "{}[],:\"\\-0123456789eE. tfn"u8.ToArray().Concat(new byte[] { 0, 0x7F, 0x80, 0xC0, 0xFF }).ToArray();

    private static byte[] HeaderByteSet(Random r)
    {
        byte[] file = Seed(r);
        int header = HeaderLength(file);
        for (int i = r.Next(1, 5); i > 0; i--)
            file[8 + r.Next(header)] = InterestingBytes[r.Next(InterestingBytes.Length)];
        return file;
    }

    private static byte[] Truncate(Random r)
    {
        byte[] file = Seed(r);
        int header = HeaderLength(file);
        int dataStart = 8 + header;
        int cut = r.Next(6) switch
        {
            0 => r.Next(0, 8),                                   // inside the length prefix
            1 => 8 + r.Next(0, header),                          // inside the header
            2 => dataStart,                                      // header complete, no data
            3 => file.Length > dataStart ? r.Next(dataStart, file.Length) : dataStart, // inside the data
            4 => file.Length - 1,                                // one byte short
            _ => Math.Max(0, dataStart - r.Next(1, 4)),          // just before the data
        };
        return file[..Math.Clamp(cut, 0, file.Length)];
    }

    private static byte[] LengthPrefix(Random r)
    {
        byte[] file = Seed(r);
        ulong header = (ulong)HeaderLength(file);
        ulong[] choices =
        [
            0, 1, header - 1, header + 1, header + 8, (ulong)file.Length - 8, (ulong)file.Length - 7, (ulong)file.Length,
            100_000_000, 100_000_001, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, long.MaxValue,
            (ulong)long.MaxValue + 1, ulong.MaxValue, (ulong)r.NextInt64(), ((ulong)r.NextInt64() << 1) | 1,
        ];
        BinaryPrimitives.WriteUInt64LittleEndian(file, choices[r.Next(choices.Length)]);
        return file;
    }

    /// <summary>Deletes, duplicates or inserts header text, then rewrites the length so the damage is to the JSON alone.</summary>
    private static byte[] JsonEdit(Random r)
    {
        byte[] file = Seed(r);
        int header = HeaderLength(file);
        var json = new List<byte>(file.AsSpan(8, header).ToArray());
        byte[] data = file[(8 + header)..];
        string[] tokens = ["{", "}", "[", "]", ",", ":", "\"", "\"\"", "null", "true", "-1", "1e309", "0.5", "\"F32\"", "\"__metadata__\"", "\\", "\\u", "{}", "[]", "/*", "\uFEFF"];
        for (int edits = r.Next(1, 4); edits > 0 && json.Count > 0; edits--)
        {
            int at = r.Next(json.Count);
            switch (r.Next(3))
            {
                case 0: json.RemoveRange(at, Math.Min(r.Next(1, 8), json.Count - at)); break;
                case 1: json.InsertRange(at, json.GetRange(at, Math.Min(r.Next(1, 16), json.Count - at))); break;
                default: json.InsertRange(at, Encoding.UTF8.GetBytes(tokens[r.Next(tokens.Length)])); break;
            }
        }
        return SafeTensorsTestWriter.Assemble(json.ToArray(), data);
    }

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3],
    ];

    private static byte[] NonUtf8(Random r)
    {
        byte[] file = Seed(r);
        int header = HeaderLength(file);
        var json = new List<byte>(file.AsSpan(8, header).ToArray());
        json.InsertRange(r.Next(json.Count + 1), InvalidUtf8[r.Next(InvalidUtf8.Length)]);
        return SafeTensorsTestWriter.Assemble(json.ToArray(), file[(8 + header)..]);
    }

    private static byte[] Splice(Random r)
    {
        byte[] a = Seed(r);
        byte[] b = Seed(r);
        int headerA = HeaderLength(a);
        int headerB = HeaderLength(b);
        return r.Next(3) switch
        {
            0 => [.. a.AsSpan(0, 8 + headerA), .. b.AsSpan(8 + headerB)],                 // a's header over b's data
            1 => [.. a, .. new byte[r.Next(1, 64)]],                                        // extra trailing bytes
            _ => [.. a.AsSpan(0, 8 + headerA), .. a.AsSpan(8 + headerA + Math.Min(r.Next(1, 8), a.Length - 8 - headerA))], // data loses its head
        };
    }

    // ---- structural ------------------------------------------------------------------------

    private static FuzzTensor AnyTensor(SafeTensorsFuzzModel model, Random r)
    {
        model.EnsureTensor();
        return model.Tensors[r.Next(model.Tensors.Count)];
    }

    private static byte[] LoneSurrogate(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        string surrogate = r.Next(2) == 0 ? "\\ud800" : "\\udfff";
        if (r.Next(2) == 0)
        {
            FuzzTensor tensor = AnyTensor(model, r);
            tensor.NameToken = "\"" + surrogate + tensor.Name.Length + "\"";
        }
        else
        {
            model.Metadata ??= new();
            model.Metadata.Add(r.Next(2) == 0 ? ("\"k" + surrogate + "\"", "\"v\"") : ("\"k\"", "\"v" + surrogate + "\""));
        }
        return model.ToFile();
    }

    private static byte[] UnknownDType(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        string[] names = ["F8_E4M3", "F8_E5M2", "U16", "U32", "U64", "C64", "I128", "f32", "bool", "", "F32 ", " F32", "F3", "BOOL\\u0000", "F\\u0033\\u0032x"];
        AnyTensor(model, r).SetField("dtype", "\"" + names[r.Next(names.Length)] + "\"");
        return model.ToFile();
    }

    private static readonly string[] NonStringValues = ["1", "-0.5", "null", "true", "false", "[]", "[\"F32\"]", "{}", "{\"a\":\"b\"}"];
    private static readonly string[] NonIntegerArrays = ["\"6\"", "6", "null", "{}", "[\"1\"]", "[1.5]", "[null]", "[[1]]", "[true]", "[{}]", "[1e3]", "[18446744073709551616]"];

    private static byte[] WrongJsonType(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        FuzzTensor tensor = AnyTensor(model, r);
        switch (r.Next(4))
        {
            case 0: tensor.SetField("dtype", NonStringValues[r.Next(NonStringValues.Length)]); break;
            case 1: tensor.SetField("shape", NonIntegerArrays[r.Next(NonIntegerArrays.Length)]); break;
            case 2: tensor.SetField("data_offsets", NonIntegerArrays[r.Next(NonIntegerArrays.Length)]); break;
            default: tensor.RawEntry = new[] { "\"F32\"", "1", "null", "[]", "true", "[{\"dtype\":\"F32\"}]" }[r.Next(6)]; break;
        }
        return model.ToFile();
    }

    private static byte[] MissingField(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        FuzzTensor tensor = AnyTensor(model, r);
        foreach (string field in new[] { "dtype", "shape", "data_offsets" }.Where(_ => r.Next(2) == 0).DefaultIfEmpty("shape"))
            tensor.SetField(field, null);
        return model.ToFile();
    }

    private static byte[] NegativeDimension(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        string negative = new[] { "-1", "-2", "-9223372036854775808", "-4294967296" }[r.Next(4)];
        string[] dims = [.. Enumerable.Range(0, r.Next(0, 3)).Select(_ => r.Next(0, 4).ToString()), negative, .. Enumerable.Range(0, r.Next(0, 2)).Select(_ => "0")];
        AnyTensor(model, r).SetField("shape", "[" + string.Join(",", dims) + "]");
        return model.ToFile();
    }

    private static byte[] ShapeOverflow(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        string[] shapes =
        [
            "[4294967296,4294967296]", "[9223372036854775807,2]", "[3037000500,3037000500]", "[4611686018427387904,4]",
            "[9223372036854775807,9223372036854775807,0]", "[0,9223372036854775807,9223372036854775807]",
            "[2305843009213693952]", "[1152921504606846976]", "[9223372036854775807]",
            "[" + string.Join(",", Enumerable.Repeat(2, 64)) + "]", "[" + string.Join(",", Enumerable.Repeat(1, 65)) + "]",
        ];
        FuzzTensor tensor = AnyTensor(model, r);
        tensor.SetField("shape", shapes[r.Next(shapes.Length)]);
        if (r.Next(2) == 0) tensor.SetField("dtype", "\"" + SafeTensorsFuzzModel.DTypes[r.Next(SafeTensorsFuzzModel.DTypes.Length)].Name + "\"");
        return model.ToFile();
    }

    private static byte[] Offsets(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        FuzzTensor tensor = AnyTensor(model, r);
        FuzzTensor other = model.Tensors[r.Next(model.Tensors.Count)];
        long length = tensor.End - tensor.Begin;
        long dataLength = model.Data.Length;
        string offsets = r.Next(10) switch
        {
            0 => $"[{other.Begin + r.Next(0, 4)},{other.Begin + r.Next(0, 4) + length}]",          // onto another tensor
            1 => $"[{dataLength - length + 1},{dataLength + 1}]",                                   // one past the end
            2 => $"[{tensor.End},{tensor.Begin}]",                                                 // reversed
            3 => $"[-{r.Next(1, 9)},{length}]",                                                    // negative
            4 => $"[{long.MaxValue - length},{long.MaxValue}]",                                    // far out of range
            5 => $"[{other.Begin},{other.End}]",                                                   // swapped with another
            6 => new[] { "[]", $"[{tensor.Begin}]", $"[{tensor.Begin},{tensor.End},{tensor.End}]" }[r.Next(3)], // wrong arity
            7 => $"[{tensor.Begin}.0,{tensor.End}]",                                               // not integers
            8 => $"[{tensor.Begin},18446744073709551616]",                                         // beyond int64
            _ => $"[{tensor.Begin + 1},{tensor.End + 1}]",                                         // shifted by one
        };
        tensor.SetField("data_offsets", offsets);
        return model.ToFile();
    }

    private static byte[] DuplicateKeys(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        FuzzTensor tensor = AnyTensor(model, r);
        switch (r.Next(5))
        {
            case 0:
                // The same tensor written twice.
                model.Tensors.Insert(r.Next(model.Tensors.Count + 1), tensor);
                break;
            case 1:
                // The same name spelled with an escape: "\u0074" for "t".
                var copy = new FuzzTensor { Name = "t", NameToken = "\"\\u0074\"", Begin = tensor.Begin, End = tensor.End };
                copy.Fields.AddRange(tensor.Fields);
                tensor.Name = "t";
                tensor.NameToken = null;
                model.Tensors.Add(copy);
                break;
            case 2:
                string field = new[] { "dtype", "shape", "data_offsets" }[r.Next(3)];
                var existing = tensor.Fields.First(f => f.Key == SafeTensorsTestWriter.Quote(field));
                tensor.Fields.Insert(r.Next(tensor.Fields.Count + 1), existing);
                break;
            case 3:
                model.Metadata = [("\"k\"", "\"1\""), ("\"k\"", "\"2\"")];
                break;
            default:
                model.Metadata ??= new();
                var metadataAgain = new FuzzTensor { Name = "__metadata__", RawEntry = "{}" };
                model.Tensors.Add(metadataAgain);
                break;
        }
        return model.ToFile();
    }

    private static byte[] MetadataNonString(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        switch (r.Next(3))
        {
            case 0:
                model.Metadata ??= new();
                model.Metadata.Insert(r.Next(model.Metadata.Count + 1), ("\"bad\"", NonStringValues[r.Next(NonStringValues.Length)]));
                break;
            case 1:
                model.RawMetadata = new[] { "[]", "\"heads=3\"", "3", "null", "true", "[{\"a\":\"b\"}]" }[r.Next(6)];
                break;
            default:
                // A tensor named __metadata__ is the metadata key, and an entry's values are not all strings.
                model.Metadata = null;
                model.Tensors.Add(new FuzzTensor { Name = "__metadata__", RawEntry = SafeTensorsTestWriter.EntryJson("F32", [0], 0, 0) });
                break;
        }
        return model.ToFile();
    }

    private static byte[] DeepNesting(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        int depth = r.Next(4) == 0 ? r.Next(50, 5000) : r.Next(1, 12);
        string open = string.Concat(Enumerable.Range(0, depth).Select(i => i % 2 == 0 ? "[" : "{\"k\":"));
        string close = string.Concat(Enumerable.Range(0, depth).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));
        string nested = open + "1" + close;
        switch (r.Next(5))
        {
            case 0: AnyTensor(model, r).SetField("nested", nested); break;
            case 1: AnyTensor(model, r).SetField("shape", "[" + nested + "]"); break;
            case 2: model.Metadata = [("\"k\"", nested)]; break;
            case 3: return SafeTensorsTestWriter.Assemble(nested, model.Data);
            default: AnyTensor(model, r).RawEntry = nested; break;
        }
        return model.ToFile();
    }

    private static byte[] EmptyName(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        AnyTensor(model, r).Name = "";
        return model.ToFile();
    }

    private static byte[] ExtraFields(Random r)
    {
        var model = SafeTensorsFuzzModel.RandomValid(r);
        string[] values = ["\"x\"", "1", "-2.5e10", "null", "true", "[]", "{}", "[1,[2,[3]]]", "{\"a\":{\"b\":{\"c\":[null]}}}"];
        FuzzTensor tensor = AnyTensor(model, r);
        tensor.SetField("extra" + r.Next(3), values[r.Next(values.Length)]);
        return model.ToFile();
    }
}
