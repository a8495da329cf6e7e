using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Attend.Tests.IO;

/// <summary>One tensor of a <see cref="SafeTensorsFuzzModel"/>: its key and entry fields as raw JSON text, so mutators can write anything.</summary>
internal sealed class FuzzTensor
{
    public required string Name { get; set; }

    /// <summary>The JSON token written as the tensor's key; defaults to <see cref="Name"/> quoted.</summary>
    public string? NameToken { get; set; }

    /// <summary>Entry fields in order: raw key token (quoted) and raw value.</summary>
    public List<(string Key, string Value)> Fields { get; } = new();

    /// <summary>Replaces the whole entry object when set.</summary>
    public string? RawEntry { get; set; }

    public long Begin { get; set; }
    public long End { get; set; }

    public void SetField(string key, string? value)
    {
        string token = SafeTensorsTestWriter.Quote(key);
        int index = Fields.FindIndex(f => f.Key == token);
        if (value is null)
        {
            if (index >= 0) Fields.RemoveAt(index);
        }
        else if (index >= 0) Fields[index] = (token, value);
        else Fields.Add((token, value));
    }

    public string Render() =>
        (NameToken ?? SafeTensorsTestWriter.Quote(Name)) + ":" +
        (RawEntry ?? "{" + string.Join(",", Fields.Select(f => f.Key + ":" + f.Value)) + "}");
}

/// <summary>
/// A safetensors file as editable parts: the fuzzer generates a valid one, lets a mutator change a
/// field, a token or the data, and renders it. Generation is driven only by the given
/// <see cref="Random"/>, so a case seed reproduces its input exactly.
/// </summary>
internal sealed class SafeTensorsFuzzModel
{
    public static readonly (string Name, int Size)[] DTypes =
        [("F32", 4), ("F16", 2), ("BF16", 2), ("F64", 8), ("I64", 8), ("I32", 4), ("I16", 2), ("I8", 1), ("U8", 1), ("BOOL", 1)];

    public List<FuzzTensor> Tensors { get; } = new();

    /// <summary>Raw key/value tokens of <c>__metadata__</c>; null writes no metadata.</summary>
    public List<(string Key, string Value)>? Metadata { get; set; }

    /// <summary>Replaces the metadata object's text when set.</summary>
    public string? RawMetadata { get; set; }

    /// <summary>Where among the tensors the metadata key is written.</summary>
    public int MetadataPosition { get; set; }

    public byte[] Data { get; set; } = [];

    public string RenderJson()
    {
        var parts = Tensors.Select(t => t.Render()).ToList();
        if (Metadata is not null || RawMetadata is not null)
        {
            string metadata = RawMetadata ?? "{" + string.Join(",", Metadata!.Select(m => m.Key + ":" + m.Value)) + "}";
            parts.Insert(Math.Clamp(MetadataPosition, 0, parts.Count), "\"__metadata__\":" + metadata);
        }
        return "{" + string.Join(",", parts) + "}";
    }

    public byte[] ToFile() => SafeTensorsTestWriter.Assemble(RenderJson(), Data);

    /// <summary>A valid file: 0–5 tensors of random dtypes and shapes, stored in shuffled order with optional gaps.</summary>
    public static SafeTensorsFuzzModel RandomValid(Random random)
    {
        var model = new SafeTensorsFuzzModel();
        int count = random.Next(0, 6);
        var sizes = new long[count];
        for (int i = 0; i < count; i++)
        {
            var (dtype, size) = DTypes[random.Next(DTypes.Length)];
            long[] shape = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(10) == 0 ? 0L : random.Next(1, 5)).ToArray();
            sizes[i] = shape.Aggregate(1L, (a, b) => a * b) * size;
            var tensor = new FuzzTensor { Name = RandomName(random, i) };
            tensor.SetField("dtype", SafeTensorsTestWriter.Quote(dtype));
            tensor.SetField("shape", "[" + string.Join(",", shape) + "]");
            tensor.SetField("data_offsets", "[0,0]");
            if (random.Next(8) == 0) tensor.SetField("note", random.Next(2) == 0 ? "\"x\"" : "{\"a\":[1,2.5,null]}");
            if (random.Next(4) == 0) Shuffle(random, tensor.Fields);
            model.Tensors.Add(tensor);
        }

        // Store in a shuffled order, sometimes with gaps, as the format allows.
        int[] order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        long offset = 0;
        foreach (int i in order)
        {
            if (random.Next(4) == 0) offset += random.Next(1, 8);
            model.Tensors[i].Begin = offset;
            model.Tensors[i].End = offset + sizes[i];
            model.Tensors[i].SetField("data_offsets", $"[{offset},{offset + sizes[i]}]");
            offset += sizes[i];
        }
        if (random.Next(5) == 0) offset += random.Next(1, 16);
        model.Data = new byte[offset];
        random.NextBytes(model.Data);

        if (random.Next(2) == 0)
        {
            model.Metadata = Enumerable.Range(0, random.Next(0, 4))
                .Select(i => (SafeTensorsTestWriter.Quote($"key{i}{RandomText(random)}"), SafeTensorsTestWriter.Quote(RandomText(random))))
                .ToList();
            model.MetadataPosition = random.Next(0, count + 1);
        }
        return model;
    }

    /// <summary>Adds a small valid F32 tensor after the data, for mutators that need one to edit.</summary>
    public FuzzTensor EnsureTensor()
    {
        if (Tensors.Count > 0) return Tensors[0];
        long begin = Data.Length;
        var tensor = new FuzzTensor { Name = "added", Begin = begin, End = begin + 8 };
        tensor.SetField("dtype", "\"F32\"");
        tensor.SetField("shape", "[2]");
        tensor.SetField("data_offsets", $"[{begin},{begin + 8}]");
        Tensors.Add(tensor);
        Data = [.. Data, .. new byte[8]];
        return tensor;
    }

    private static string RandomName(Random random, int index) => random.Next(6) switch
    {
        0 => $"t{index}",
        1 => $"layers.{index}.self_attn.in_proj_weight",
        2 => $"poids.{index}.é✓",
        3 => $"quote\"back\\slash{index}",
        4 => $"ctrl\t\n{index}",
        _ => new string('n', random.Next(1, 300)) + index,
    };

    private static string RandomText(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => "3",
        2 => "ünïcödé \"quoted\" \\ ✓",
        _ => new string((char)random.Next('a', 'z' + 1), random.Next(1, 40)),
    };

    private static void Shuffle<T>(Random random, List<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
