using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace Attend;

/// <summary>
/// Parses one <c>TensorProto</c> (a graph initializer) and proves it readable: a name, a supported data
/// type, dimensions whose product fits, and exactly as many values as the dimensions need, in
/// <c>raw_data</c> or in the one typed field the data type uses. External data is refused.
/// </summary>
/// <remarks>
/// Two passes over the message: the first counts values without allocating, the second decodes typed
/// fields into an array sized by that count, so memory never exceeds what the file's bytes justify.
/// </remarks>
internal static class OnnxTensorParser
{
    /// <summary>No ONNX operator has tensors of this many dimensions; a larger rank is a corrupt file.</summary>
    internal const int MaxRank = 64;

    private const long DataLocationExternal = 1;

    internal static OnnxInitializer Parse(ReadOnlySpan<byte> message, long fileOffset, int index, string source)
    {
        var reader = new ProtobufReader(message, fileOffset, source);
        var dims = new List<long>();
        long dataType = 0;
        string? name = null;
        long rawOffset = -1;
        int rawLength = 0;
        long dataLocation = 0;
        bool hasExternalData = false;
        Span<long> typedCounts = stackalloc long[OnnxTensorFields.DoubleData + 1];
        var seen = new HashSet<int>();
        // Built once per tensor (again once it has a name), never per field: an unpacked float_data has one field per value.
        string label = $"initializer {index}";

        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (field is OnnxTensorFields.Name or OnnxTensorFields.DataType or OnnxTensorFields.RawData or OnnxTensorFields.DataLocation
                && !seen.Add(field))
                throw reader.Invalid($"{label}: field {field} appears twice before file byte {reader.FileOffset}; a TensorProto holds it once");
            switch (field)
            {
                case OnnxTensorFields.Dims:
                    ReadDims(ref reader, type, dims, label);
                    break;
                case OnnxTensorFields.DataType:
                    reader.Expect(type, WireType.Varint, $"{label}: data_type");
                    dataType = reader.ReadInt64();
                    break;
                case OnnxTensorFields.Name:
                    reader.Expect(type, WireType.LengthDelimited, $"{label}: name");
                    name = reader.ReadString($"{label}: name");
                    label = $"initializer '{name}'";
                    break;
                case OnnxTensorFields.RawData:
                    reader.Expect(type, WireType.LengthDelimited, $"{label}: raw_data");
                    rawLength = reader.ReadLengthDelimited($"{label}: raw_data", out rawOffset).Length;
                    break;
                case OnnxTensorFields.FloatData or OnnxTensorFields.Int32Data or OnnxTensorFields.Int64Data or OnnxTensorFields.DoubleData:
                    TypedValueSink counting = default;
                    typedCounts[field] += ReadTypedValues(ref reader, field, type, ref counting, label);
                    break;
                case OnnxTensorFields.StringData or OnnxTensorFields.UInt64Data:
                    throw reader.Invalid($"{label} holds {(field == OnnxTensorFields.StringData ? "string_data" : "uint64_data")}, values of a data type Attend does not read ({OnnxDataTypes.SupportedNames})");
                case OnnxTensorFields.Segment:
                    throw reader.Invalid($"{label} is a segment of a larger tensor; segmented tensors are not supported");
                case OnnxTensorFields.ExternalData:
                    hasExternalData = true;
                    reader.Skip(field, type);
                    break;
                case OnnxTensorFields.DataLocation:
                    reader.Expect(type, WireType.Varint, $"{label}: data_location");
                    dataLocation = reader.ReadInt64();
                    break;
                default:
                    reader.Skip(field, type);
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
            throw reader.Invalid($"initializer {index} has no name; ONNX requires every initializer to be named");
        if (dataLocation == DataLocationExternal || hasExternalData)
            throw reader.Invalid($"initializer '{name}' keeps its values in an external data file; " +
                                 "save the model with its data inside the .onnx file (onnx.save_model(model, path, save_as_external_data=False))");
        if (dataLocation != 0)
            throw reader.Invalid($"initializer '{name}': data_location {dataLocation} is neither DEFAULT (0) nor EXTERNAL (1)");
        if (!OnnxDataTypes.TryMap(dataType, out TensorDType dtype))
            throw reader.Invalid($"initializer '{name}' has data type {OnnxDataTypes.Name(dataType)}; Attend reads {OnnxDataTypes.SupportedNames}");

        string shapeText = TensorInfo.FormatShape(dims);
        long count = 1;
        foreach (long dimension in dims)
        {
            if (dimension != 0 && count > long.MaxValue / dimension)
                throw reader.Invalid($"initializer '{name}': dims {shapeText} have more elements than a 64-bit count holds");
            count *= dimension;
        }
        int elementSize = SafeTensorsDTypes.SizeOf(dtype);
        int typedField = OnnxDataTypes.TypedDataField(dtype);
        for (int field = OnnxTensorFields.FloatData; field < typedCounts.Length; field++)
            if (field != typedField && typedCounts[field] > 0)
                throw reader.Invalid($"initializer '{name}' ({OnnxDataTypes.Name(dataType)}) has {OnnxTensorFields.NameOf(field)}, " +
                                     $"but its values belong in {OnnxTensorFields.NameOf(typedField)} or raw_data");
        long typedCount = typedCounts[typedField];
        string typeText = $"{OnnxDataTypes.Name(dataType)} dims {shapeText}";

        if (rawOffset >= 0)
        {
            if (typedCount > 0)
                throw reader.Invalid($"initializer '{name}' has both raw_data and {OnnxTensorFields.NameOf(typedField)}; a tensor stores its values in one of them");
            if (count > rawLength / elementSize || (long)count * elementSize != rawLength)
                throw reader.Invalid($"initializer '{name}': raw_data holds {rawLength} bytes, but {typeText} need {count} × {elementSize} bytes");
            var info = new TensorInfo(name, dtype, Array.AsReadOnly(dims.ToArray()));
            return new OnnxInitializer(info, count, rawOffset, rawLength, null);
        }

        if (typedCount != count)
            throw reader.Invalid($"initializer '{name}': {OnnxTensorFields.NameOf(typedField)} holds {typedCount} values, but {typeText} need {count}");
        if (count > Array.MaxLength / elementSize)
            throw reader.Invalid($"initializer '{name}': {count} values of {OnnxDataTypes.Name(dataType)} are more than one array holds");
        var decoded = new byte[count * elementSize];
        if (count > 0)
            DecodeTypedValues(message, fileOffset, source, typedField, dtype, decoded, $"initializer '{name}'");
        return new OnnxInitializer(new TensorInfo(name, dtype, Array.AsReadOnly(dims.ToArray())), count, 0, decoded.Length, decoded);
    }

    private static void ReadDims(ref ProtobufReader reader, WireType type, List<long> dims, string label)
    {
        if (type == WireType.LengthDelimited)
        {
            ProtobufReader packed = reader.ReadMessage($"{label}: dims");
            while (!packed.AtEnd) AddDim(ref packed, dims, label);
        }
        else
        {
            reader.Expect(type, WireType.Varint, $"{label}: dims");
            AddDim(ref reader, dims, label);
        }
    }

    private static void AddDim(ref ProtobufReader reader, List<long> dims, string label)
    {
        long at = reader.FileOffset;
        long dimension = reader.ReadInt64();
        if (dimension < 0)
            throw reader.Invalid($"{label}: dimension {dims.Count} at file byte {at} is {dimension}; dimensions are not negative");
        if (dims.Count == MaxRank)
            throw reader.Invalid($"{label} has more than {MaxRank} dims");
        dims.Add(dimension);
    }

    /// <summary>
    /// Reads one occurrence of a typed field, packed (length-delimited) or one value, and returns how
    /// many values it held; when <paramref name="sink"/> is storing, it also converts and stores them.
    /// </summary>
    private static long ReadTypedValues(ref ProtobufReader reader, int field, WireType type, ref TypedValueSink sink, string label)
    {
        WireType single = field switch
        {
            OnnxTensorFields.FloatData => WireType.Fixed32,
            OnnxTensorFields.DoubleData => WireType.Fixed64,
            _ => WireType.Varint,
        };
        if (type != WireType.LengthDelimited)
        {
            // One field per value: no message text is built unless the value is bad.
            if (type != single)
                reader.Expect(type, single, $"{label}: {OnnxTensorFields.NameOf(field)}");
            sink.Accept(ref reader, single, label, field);
            return 1;
        }
        string what = $"{label}: {OnnxTensorFields.NameOf(field)}";
        long at = reader.FileOffset;
        ProtobufReader packed = reader.ReadMessage(what);
        if (single != WireType.Varint && !sink.IsStoring)
        {
            // Counting packed fixed-width values needs no decoding, only their total length.
            int width = single == WireType.Fixed32 ? 4 : 8;
            if (packed.Length % width != 0)
                throw reader.Invalid($"{what} at file byte {at} is {packed.Length} bytes, not a whole number of {width}-byte values");
            return packed.Length / width;
        }
        long count = 0;
        while (!packed.AtEnd)
        {
            sink.Accept(ref packed, single, label, field);
            count++;
        }
        return count;
    }

    private static void DecodeTypedValues(ReadOnlySpan<byte> message, long fileOffset, string source, int typedField, TensorDType dtype, byte[] destination, string label)
    {
        var reader = new ProtobufReader(message, fileOffset, source);
        var sink = new TypedValueSink(dtype, destination);
        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (field == typedField)
                ReadTypedValues(ref reader, field, type, ref sink, label);
            else
                reader.Skip(field, type);
        }
    }

    /// <summary>
    /// Where decoded typed values go: nowhere while counting (the first pass), else converted to the
    /// dtype's little-endian bytes. ONNX stores FLOAT16 and BFLOAT16 as their 16-bit patterns, and the
    /// 8- and 16-bit integers and BOOL by value, one per int32_data varint; a value outside its type's
    /// range is a corrupt file.
    /// </summary>
    private ref struct TypedValueSink(TensorDType dtype, Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;
        private int _written;

        internal readonly bool IsStoring => !_destination.IsEmpty;

        internal void Accept(ref ProtobufReader reader, WireType single, string label, int field)
        {
            long at = reader.FileOffset;
            switch (single)
            {
                case WireType.Fixed32:
                    uint bits32 = reader.ReadFixed32();
                    if (IsStoring) BinaryPrimitives.WriteUInt32LittleEndian(Next(4), bits32);
                    return;
                case WireType.Fixed64:
                    ulong bits64 = reader.ReadFixed64();
                    if (IsStoring) BinaryPrimitives.WriteUInt64LittleEndian(Next(8), bits64);
                    return;
            }
            if (dtype == TensorDType.I64 || !IsStoring)
            {
                long value64 = reader.ReadInt64();
                if (IsStoring) BinaryPrimitives.WriteInt64LittleEndian(Next(8), value64);
                return;
            }
            long value = reader.ReadInt64();
            (long min, long max) = dtype switch
            {
                TensorDType.F16 or TensorDType.BF16 => (0L, (long)ushort.MaxValue),
                TensorDType.I16 => (short.MinValue, short.MaxValue),
                TensorDType.I8 => (sbyte.MinValue, sbyte.MaxValue),
                TensorDType.U8 => (byte.MinValue, byte.MaxValue),
                TensorDType.Bool => (0, 1),
                _ => (int.MinValue, int.MaxValue),
            };
            if (value < min || value > max)
                throw reader.Invalid($"{label}: {OnnxTensorFields.NameOf(field)}: the value {value} at file byte {at} is outside {dtype}'s range {min}..{max}");
            switch (SafeTensorsDTypes.SizeOf(dtype))
            {
                case 4: BinaryPrimitives.WriteInt32LittleEndian(Next(4), (int)value); break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(Next(2), unchecked((ushort)value)); break;
                default: Next(1)[0] = unchecked((byte)value); break;
            }
        }

        private Span<byte> Next(int size)
        {
            Span<byte> slot = _destination.Slice(_written, size);
            _written += size;
            return slot;
        }
    }
}
