using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Reads bfloat16 into float registers without a widening shuffle: one load of <c>2 · Count</c> bfloat16 values,
/// seen as <c>Count</c> 32-bit lanes, holds an even-indexed value in each lane's low half and the odd-indexed one
/// after it in the high half (little-endian). <c>lane &lt;&lt; 16</c> is then the even value as a float and
/// <c>lane &amp; 0xFFFF0000</c> the odd one: two integer operations per <c>2 · Count</c> values. Kernels pair them with
/// the query (or accumulators) split the same way into even and odd elements.
/// </summary>
/// <typeparam name="TVector">The float register, as in <see cref="IFloatLanes{TVector}"/>.</typeparam>
internal interface IBFloat16Pairs<TVector>
    where TVector : struct
{
    /// <summary>
    /// Loads the <c>2 · Count</c> bfloat16 values at <c>source[index…]</c>: <paramref name="even"/> gets elements
    /// <c>index + 2i</c>, <paramref name="odd"/> elements <c>index + 2i + 1</c>, widened exactly.
    /// </summary>
    static abstract void Load(ref ushort source, nuint index, out TVector even, out TVector odd);
}

/// <summary>Two values, one float each.</summary>
internal readonly struct ScalarBFloat16Pairs : IBFloat16Pairs<float>
{
    public static void Load(ref ushort source, nuint index, out float even, out float odd)
    {
        even = BFloat16.Widen(Unsafe.Add(ref source, index));
        odd = BFloat16.Widen(Unsafe.Add(ref source, index + 1));
    }
}

/// <summary>Eight values per load.</summary>
internal readonly struct BFloat16Pairs128 : IBFloat16Pairs<Vector128<float>>
{
    public static void Load(ref ushort source, nuint index, out Vector128<float> even, out Vector128<float> odd)
    {
        Vector128<uint> lanes = Vector128.LoadUnsafe(ref source, index).AsUInt32();
        even = (lanes << 16).AsSingle();
        odd = (lanes & Vector128.Create(0xFFFF0000u)).AsSingle();
    }
}

/// <summary>Sixteen values per load.</summary>
internal readonly struct BFloat16Pairs256 : IBFloat16Pairs<Vector256<float>>
{
    public static void Load(ref ushort source, nuint index, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<uint> lanes = Vector256.LoadUnsafe(ref source, index).AsUInt32();
        even = (lanes << 16).AsSingle();
        odd = (lanes & Vector256.Create(0xFFFF0000u)).AsSingle();
    }
}

/// <summary>Thirty-two values per load.</summary>
internal readonly struct BFloat16Pairs512 : IBFloat16Pairs<Vector512<float>>
{
    public static void Load(ref ushort source, nuint index, out Vector512<float> even, out Vector512<float> odd)
    {
        Vector512<uint> lanes = Vector512.LoadUnsafe(ref source, index).AsUInt32();
        even = (lanes << 16).AsSingle();
        odd = (lanes & Vector512.Create(0xFFFF0000u)).AsSingle();
    }
}
