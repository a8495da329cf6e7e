namespace Attend;

/// <summary>ONNX's <c>TensorProto.DataType</c> codes and how each maps to a <see cref="TensorDType"/>.</summary>
internal static class OnnxDataTypes
{
    internal const string SupportedNames = "FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT64, INT32, INT16, INT8, UINT8, BOOL";

    internal const int Float = 1;
    internal const int UInt8 = 2;
    internal const int Int8 = 3;
    internal const int Int16 = 5;
    internal const int Int32 = 6;
    internal const int Int64 = 7;
    internal const int Bool = 9;
    internal const int Float16 = 10;
    internal const int Double = 11;
    internal const int BFloat16 = 16;

    /// <summary>Maps a supported code; false for the rest (strings, unsigned wide integers, complex, float8, int4).</summary>
    internal static bool TryMap(long code, out TensorDType dtype)
    {
        switch (code)
        {
            case Float: dtype = TensorDType.F32; return true;
            case Float16: dtype = TensorDType.F16; return true;
            case BFloat16: dtype = TensorDType.BF16; return true;
            case Double: dtype = TensorDType.F64; return true;
            case Int64: dtype = TensorDType.I64; return true;
            case Int32: dtype = TensorDType.I32; return true;
            case Int16: dtype = TensorDType.I16; return true;
            case Int8: dtype = TensorDType.I8; return true;
            case UInt8: dtype = TensorDType.U8; return true;
            case Bool: dtype = TensorDType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The schema's name for a code, for messages about codes Attend does not read.</summary>
    internal static string Name(long code) => code switch
    {
        0 => "UNDEFINED",
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        17 => "FLOAT8E4M3FN",
        18 => "FLOAT8E4M3FNUZ",
        19 => "FLOAT8E5M2",
        20 => "FLOAT8E5M2FNUZ",
        21 => "UINT4",
        22 => "INT4",
        _ => $"unknown data type {code}",
    };

    /// <summary>
    /// The typed field that holds a tensor's values when it has no <c>raw_data</c>: FLOAT in float_data,
    /// DOUBLE in double_data, INT64 in int64_data, the narrower types (FLOAT16 and BFLOAT16 as their bit
    /// patterns) one per int32_data varint.
    /// </summary>
    internal static int TypedDataField(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => OnnxTensorFields.FloatData,
        TensorDType.F64 => OnnxTensorFields.DoubleData,
        TensorDType.I64 => OnnxTensorFields.Int64Data,
        _ => OnnxTensorFields.Int32Data,
    };
}

/// <summary>Field numbers of ONNX's <c>TensorProto</c> (onnx.proto3).</summary>
internal static class OnnxTensorFields
{
    internal const int Dims = 1;
    internal const int DataType = 2;
    internal const int Segment = 3;
    internal const int FloatData = 4;
    internal const int Int32Data = 5;
    internal const int StringData = 6;
    internal const int Int64Data = 7;
    internal const int Name = 8;
    internal const int RawData = 9;
    internal const int DoubleData = 10;
    internal const int UInt64Data = 11;
    internal const int ExternalData = 13;
    internal const int DataLocation = 14;

    internal static string NameOf(int field) => field switch
    {
        FloatData => "float_data",
        Int32Data => "int32_data",
        Int64Data => "int64_data",
        DoubleData => "double_data",
        _ => $"field {field}",
    };
}
