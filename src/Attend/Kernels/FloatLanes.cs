using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// What one instruction set does to a register of floats. Element-wise and row kernels (normalization,
/// activations, softmax, rotary embedding) are written once over <c>TLanes</c> and instantiated per
/// <see cref="KernelPath"/>: struct type arguments are never shared by the JIT, so each instantiation is
/// compiled for exactly one register width with every call below inlined.
/// </summary>
/// <typeparam name="TVector">The register: <see cref="float"/>, <see cref="Vector128{T}"/>, <see cref="Vector256{T}"/> or <see cref="Vector512{T}"/>.</typeparam>
internal interface IFloatLanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    static abstract TVector Broadcast(float value);

    static abstract TVector Load(ref float source, nuint index);

    static abstract void Store(TVector value, ref float destination, nuint index);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Subtract(TVector a, TVector b);

    static abstract TVector Multiply(TVector a, TVector b);

    static abstract TVector Divide(TVector a, TVector b);

    /// <summary>
    /// <c>a · b + c</c>: one rounding where the processor has FMA, two where it has not. Exact FMA emulated in software
    /// on a processor without it (SSE-only x64, or a NativeAOT binary built for one) made those paths hundreds of times
    /// slower; on FMA hardware this is the same instruction, so results there are unchanged.
    /// </summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Max(TVector a, TVector b);

    static abstract TVector Abs(TVector a);

    /// <summary><c>eᵃ</c> per lane (about 1 ulp).</summary>
    static abstract TVector Exp(TVector a);

    /// <summary>
    /// <c>eᵃ</c> per lane within <see cref="VectorExp.MaxRelativeErrorUlps"/> (<see cref="VectorExp"/>; <c>MathF.Exp</c> on the
    /// scalar path), 0 below <see cref="VectorExp.NormalRangeLow"/>: inlined single-precision arithmetic, several times
    /// cheaper than <see cref="Exp"/>, which widens to double. For activations evaluated on every hidden unit.
    /// </summary>
    static abstract TVector ExpFast(TVector a);

    /// <summary>Per lane: <paramref name="whenNegative"/> where <paramref name="selector"/> is below zero, else <paramref name="otherwise"/>.</summary>
    static abstract TVector SelectWhereNegative(TVector selector, TVector whenNegative, TVector otherwise);

    /// <summary>Swaps each even lane with the odd lane after it: <c>[a1, a0, a3, a2, …]</c> (a no-op for one lane).</summary>
    static abstract TVector SwapPairs(TVector a);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVector a);

    /// <summary>
    /// The sums of four registers' lanes, <c>[Σa, Σb, Σc, Σd]</c>, each added in the same order as <see cref="Sum"/> (so
    /// the same bits): reducing them together shares the shuffles four separate sums would each do. A dot product per key
    /// ends in one such reduction.
    /// </summary>
    static abstract Vector128<float> SumFour(TVector a, TVector b, TVector c, TVector d);

    /// <summary>Largest lane.</summary>
    static abstract float MaxAcross(TVector a);
}

/// <summary>One float at a time: the reference path and the fallback on machines without SIMD.</summary>
internal readonly struct ScalarLanes : IFloatLanes<float>
{
    public static int Count => 1;

    public static float Broadcast(float value) => value;

    public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);

    public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;

    public static float Add(float a, float b) => a + b;

    public static float Subtract(float a, float b) => a - b;

    public static float Multiply(float a, float b) => a * b;

    public static float Divide(float a, float b) => a / b;

    public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    public static float Max(float a, float b) => MathF.Max(a, b);

    public static float Abs(float a) => MathF.Abs(a);

    public static float Exp(float a) => MathF.Exp(a);

    public static float ExpFast(float a) => MathF.Exp(a);

    public static float SelectWhereNegative(float selector, float whenNegative, float otherwise) => selector < 0f ? whenNegative : otherwise;

    public static float SwapPairs(float a) => a;

    public static float Sum(float a) => a;

    public static Vector128<float> SumFour(float a, float b, float c, float d) => Vector128.Create(a, b, c, d);

    public static float MaxAcross(float a) => a;
}

/// <summary>Four floats per register (SSE / NEON).</summary>
internal readonly struct Lanes128 : IFloatLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    public static void Store(Vector128<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);

    public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);

    public static Vector128<float> Exp(Vector128<float> a) => Vector128.Exp(a);

    public static Vector128<float> ExpFast(Vector128<float> a) => VectorExp.Exp(a);

    public static Vector128<float> SelectWhereNegative(Vector128<float> selector, Vector128<float> whenNegative, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.LessThan(selector, Vector128<float>.Zero), whenNegative, otherwise);

    public static Vector128<float> SwapPairs(Vector128<float> a) => Vector128.Shuffle(a, Vector128.Create(1, 0, 3, 2));

    public static float Sum(Vector128<float> a) => Vector128.Sum(a);

    // Vector128.Sum adds (x0 + x1) + (x2 + x3) on x86, which two levels of haddps give for four registers at once.
    public static Vector128<float> SumFour(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) =>
        Sse3.IsSupported
            ? Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d))
            : Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));

    public static float MaxAcross(Vector128<float> a) =>
        MathF.Max(MathF.Max(a.GetElement(0), a.GetElement(1)), MathF.Max(a.GetElement(2), a.GetElement(3)));
}

/// <summary>Eight floats per register (AVX2 + FMA).</summary>
internal readonly struct Lanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    public static void Store(Vector256<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);

    public static Vector256<float> Exp(Vector256<float> a) => Vector256.Exp(a);

    public static Vector256<float> ExpFast(Vector256<float> a) => VectorExp.Exp(a);

    public static Vector256<float> SelectWhereNegative(Vector256<float> selector, Vector256<float> whenNegative, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.LessThan(selector, Vector256<float>.Zero), whenNegative, otherwise);

    public static Vector256<float> SwapPairs(Vector256<float> a) => Vector256.Shuffle(a, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));

    public static float Sum(Vector256<float> a) => Vector256.Sum(a);

    // Vector256.Sum adds ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)): two 256-bit horizontal adds, then the halves.
    public static Vector128<float> SumFour(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (!Avx.IsSupported)
        {
            return Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
        }

        Vector256<float> sums = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
        return sums.GetLower() + sums.GetUpper();
    }

    public static float MaxAcross(Vector256<float> a) => Lanes128.MaxAcross(Vector128.Max(a.GetLower(), a.GetUpper()));
}

/// <summary>Sixteen floats per register (AVX-512; emulated with two 256-bit halves elsewhere).</summary>
internal readonly struct Lanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    public static void Store(Vector512<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);

    public static Vector512<float> Exp(Vector512<float> a) => Vector512.Exp(a);

    public static Vector512<float> ExpFast(Vector512<float> a) => VectorExp.Exp(a);

    public static Vector512<float> SelectWhereNegative(Vector512<float> selector, Vector512<float> whenNegative, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.LessThan(selector, Vector512<float>.Zero), whenNegative, otherwise);

    public static Vector512<float> SwapPairs(Vector512<float> a) =>
        Vector512.Shuffle(a, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));

    public static float Sum(Vector512<float> a) => HeadKernelParts.LaneSum(a);

    // As HeadKernelParts.LaneSum: halves, then quarters, then Vector128.Sum's order.
    public static Vector128<float> SumFour(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
        Lanes128.SumFour(Quarter(a), Quarter(b), Quarter(c), Quarter(d));

    private static Vector128<float> Quarter(Vector512<float> a)
    {
        Vector256<float> half = a.GetLower() + a.GetUpper();
        return half.GetLower() + half.GetUpper();
    }

    public static float MaxAcross(Vector512<float> a) => Lanes256.MaxAcross(Vector256.Max(a.GetLower(), a.GetUpper()));
}
