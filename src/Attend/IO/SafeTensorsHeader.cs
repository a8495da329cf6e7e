using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Text;
using System.Text.Unicode;

namespace Attend;

/// <summary>A validated tensor: its description and where its bytes lie in the file.</summary>
/// <param name="Info">Name, dtype and shape.</param>
/// <param name="FileOffset">Offset of the first byte from the start of the file (not of the data section).</param>
/// <param name="ElementCount">The product of the shape, checked not to overflow.</param>
/// <param name="ByteLength">Element count × element size; always equals <c>end - begin</c>.</param>
/// <param name="Begin">The <c>data_offsets</c> begin as written, for messages.</param>
internal sealed record SafeTensorsEntry(TensorInfo Info, long FileOffset, long ElementCount, long ByteLength, long Begin)
{
    internal long End => Begin + ByteLength;
}

/// <summary>
/// Parses and validates a safetensors header: the 8-byte little-endian length, the JSON, and the
/// layout of every tensor within the data section. After <see cref="Parse"/> returns, every entry's
/// bytes are known to lie inside the file, so readers need no further bounds reasoning.
/// </summary>
/// <remarks>
/// Layout: <c>[u64 n][n bytes of UTF-8 JSON][data section]</c>; each tensor's <c>data_offsets</c> are
/// relative to the data section. Gaps between tensors are allowed; overlaps are not.
/// </remarks>
internal sealed class SafeTensorsHeader
{
    internal const int LengthPrefixBytes = 8;

    /// <summary>The reference implementation's sanity bound on the header length (100 MB).</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    private SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
        DataLength = dataLength;
    }

    /// <summary>Tensors in header order.</summary>
    internal IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the header has none).</summary>
    internal IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section: 8 + header length.</summary>
    internal long DataStart { get; }

    /// <summary>Bytes from <see cref="DataStart"/> to the end of the file.</summary>
    internal long DataLength { get; }

    /// <summary>Parses the header of a file of <paramref name="fileLength"/> bytes.</summary>
    /// <param name="fileStart">
    /// The file's first bytes: at least <c>min(fileLength, 8 + MaxHeaderBytes)</c> of them, so that any
    /// header the checks accept lies inside this span.
    /// </param>
    /// <param name="fileLength">Length of the whole file.</param>
    /// <param name="source">Names the file in messages, e.g. <c>'model.safetensors'</c>.</param>
    /// <exception cref="InvalidDataException">Any violation of the format, with the tensor and offset involved.</exception>
    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> fileStart, long fileLength, string source)
    {
        if (fileLength < LengthPrefixBytes)
            throw Invalid(source, $"the file is {fileLength} bytes, shorter than the 8-byte header length that starts every safetensors file");
        if (fileStart.Length < Math.Min(fileLength, LengthPrefixBytes + MaxHeaderBytes))
            throw new ArgumentException("The span must hold the header the checks can accept.", nameof(fileStart));

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(fileStart);
        long available = fileLength - LengthPrefixBytes;
        if (declared == 0)
            throw Invalid(source, "the header length (file bytes 0..8) is 0; a header is at least '{}'");
        if (declared > (ulong)available)
            throw Invalid(source, $"the header length {declared} (file bytes 0..8) runs past the end of the file: only {available} bytes follow it");
        if (declared > MaxHeaderBytes)
            throw Invalid(source, $"the header length {declared} (file bytes 0..8) exceeds the {MaxHeaderBytes}-byte limit");

        int headerLength = (int)declared;
        ReadOnlySpan<byte> json = fileStart.Slice(LengthPrefixBytes, headerLength);
        ThrowIfNotUtf8(json, source);

        var (rawEntries, metadata) = SafeTensorsJsonReader.Read(json, source);
        long dataStart = LengthPrefixBytes + headerLength;
        long dataLength = fileLength - dataStart;

        var entries = new SafeTensorsEntry[rawEntries.Count];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = Validate(rawEntries[i], dataStart, dataLength, source);
        ThrowIfAnyOverlap(entries, source);

        return new SafeTensorsHeader(
            Array.AsReadOnly(entries),
            new ReadOnlyDictionary<string, string>(metadata),
            dataStart,
            dataLength);
    }

    /// <summary>The exception every format violation becomes.</summary>
    internal static InvalidDataException Invalid(string source, string problem, Exception? inner = null) =>
        new($"Invalid safetensors {source}: {problem}.", inner);

    private static void ThrowIfNotUtf8(ReadOnlySpan<byte> json, string source)
    {
        if (Utf8.IsValid(json))
            return;
        // Find the first bad byte so the message can point at it; this runs only on failure.
        int position = 0;
        while (Rune.DecodeFromUtf8(json[position..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
            position += consumed;
        throw Invalid(source, $"the header is not valid UTF-8 at file byte {LengthPrefixBytes + position} (0x{json[position]:X2})");
    }

    private static SafeTensorsEntry Validate(SafeTensorsRawEntry raw, long dataStart, long dataLength, string source)
    {
        string name = raw.Name;
        string shapeText = TensorInfo.FormatShape(raw.Shape);
        if (!SafeTensorsDTypes.TryParse(raw.DType, out TensorDType dtype))
            throw Invalid(source, $"tensor '{name}': unknown dtype '{raw.DType}' (Attend reads {SafeTensorsDTypes.SupportedNames})");

        // Left-to-right checked product, as the reference implementation does: [2^40, 2^40, 0]
        // is refused even though its true product is 0.
        long count = 1;
        foreach (long dimension in raw.Shape)
        {
            if (dimension != 0 && count > long.MaxValue / dimension)
                throw Invalid(source, $"tensor '{name}': shape {shapeText} has more elements than a 64-bit count holds");
            count *= dimension;
        }
        int elementSize = SafeTensorsDTypes.SizeOf(dtype);
        if (count > long.MaxValue / elementSize)
            throw Invalid(source, $"tensor '{name}': shape {shapeText} of {raw.DType} needs more bytes than a 64-bit offset addresses");
        long byteLength = count * elementSize;

        string offsetsText = $"data_offsets [{raw.Begin}, {raw.End}]";
        if (raw.Begin > raw.End)
            throw Invalid(source, $"tensor '{name}': {offsetsText} are reversed (begin must not exceed end)");
        if (raw.End > dataLength)
            throw Invalid(source, $"tensor '{name}': {offsetsText} end past the data section, which holds {dataLength} bytes (file bytes {dataStart}..{dataStart + dataLength})");
        if (raw.End - raw.Begin != byteLength)
            throw Invalid(source, $"tensor '{name}': {offsetsText} span {raw.End - raw.Begin} bytes, but {raw.DType} shape {shapeText} needs {count} × {elementSize} = {byteLength}");

        var info = new TensorInfo(name, dtype, Array.AsReadOnly(raw.Shape));
        return new SafeTensorsEntry(info, dataStart + raw.Begin, count, byteLength, raw.Begin);
    }

    private static void ThrowIfAnyOverlap(SafeTensorsEntry[] entries, string source)
    {
        // Empty tensors read no bytes, so they overlap nothing wherever their offsets point.
        var byBegin = new List<SafeTensorsEntry>(entries.Length);
        foreach (var entry in entries)
            if (entry.ByteLength > 0) byBegin.Add(entry);
        byBegin.Sort(static (a, b) => a.Begin.CompareTo(b.Begin));

        // Sorted by begin, a tensor overlaps an earlier one exactly when it starts before the
        // furthest end seen so far.
        SafeTensorsEntry? furthest = null;
        foreach (var entry in byBegin)
        {
            if (furthest is not null && entry.Begin < furthest.End)
                throw Invalid(source,
                    $"tensors '{furthest.Info.Name}' (data_offsets [{furthest.Begin}, {furthest.End}]) and " +
                    $"'{entry.Info.Name}' (data_offsets [{entry.Begin}, {entry.End}]) overlap from data offset {entry.Begin}");
            if (furthest is null || entry.End > furthest.End)
                furthest = entry;
        }
    }
}
