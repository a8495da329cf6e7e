using System;

namespace Attend;

/// <summary>The safetensors spelling and the byte width of each <see cref="TensorDType"/>.</summary>
internal static class SafeTensorsDTypes
{
    /// <summary>The names <see cref="TryParse"/> accepts, for error messages.</summary>
    internal const string SupportedNames = "F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL";

    /// <summary>
    /// Maps a header's dtype string to a <see cref="TensorDType"/>. Matching is exact and
    /// case-sensitive, as in the reference implementation: "f32" is not a dtype.
    /// </summary>
    internal static bool TryParse(string name, out TensorDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = TensorDType.F32; return true;
            case "F16": dtype = TensorDType.F16; return true;
            case "BF16": dtype = TensorDType.BF16; return true;
            case "F64": dtype = TensorDType.F64; return true;
            case "I64": dtype = TensorDType.I64; return true;
            case "I32": dtype = TensorDType.I32; return true;
            case "I16": dtype = TensorDType.I16; return true;
            case "I8": dtype = TensorDType.I8; return true;
            case "U8": dtype = TensorDType.U8; return true;
            case "BOOL": dtype = TensorDType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The name a safetensors header uses for <paramref name="dtype"/>.</summary>
    internal static string ToName(TensorDType dtype) => dtype switch
    {
        TensorDType.Bool => "BOOL",
        _ => dtype.ToString(),
    };

    /// <summary>Bytes per element.</summary>
    internal static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        TensorDType.I8 or TensorDType.U8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a TensorDType."),
    };

    /// <summary>Whether the values are integers or booleans (what <c>ReadInt64</c> accepts).</summary>
    internal static bool IsIntegral(TensorDType dtype) =>
        dtype is TensorDType.I64 or TensorDType.I32 or TensorDType.I16 or TensorDType.I8 or TensorDType.U8 or TensorDType.Bool;
}
