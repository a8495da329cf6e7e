using System;
using System.Collections.Generic;
using System.Linq;

namespace Attend.Tests.IO;

/// <summary>
/// The ONNX fuzzer's mutations of a small random valid model (<see cref="OnnxTestModels.RandomValid"/>). Byte-level ones
/// damage the written file without regard for structure; structural ones edit the message tree before it is written,
/// so each rule (lengths, wire types, dims, data types, external data, duplicates, nesting) is reached with the rest intact.
/// </summary>
internal static class OnnxMutators
{
    private static readonly long[] UnsupportedTypeCodes = [0, 4, 8, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 1000, -1];

    private static readonly long[] HugeDimensions = [1L << 31, 1L << 32, 1L << 62, long.MaxValue, -1, long.MinValue, 0, 3];

    public static IReadOnlyList<FuzzMutator> All { get; } =
    [
        new("valid", FuzzExpectation.Load, r => OnnxTestModels.RandomValid(r).ToBytes()),
        new("bit-flips", FuzzExpectation.LoadOrReject, BitFlips),
        new("byte-set", FuzzExpectation.LoadOrReject, ByteSet),
        new("truncate", FuzzExpectation.LoadOrReject, Truncate),
        new("varint-corruption", FuzzExpectation.LoadOrReject, VarintCorruption),
        new("length-skew", FuzzExpectation.LoadOrReject, LengthSkew),
        new("remove-field", FuzzExpectation.LoadOrReject, RemoveField),
        new("duplicate-field", FuzzExpectation.LoadOrReject, DuplicateField),
        new("reorder-fields", FuzzExpectation.Load, ReorderFields),
        new("unknown-fields", FuzzExpectation.Load, UnknownFields),
        new("deep-groups", FuzzExpectation.LoadOrReject, DeepGroups),
        new("huge-dims", FuzzExpectation.LoadOrReject, HugeDims),
        new("wrong-dtype", FuzzExpectation.LoadOrReject, WrongDType),
        new("unsupported-dtype", FuzzExpectation.Reject, UnsupportedDType),
        new("external-data", FuzzExpectation.Reject, ExternalData),
        new("duplicate-initializer", FuzzExpectation.Reject, DuplicateInitializer),
        new("extra-values", FuzzExpectation.LoadOrReject, ExtraValues),
        new("splice", FuzzExpectation.LoadOrReject, Splice),
    ];

    // ---- byte-level ------------------------------------------------------------------------

    private static byte[] Valid(Random r) => OnnxTestModels.RandomValid(r).ToBytes();

    private static byte[] BitFlips(Random r)
    {
        byte[] file = Valid(r);
        for (int i = r.Next(1, 9); i > 0; i--)
            file[r.Next(file.Length)] ^= (byte)(1 << r.Next(8));
        return file;
    }

    private static byte[] ByteSet(Random r)
    {
        byte[] file = Valid(r);
        for (int i = r.Next(1, 4); i > 0; i--)
            file[r.Next(file.Length)] = (byte)r.Next(256);
        return file;
    }

    private static byte[] Truncate(Random r)
    {
        byte[] file = Valid(r);
        return file[..r.Next(file.Length)];
    }

    /// <summary>Overwrites a run with continuation bytes (0x80–0xFF), so a varint there runs long, overflows, or swallows what follows.</summary>
    private static byte[] VarintCorruption(Random r)
    {
        byte[] file = Valid(r);
        int start = r.Next(file.Length);
        for (int i = start; i < Math.Min(file.Length, start + r.Next(1, 12)); i++)
            file[i] = (byte)(0x80 | r.Next(128));
        return file;
    }

    /// <summary>Splices a random slice of one valid model into another.</summary>
    private static byte[] Splice(Random r)
    {
        byte[] first = Valid(r), second = Valid(r);
        int cut = r.Next(first.Length), from = r.Next(second.Length);
        return first[..cut].Concat(second[from..]).ToArray();
    }

    // ---- structural ------------------------------------------------------------------------

    private static ProtoMessage Graph(ProtoMessage model) => model.Fields.OfType<MessageField>().Single(f => f.Number == 7).Value;

    private static List<ProtoMessage> Initializers(ProtoMessage model) =>
        Graph(model).Fields.OfType<MessageField>().Where(f => f.Number == 5).Select(f => f.Value).ToList();

    private static ProtoMessage RandomMessage(ProtoMessage model, Random r)
    {
        List<ProtoMessage> messages = model.Descendants().Where(m => m.Fields.Count > 0).ToList();
        return messages[r.Next(messages.Count)];
    }

    private static byte[] Edit(Random r, Action<ProtoMessage, Random> edit)
    {
        ProtoMessage model = OnnxTestModels.RandomValid(r);
        edit(model, r);
        return model.ToBytes();
    }

    private static byte[] LengthSkew(Random r) => Edit(r, (model, random) =>
    {
        List<(ProtoMessage Owner, int Index)> delimited = model.Descendants()
            .SelectMany(m => m.Fields.Select((f, i) => (Owner: m, Index: i, Field: f)))
            .Where(x => x.Field is MessageField or BytesField)
            .Select(x => (x.Owner, x.Index))
            .ToList();
        var (owner, index) = delimited[random.Next(delimited.Count)];
        int skew = random.Next(4) switch
        {
            0 => int.MaxValue / 2,
            1 => random.Next(1, 1 << 20),
            _ => random.Next(-4, 5),
        };
        owner.Fields[index] = owner.Fields[index] switch
        {
            MessageField m => m with { LengthSkew = Math.Max(skew, -m.Value.ToBytes().Length) },
            BytesField b => b with { LengthSkew = Math.Max(skew, -b.Value.Length) },
            var other => other,
        };
    });

    private static byte[] RemoveField(Random r) => Edit(r, (model, random) =>
    {
        ProtoMessage message = RandomMessage(model, random);
        message.Fields.RemoveAt(random.Next(message.Fields.Count));
    });

    private static byte[] DuplicateField(Random r) => Edit(r, (model, random) =>
    {
        ProtoMessage message = RandomMessage(model, random);
        ProtoField field = message.Fields[random.Next(message.Fields.Count)];
        message.Fields.Insert(random.Next(message.Fields.Count + 1), field);
    });

    /// <summary>Protobuf fields may come in any order; only the order within one repeated field (node inputs) means something.</summary>
    private static byte[] ReorderFields(Random r) => Edit(r, (model, random) =>
    {
        ProtoMessage message = RandomMessage(model, random);
        var byNumber = message.Fields.GroupBy(f => f.Number).OrderBy(_ => random.Next()).SelectMany(g => g).ToList();
        message.Fields.Clear();
        message.Fields.AddRange(byNumber);
    });

    private static byte[] UnknownFields(Random r) => Edit(r, (model, random) =>
    {
        foreach (ProtoMessage message in model.Descendants().ToList())
        {
            if (random.Next(2) == 0) continue;
            int number = 100 + random.Next(10_000);
            ProtoField unknown = random.Next(5) switch
            {
                0 => new VarintField(number, (ulong)random.NextInt64()),
                1 => new Fixed32Field(number, (uint)random.Next()),
                2 => new Fixed64Field(number, (ulong)random.NextInt64()),
                3 => new BytesField(number, new byte[random.Next(20)]),
                _ => new GroupField(number, new ProtoMessage().Varint(number + 1, 1).Bytes(number + 2, [7])),
            };
            message.Fields.Insert(random.Next(message.Fields.Count + 1), unknown);
        }
    });

    private static byte[] DeepGroups(Random r) => Edit(r, (model, random) =>
    {
        var inner = new ProtoMessage().Varint(1, 1);
        int depth = random.Next(2) == 0 ? random.Next(1, 100) : random.Next(100, 200);
        for (int i = 0; i < depth; i++)
        {
            var outer = new ProtoMessage();
            outer.Fields.Add(new GroupField(500 + i, inner));
            inner = outer;
        }
        ProtoMessage message = RandomMessage(model, random);
        message.Fields.AddRange(inner.Fields);
    });

    private static byte[] HugeDims(Random r) => Edit(r, (model, random) =>
    {
        ProtoMessage tensor = Initializers(model)[random.Next(Initializers(model).Count)];
        int index = tensor.Fields.FindIndex(f => f.Number == 1);
        long[] dims = Enumerable.Range(0, random.Next(1, 4)).Select(_ => HugeDimensions[random.Next(HugeDimensions.Length)]).ToArray();
        var replacement = new ProtoMessage().PackedVarints(1, dims).Fields[0];
        if (index >= 0) tensor.Fields[index] = replacement; else tensor.Fields.Add(replacement);
    });

    private static void SetDataType(ProtoMessage tensor, long code)
    {
        int index = tensor.Fields.FindIndex(f => f.Number == 2);
        tensor.Fields[index] = new VarintField(2, unchecked((ulong)code));
    }

    private static byte[] WrongDType(Random r) => Edit(r, (model, random) =>
    {
        List<ProtoMessage> tensors = Initializers(model);
        SetDataType(tensors[random.Next(tensors.Count)], random.Next(25));
    });

    private static byte[] UnsupportedDType(Random r) => Edit(r, (model, random) =>
    {
        List<ProtoMessage> tensors = Initializers(model);
        SetDataType(tensors[random.Next(tensors.Count)], UnsupportedTypeCodes[random.Next(UnsupportedTypeCodes.Length)]);
    });

    private static byte[] ExternalData(Random r) => Edit(r, (model, random) =>
    {
        List<ProtoMessage> tensors = Initializers(model);
        ProtoMessage tensor = tensors[random.Next(tensors.Count)];
        if (random.Next(2) == 0) tensor.Varint(14, 1);
        else tensor.Message(13, new ProtoMessage().String(1, "location").String(2, "model.onnx.data"));
        if (random.Next(2) == 0) tensor.Fields.RemoveAll(f => f.Number is 4 or 5 or 7 or 9 or 10);
    });

    private static byte[] DuplicateInitializer(Random r) => Edit(r, (model, random) =>
    {
        List<ProtoMessage> tensors = Initializers(model);
        Graph(model).Message(5, tensors[random.Next(tensors.Count)].DeepClone());
    });

    /// <summary>Adds values to a tensor in a data field of a random kind, so the count or the field disagrees with dims and type.</summary>
    private static byte[] ExtraValues(Random r) => Edit(r, (model, random) =>
    {
        List<ProtoMessage> tensors = Initializers(model);
        ProtoMessage tensor = tensors[random.Next(tensors.Count)];
        switch (random.Next(5))
        {
            case 0: tensor.Fixed32(4, 1); break;
            case 1: tensor.Varint(5, random.Next(-300, 70_000)); break;
            case 2: tensor.Varint(7, random.NextInt64()); break;
            case 3: tensor.Bytes(10, new byte[8 * random.Next(3)]); break;
            default: tensor.Bytes(9, new byte[random.Next(9)]); break;
        }
    });
}
