using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

/// <summary>One test per validation rule: each violation is an <see cref="InvalidDataException"/> naming the problem and where.</summary>
public sealed class SafeTensorsValidationTests
{
    private static readonly byte[] SixFloats = new byte[24];

    /// <summary>A header holding one tensor "w" whose entry JSON is <paramref name="entry"/>, over <paramref name="data"/>.</summary>
    private static byte[] WithEntry(string entry, byte[]? data = null) =>
        SafeTensorsTestWriter.Assemble("{\"w\":" + entry + "}", data ?? SixFloats);

    private static InvalidDataException AssertInvalid(byte[] file, params string[] fragments)
    {
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(file));
        Assert.StartsWith("Invalid safetensors data (in memory): ", ex.Message);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, ex.Message);
        return ex;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void FileShorterThan8Bytes(int length) =>
        AssertInvalid(new byte[length], $"the file is {length} bytes", "shorter than the 8-byte header length");

    [Fact]
    public void HeaderLengthZero() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble([], [1, 2, 3], declaredLength: 0), "header length (file bytes 0..8) is 0");

    [Fact]
    public void HeaderLengthPastTheEndOfTheFile()
    {
        byte[] header = Encoding.UTF8.GetBytes("{}      ");
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, [], declaredLength: 9), "header length 9", "only 8 bytes follow it");
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, [], declaredLength: ulong.MaxValue), $"header length {ulong.MaxValue}");
    }

    [Fact]
    public void HeaderLengthAbove100MB_IsRefusedEvenWhenTheFileIsThatLarge()
    {
        // A sparse file: 100 MB + 16 bytes long, nearly all of it never written.
        string path = Path.Combine(Path.GetTempPath(), $"attend-huge-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var stream = new FileStream(path, FileMode.CreateNew))
            {
                var prefix = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, 100_000_001);
                stream.Write(prefix);
                stream.SetLength(100_000_016);
            }
            var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Open(path));
            Assert.Contains("header length 100000001", ex.Message);
            Assert.Contains("exceeds the 100000000-byte limit", ex.Message);
            Assert.Contains(path, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OpenOfAShortFile_IsInvalidData()
    {
        string path = SafeTensorsTestWriter.WriteTempFile([1, 2, 3]);
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Open(path));
            Assert.Contains("the file is 3 bytes", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeaderNotUtf8_NamesTheFileByte()
    {
        byte[] header = [.. Encoding.UTF8.GetBytes("{\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\":{}}   ")];
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, []), "not valid UTF-8 at file byte 11 (0xFF)");
    }

    [Fact]
    public void HeaderWithOverlongUtf8Encoding_IsNotUtf8() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble([.. Encoding.UTF8.GetBytes("{\""), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("\":1}  ")], []), "not valid UTF-8 at file byte 10");

    [Fact]
    public void EscapedLoneSurrogate_IsNotValidText() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"\\ud800\":{}}", []), "a top-level key at file byte 9 is not valid text");

    [Theory]
    [InlineData("{\"w\":")]
    [InlineData("{\"w\" {}}")]
    [InlineData("{\"__metadata__\":{},}")]
    [InlineData("{'w':{}}")]
    [InlineData("{/*c*/}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",}}")]
    public void HeaderNotValidJson(string header) =>
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, []), "the header is not valid JSON");

    [Fact]
    public void ContentAfterTheHeaderObject_IsRefused() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{} {}", []), "not valid JSON");

    [Fact]
    public void WhitespaceOnlyHeader_IsRefused() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("        ", []), "the header is not valid JSON");

    [Theory]
    [InlineData("[1,2]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    public void HeaderNotAnObject(string header, string found) =>
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, []), $"must be a JSON object, but it is {found}");

    [Fact]
    public void NestingDeeperThanTheBound_IsRefused_ButModestNestingIsFine()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        string entry(int depth) => "{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24],\"x\":" + Nested(depth) + "}";

        using (SafeTensors.Load(WithEntry(entry(5)))) { }
        AssertInvalid(WithEntry(entry(100)), "nests deeper than 8 levels", "at file byte");
        AssertInvalid(WithEntry(entry(100_000)), "nests deeper than 8 levels");
    }

    [Fact]
    public void DeeplyNestedValuesWhereTheFormatExpectsScalars_FailOnTheirFirstToken()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);
        AssertInvalid(SafeTensorsTestWriter.Assemble(deep, []), "must be a JSON object");
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"__metadata__\":{\"k\":" + deep + "}}", []), "__metadata__['k'] is an array");
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":" + "[" + deep + "]" + ",\"data_offsets\":[0,24]}"), "tensor 'w': shape[0] is an array");
    }

    [Fact]
    public void DuplicateTensorName() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble(
            "{\"w\":" + SafeTensorsTestWriter.EntryJson("F32", [1], 0, 4) + ",\"w\":" + SafeTensorsTestWriter.EntryJson("F32", [1], 4, 8) + "}",
            new byte[8]), "the key 'w' appears twice");

    [Fact]
    public void DuplicateTensorName_SpelledWithAnEscape() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble(
            "{\"a\":" + SafeTensorsTestWriter.EntryJson("F32", [1], 0, 4) + ",\"\\u0061\":" + SafeTensorsTestWriter.EntryJson("F32", [1], 4, 8) + "}",
            new byte[8]), "the key 'a' appears twice");

    [Fact]
    public void DuplicateFieldInAnEntry() =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[0,24]}"), "tensor 'w': the field 'dtype' appears twice");

    [Fact]
    public void DuplicateMetadataKey() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", []), "__metadata__ has the key 'k' twice");

    [Fact]
    public void DuplicateMetadataObject() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"__metadata__\":{},\"__metadata__\":{}}", []), "the key '__metadata__' appears twice");

    [Theory]
    [InlineData("{\"shape\":[6],\"data_offsets\":[0,24]}", "the dtype field is missing")]
    [InlineData("{\"dtype\":\"F32\",\"data_offsets\":[0,24]}", "the shape field is missing")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[6]}", "the data_offsets field is missing")]
    public void EntryMissingAField(string entry, string problem) => AssertInvalid(WithEntry(entry), "tensor 'w': " + problem);

    [Theory]
    [InlineData("\"F32\"", "expected an object with dtype, shape and data_offsets, found a string")]
    [InlineData("{\"dtype\":32,\"shape\":[6],\"data_offsets\":[0,24]}", "dtype must be a string such as \"F32\", found a number")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":\"6\",\"data_offsets\":[0,24]}", "shape must be an array of integers, found a string")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[\"6\"],\"data_offsets\":[0,24]}", "shape[0] is a string, not an integer")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":{\"begin\":0}}", "data_offsets must be an array of integers, found an object")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,null]}", "data_offsets[1] is null, not an integer")]
    public void EntryFieldWithTheWrongJsonType(string entry, string problem) => AssertInvalid(WithEntry(entry), "tensor 'w': " + problem);

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("U16")]
    [InlineData("f32")]
    [InlineData("")]
    public void UnknownDType(string dtype) =>
        AssertInvalid(WithEntry(SafeTensorsTestWriter.EntryJson(dtype, [6], 0, 24)), $"tensor 'w': unknown dtype '{dtype}'", "F32, F16, BF16");

    [Fact]
    public void NegativeDimension() =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,24]}"), "tensor 'w': negative dimension shape[1] = -3");

    [Theory]
    [InlineData("1.5")]
    [InlineData("6e0")]
    [InlineData("18446744073709551616")]
    public void DimensionThatIsNotAnInt64(string dimension) =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":[" + dimension + "],\"data_offsets\":[0,24]}"), $"tensor 'w': shape[0] = {dimension} is not an integer");

    [Fact]
    public void TooManyDimensions() =>
        AssertInvalid(WithEntry("{\"dtype\":\"U8\",\"shape\":[" + string.Join(",", Enumerable.Repeat(1, 65)) + "],\"data_offsets\":[0,1]}"), "more than 64 dimensions");

    [Fact]
    public void ShapeProductOverflow() =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,24]}"),
            "tensor 'w': shape [4294967296, 4294967296] has more elements than a 64-bit count holds");

    [Fact]
    public void ShapeByteSizeOverflow() =>
        AssertInvalid(WithEntry("{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,24]}"),
            "tensor 'w': shape [2305843009213693952] of F64 needs more bytes than a 64-bit offset addresses");

    [Theory]
    [InlineData("[0]", "found 1 number(s)")]
    [InlineData("[]", "found 0 number(s)")]
    [InlineData("[0,24,48]", "found more than 2 numbers")]
    public void DataOffsetsNotAPair(string offsets, string problem) =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":" + offsets + "}"), "tensor 'w': data_offsets must be [begin, end], " + problem);

    [Fact]
    public void DataOffsetNegative() =>
        AssertInvalid(WithEntry("{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[-24,0]}"), "tensor 'w': data_offsets[0] = -24 is negative");

    [Fact]
    public void DataOffsetsReversed() =>
        AssertInvalid(WithEntry(SafeTensorsTestWriter.EntryJson("F32", [6], 24, 0)), "tensor 'w': data_offsets [24, 0] are reversed");

    [Fact]
    public void DataOffsetsPastTheDataSection()
    {
        var ex = AssertInvalid(WithEntry(SafeTensorsTestWriter.EntryJson("F32", [6], 4, 28)),
            "tensor 'w': data_offsets [4, 28] end past the data section, which holds 24 bytes");
        Assert.Matches(@"file bytes \d+\.\.\d+", ex.Message);
        AssertInvalid(WithEntry(SafeTensorsTestWriter.EntryJson("F32", [6], 0, long.MaxValue)), "end past the data section");
    }

    [Fact]
    public void DataOffsetsSpanDisagreesWithShape() =>
        AssertInvalid(WithEntry(SafeTensorsTestWriter.EntryJson("F32", [5], 0, 24)),
            "tensor 'w': data_offsets [0, 24] span 24 bytes, but F32 shape [5] needs 5 × 4 = 20");

    [Fact]
    public void OverlappingTensors_NameBoth()
    {
        string header = "{" +
            "\"a\":" + SafeTensorsTestWriter.EntryJson("F32", [4], 0, 16) + "," +
            "\"b\":" + SafeTensorsTestWriter.EntryJson("F32", [2], 12, 20) + "}";
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, new byte[24]),
            "tensors 'a' (data_offsets [0, 16]) and 'b' (data_offsets [12, 20]) overlap from data offset 12");
    }

    [Fact]
    public void TensorInsideAnother_IsAnOverlap_EvenListedFirst()
    {
        string header = "{" +
            "\"inner\":" + SafeTensorsTestWriter.EntryJson("U8", [2], 4, 6) + "," +
            "\"outer\":" + SafeTensorsTestWriter.EntryJson("U8", [16], 0, 16) + "}";
        AssertInvalid(SafeTensorsTestWriter.Assemble(header, new byte[16]), "'outer'", "'inner'", "overlap");
    }

    [Fact]
    public void EmptyTensorsOverlapNothing()
    {
        string header = "{" +
            "\"a\":" + SafeTensorsTestWriter.EntryJson("F32", [4], 0, 16) + "," +
            "\"empty\":" + SafeTensorsTestWriter.EntryJson("F32", [0, 3], 8, 8) + "}";
        using SafeTensorsFile file = SafeTensors.Load(SafeTensorsTestWriter.Assemble(header, new byte[16]));
        Assert.Empty(file.ReadFloat32("empty"));
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"x\"", "a string")]
    [InlineData("null", "null")]
    public void MetadataNotAnObject(string metadata, string found) =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"__metadata__\":" + metadata + "}", []), $"__metadata__ must be an object of string values, found {found}");

    [Theory]
    [InlineData("1", "a number")]
    [InlineData("null", "null")]
    [InlineData("true", "true")]
    [InlineData("[\"a\"]", "an array")]
    [InlineData("{\"a\":\"b\"}", "an object")]
    public void MetadataValueNotAString(string value, string found) =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"__metadata__\":{\"ok\":\"1\",\"k\":" + value + "}}", []), $"__metadata__['k'] is {found}; metadata values must be strings");

    [Fact]
    public void EmptyTensorName() =>
        AssertInvalid(SafeTensorsTestWriter.Assemble("{\"\":" + SafeTensorsTestWriter.EntryJson("F32", [6], 0, 24) + "}", SixFloats),
            "the tensor at file byte 9 has an empty name");

    [Fact]
    public void MessagesFromOpen_NameThePath()
    {
        string path = SafeTensorsTestWriter.WriteTempFile(WithEntry(SafeTensorsTestWriter.EntryJson("F99", [6], 0, 24)));
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Open(path));
            Assert.Equal($"Invalid safetensors file '{path}': tensor 'w': unknown dtype 'F99' (Attend reads F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
