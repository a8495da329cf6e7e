using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Attend;

/// <summary>One tensor entry exactly as the header JSON states it, before any layout check.</summary>
internal readonly record struct SafeTensorsRawEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// Reads a safetensors header with a forward-only <see cref="Utf8JsonReader"/>: no reflection,
/// so it is trim- and NativeAOT-safe, and every structural surprise becomes an
/// <see cref="InvalidDataException"/> that names the key and the file byte involved.
/// </summary>
/// <remarks>
/// The reader descends only where the format puts structure (root object, tensor entry, integer
/// arrays); anything else is rejected on its first token, so hostile nesting costs nothing. The one
/// place it walks into unknown structure is an unknown field of a tensor entry (allowed, as the
/// reference implementation ignores them), and that walk is bounded by <see cref="MaxNestingDepth"/>.
/// </remarks>
internal ref struct SafeTensorsJsonReader
{
    /// <summary>Deepest container nesting accepted. A valid header nests 3 deep (root, entry, shape).</summary>
    internal const int MaxNestingDepth = 8;

    /// <summary>Most dimensions a shape may have: bounds memory for a hostile "shape": [0,0,0,…].</summary>
    internal const int MaxRank = 64;

    internal const string MetadataKey = "__metadata__";

    private Utf8JsonReader _json;
    private readonly string _source;

    private SafeTensorsJsonReader(ReadOnlySpan<byte> headerJson, string source)
    {
        _json = new Utf8JsonReader(headerJson, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            // A backstop only: ReadEntry/SkipValue stop far sooner, at MaxNestingDepth.
            MaxDepth = 64,
        });
        _source = source;
    }

    /// <summary>Reads the tensor entries (in header order) and the <c>__metadata__</c> strings.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or does not have the safetensors structure.</exception>
    internal static (List<SafeTensorsRawEntry> Entries, Dictionary<string, string> Metadata) Read(ReadOnlySpan<byte> headerJson, string source)
    {
        var reader = new SafeTensorsJsonReader(headerJson, source);
        try
        {
            return reader.ReadRoot();
        }
        catch (JsonException ex)
        {
            throw SafeTensorsHeader.Invalid(source, $"the header is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>File offset of the current token (the header JSON starts after the 8-byte length).</summary>
    private readonly long FileOffset => SafeTensorsHeader.LengthPrefixBytes + _json.TokenStartIndex;

    private (List<SafeTensorsRawEntry>, Dictionary<string, string>) ReadRoot()
    {
        if (!_json.Read())
            throw Fail("the header holds no JSON value; expected an object");
        if (_json.TokenType != JsonTokenType.StartObject)
            throw Fail($"the header must be a JSON object, but it is {Describe(_json.TokenType)}");

        var entries = new List<SafeTensorsRawEntry>();
        Dictionary<string, string>? metadata = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);

        // Inside an object the reader yields only PropertyName or the closing EndObject.
        while (Next() == JsonTokenType.PropertyName)
        {
            long keyOffset = FileOffset;
            string key = ReadString("a top-level key");
            if (!keys.Add(key))
                throw Fail($"the key '{key}' appears twice (again at file byte {keyOffset})");
            Next();
            if (key == MetadataKey)
                metadata = ReadMetadata();
            else
                entries.Add(ReadEntry(key, keyOffset));
        }

        // Only whitespace (the writers' space padding) may follow; the reader itself throws on
        // anything else, and this catches a second value should that ever change.
        if (_json.Read())
            throw Fail($"unexpected {Describe(_json.TokenType)} after the header object at file byte {FileOffset}");
        return (entries, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private SafeTensorsRawEntry ReadEntry(string name, long keyOffset)
    {
        if (name.Length == 0)
            throw Fail($"the tensor at file byte {keyOffset} has an empty name");
        if (_json.TokenType != JsonTokenType.StartObject)
            throw Fail($"tensor '{name}': expected an object with dtype, shape and data_offsets, found {Describe(_json.TokenType)}");

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        while (Next() == JsonTokenType.PropertyName)
        {
            string field = ReadString($"a field name of tensor '{name}'");
            if (!fields.Add(field))
                throw Fail($"tensor '{name}': the field '{field}' appears twice (again at file byte {FileOffset})");
            Next();
            switch (field)
            {
                case "dtype":
                    if (_json.TokenType != JsonTokenType.String)
                        throw Fail($"tensor '{name}': dtype must be a string such as \"F32\", found {Describe(_json.TokenType)}");
                    dtype = ReadString($"the dtype of tensor '{name}'");
                    break;
                case "shape":
                    shape = ReadNonNegativeIntegers(name, "shape", MaxRank);
                    break;
                case "data_offsets":
                    offsets = ReadNonNegativeIntegers(name, "data_offsets", 2);
                    break;
                default:
                    SkipValue();
                    break;
            }
        }

        if (dtype is null) throw Fail($"tensor '{name}': the dtype field is missing");
        if (shape is null) throw Fail($"tensor '{name}': the shape field is missing");
        if (offsets is null) throw Fail($"tensor '{name}': the data_offsets field is missing");
        if (offsets.Length != 2)
            throw Fail($"tensor '{name}': data_offsets must be [begin, end], found {offsets.Length} number(s)");
        return new SafeTensorsRawEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private long[] ReadNonNegativeIntegers(string name, string field, int maxCount)
    {
        if (_json.TokenType != JsonTokenType.StartArray)
            throw Fail($"tensor '{name}': {field} must be an array of integers, found {Describe(_json.TokenType)}");

        var values = new List<long>();
        while (Next() != JsonTokenType.EndArray)
        {
            int index = values.Count;
            if (_json.TokenType != JsonTokenType.Number)
                throw Fail($"tensor '{name}': {field}[{index}] is {Describe(_json.TokenType)}, not an integer");
            if (!_json.TryGetInt64(out long value))
                throw Fail($"tensor '{name}': {field}[{index}] = {NumberText()} is not an integer in the range of a 64-bit count");
            if (value < 0)
                throw Fail(field == "shape"
                    ? $"tensor '{name}': negative dimension shape[{index}] = {value}"
                    : $"tensor '{name}': {field}[{index}] = {value} is negative");
            if (index == maxCount)
                throw Fail(field == "shape"
                    ? $"tensor '{name}': shape has more than {MaxRank} dimensions"
                    : $"tensor '{name}': {field} must be [begin, end], found more than {maxCount} numbers");
            values.Add(value);
        }
        return values.ToArray();
    }

    private Dictionary<string, string> ReadMetadata()
    {
        if (_json.TokenType != JsonTokenType.StartObject)
            throw Fail($"{MetadataKey} must be an object of string values, found {Describe(_json.TokenType)}");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next() == JsonTokenType.PropertyName)
        {
            string key = ReadString($"a {MetadataKey} key");
            if (metadata.ContainsKey(key))
                throw Fail($"{MetadataKey} has the key '{key}' twice (again at file byte {FileOffset})");
            Next();
            if (_json.TokenType != JsonTokenType.String)
                throw Fail($"{MetadataKey}['{key}'] is {Describe(_json.TokenType)}; metadata values must be strings");
            metadata.Add(key, ReadString($"{MetadataKey}['{key}']"));
        }
        return metadata;
    }

    /// <summary>Skips the current value, refusing containers nested deeper than <see cref="MaxNestingDepth"/>.</summary>
    private void SkipValue()
    {
        if (_json.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return;
        int startDepth = _json.CurrentDepth;
        do
        {
            if (_json.TokenType is (JsonTokenType.StartObject or JsonTokenType.StartArray) && _json.CurrentDepth >= MaxNestingDepth)
                throw Fail($"the JSON nests deeper than {MaxNestingDepth} levels at file byte {FileOffset}");
            Next();
        }
        while (!(_json.TokenType is (JsonTokenType.EndObject or JsonTokenType.EndArray) && _json.CurrentDepth == startDepth));
    }

    private JsonTokenType Next()
    {
        // With the whole header as the final block the reader throws on truncated JSON; a false
        // here is a defensive backstop, not an expected path.
        if (!_json.Read())
            throw Fail("the header JSON ends before its closing brace");
        return _json.TokenType;
    }

    private readonly string ReadString(string what)
    {
        try
        {
            return _json.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException ex)
        {
            // GetString refuses escapes that decode to invalid UTF-16, e.g. a lone "\ud800".
            throw Fail($"{what} at file byte {FileOffset} is not valid text: {ex.Message}");
        }
    }

    private readonly string NumberText()
    {
        ReadOnlySpan<byte> raw = _json.ValueSpan;
        const int MaxShown = 40;
        return raw.Length <= MaxShown ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..MaxShown]) + "…";
    }

    private readonly InvalidDataException Fail(string problem) => SafeTensorsHeader.Invalid(_source, problem);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
