using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// What one instruction set does for <see cref="ByteActivationGemm"/>: registers of 32-bit lanes, one output feature a lane,
/// each lane holding four bytes (four consecutive inputs: unsigned activations or signed weights) before the multiply and
/// the 32-bit sum of their four products after it: <c>vpdpbusd</c>'s operation. Written once over <c>TLanes</c> and
/// instantiated per <see cref="KernelPath"/>, like <see cref="IInt16PairLanes{TVector}"/>.
/// </summary>
/// <typeparam name="TVector">The register: <see cref="int"/> (one packed quad) or <c>VectorN&lt;int&gt;</c>.</typeparam>
internal unsafe interface IByteQuadLanes<TVector>
    where TVector : struct
{
    /// <summary>Output features a register covers (its 32-bit lanes).</summary>
    static abstract int Columns { get; }

    static abstract TVector Zero { get; }

    /// <summary><c>4 · Columns</c> int8 weights: per column the quad for inputs <c>k … k + 3</c>.</summary>
    static abstract TVector LoadWeightQuads(sbyte* source);

    /// <summary>One quad of unsigned 8-bit activations (inputs <c>k … k + 3</c> of a row) in every lane.</summary>
    static abstract TVector BroadcastQuad(byte* quad);

    /// <summary>
    /// <c>sum + Σ a[i] · w[i]</c> over each lane's four byte pairs, unsigned × signed, exact in 32 bits: one <c>vpdpbusd</c>
    /// where the processor has VNNI, else two 16-bit multiply-adds of the even and the odd bytes (the same integers).
    /// </summary>
    static abstract TVector MultiplyAddQuadsAndAdd(TVector sum, TVector activations, TVector weights);

    /// <summary>
    /// One group's integer sums into the float sums: <c>destination[c] = ((float(integers[c]) + zero · negatedColumnSums[c]) ·
    /// weightScales[c]) · scale + source[c]</c> (the row's zero point and scale for the group at <paramref name="zero"/>
    /// and <paramref name="scale"/>; the source is the bias for the first group, the destination the output for the
    /// last): the correction is exact (every term is an integer below 2²⁴) with or without
    /// FMA, the last step one FMA where the processor has it.
    /// </summary>
    static abstract void AccumulateGroup(TVector integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination);

    /// <summary>
    /// <see cref="AccumulateGroup"/> for two registers whose columns follow each other (<paramref name="high"/>'s right after
    /// <paramref name="low"/>'s): the same operations on every lane, so the same bits, in one register of twice the width
    /// where the path has one.
    /// </summary>
    static abstract void AccumulateGroupPair(TVector low, TVector high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination);
}

/// <summary>One column at a time: the reference path. A "register" is one quad packed in an <see cref="int"/> (input k in the low byte).</summary>
internal readonly unsafe struct ScalarByteQuads : IByteQuadLanes<int>
{
    public static int Columns => 1;

    public static int Zero => 0;

    public static int LoadWeightQuads(sbyte* source) => *(int*)source;

    public static int BroadcastQuad(byte* quad) => *(int*)quad;

    public static int MultiplyAddQuadsAndAdd(int sum, int activations, int weights)
    {
        for (int i = 0; i < 4; i++)
        {
            sum += (byte)(activations >> (8 * i)) * (sbyte)(weights >> (8 * i));
        }

        return sum;
    }

    public static void AccumulateGroup(int integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination) =>
        *destination = float.MultiplyAddEstimate(float.MultiplyAddEstimate(*zero, *negatedColumnSums, integers) * *weightScales, *scale, *source);

    public static void AccumulateGroupPair(int low, int high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        AccumulateGroup(low, zero, scale, negatedColumnSums, weightScales, source, destination);
        AccumulateGroup(high, zero, scale, negatedColumnSums + 1, weightScales + 1, source + 1, destination + 1);
    }

}

/// <summary>4 columns a register: AVX-VNNI's 128-bit <c>vpdpbusd</c>, else 16-bit multiply-adds (portable on ARM's AdvSimd).</summary>
internal readonly unsafe struct ByteQuads128 : IByteQuadLanes<Vector128<int>>
{
    public static int Columns => 4;

    public static Vector128<int> Zero => Vector128<int>.Zero;

    public static Vector128<int> LoadWeightQuads(sbyte* source) => Vector128.Load((int*)source);

    public static Vector128<int> BroadcastQuad(byte* quad) => Vector128.Create(*(int*)quad);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAddQuadsAndAdd(Vector128<int> sum, Vector128<int> activations, Vector128<int> weights)
    {
        if (AvxVnni.IsSupported)
        {
            return AvxVnni.MultiplyWideningAndAdd(sum, activations.AsByte(), weights.AsSByte());
        }

        // Even bytes (0, 2) and odd bytes (1, 3) as 16-bit halves: activations zero-extended, weights sign-extended.
        Vector128<short> evenActivations = (activations & Vector128.Create(0x00FF00FF)).AsInt16();
        Vector128<short> oddActivations = ((activations >>> 8) & Vector128.Create(0x00FF00FF)).AsInt16();
        Vector128<short> evenWeights = (weights.AsInt16() << 8) >> 8, oddWeights = weights.AsInt16() >> 8;
        return sum + MultiplyAddHalves(evenActivations, evenWeights) + MultiplyAddHalves(oddActivations, oddWeights);
    }

    public static void AccumulateGroup(Vector128<int> integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        Vector128<float> exact = Vector128.MultiplyAddEstimate(Vector128.Create(*zero), Vector128.Load(negatedColumnSums), Vector128.ConvertToSingle(integers));
        Vector128.MultiplyAddEstimate(exact * Vector128.Load(weightScales), Vector128.Create(*scale), Vector128.Load(source)).Store(destination);
    }

    public static void AccumulateGroupPair(Vector128<int> low, Vector128<int> high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        AccumulateGroup(low, zero, scale, negatedColumnSums, weightScales, source, destination);
        AccumulateGroup(high, zero, scale, negatedColumnSums + 4, weightScales + 4, source + 4, destination + 4);
    }


    /// <summary><c>a₀·w₀ + a₁·w₁</c> per 32-bit lane of 16-bit halves (<c>pmaddwd</c>; exact: |a · w| ≤ 255 · 128).</summary>
    private static Vector128<int> MultiplyAddHalves(Vector128<short> activations, Vector128<short> weights)
    {
        if (Sse2.IsSupported)
        {
            return Sse2.MultiplyAddAdjacent(activations, weights);
        }

        Vector128<int> a = activations.AsInt32(), w = weights.AsInt32();
        return ((a << 16) >> 16) * ((w << 16) >> 16) + (a >> 16) * (w >> 16);
    }
}

/// <summary>
/// 8 columns a register without AVX-VNNI: two <c>vpmaddwd</c> of the even and odd bytes on AVX2, the portable form
/// elsewhere. <see cref="VnniByteQuads256"/> is the same with <c>vpdpbusd</c>; the Vector512 path uses these too (.NET 10
/// exposes no 512-bit <c>vpdpbusd</c>, and on Zen 5 the 256-bit one runs at twice the multiply-adds of the 512-bit FMA).
/// </summary>
internal readonly unsafe struct ByteQuads256 : IByteQuadLanes<Vector256<int>>
{
    public static int Columns => 8;

    public static Vector256<int> Zero => Vector256<int>.Zero;

    public static Vector256<int> LoadWeightQuads(sbyte* source) => Vector256.Load((int*)source);

    public static Vector256<int> BroadcastQuad(byte* quad) => Vector256.Create(*(int*)quad);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddQuadsAndAdd(Vector256<int> sum, Vector256<int> activations, Vector256<int> weights)
    {
        Vector256<short> evenActivations = (activations & Vector256.Create(0x00FF00FF)).AsInt16();
        Vector256<short> oddActivations = ((activations >>> 8) & Vector256.Create(0x00FF00FF)).AsInt16();
        Vector256<short> evenWeights = (weights.AsInt16() << 8) >> 8, oddWeights = weights.AsInt16() >> 8;
        return sum + MultiplyAddHalves(evenActivations, evenWeights) + MultiplyAddHalves(oddActivations, oddWeights);
    }

    public static void AccumulateGroup(Vector256<int> integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        Vector256<float> exact = Vector256.MultiplyAddEstimate(Vector256.Create(*zero), Vector256.Load(negatedColumnSums), Vector256.ConvertToSingle(integers));
        Vector256.MultiplyAddEstimate(exact * Vector256.Load(weightScales), Vector256.Create(*scale), Vector256.Load(source)).Store(destination);
    }

    public static void AccumulateGroupPair(Vector256<int> low, Vector256<int> high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        AccumulateGroup(low, zero, scale, negatedColumnSums, weightScales, source, destination);
        AccumulateGroup(high, zero, scale, negatedColumnSums + 8, weightScales + 8, source + 8, destination + 8);
    }


    private static Vector256<int> MultiplyAddHalves(Vector256<short> activations, Vector256<short> weights)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.MultiplyAddAdjacent(activations, weights);
        }

        Vector256<int> a = activations.AsInt32(), w = weights.AsInt32();
        return ((a << 16) >> 16) * ((w << 16) >> 16) + (a >> 16) * (w >> 16);
    }
}

/// <summary>
/// <typeparamref name="TBase"/> (<see cref="ByteQuads256"/> or <see cref="VnniByteQuads256"/>) on the Vector512 path: the
/// same 256-bit tile, but each group's sums are converted, corrected and scaled sixteen columns at a time in 512-bit
/// registers, which halves the float instructions beside the integer ones (on Zen 5 they share the vector pipes: a
/// 64-input group's epilogue, at 8-column registers, cost about a fifth of the tile's time). Needs AVX-512F.
/// </summary>
internal readonly unsafe struct WideEpilogue<TBase> : IByteQuadLanes<Vector256<int>>
    where TBase : struct, IByteQuadLanes<Vector256<int>>
{
    public static int Columns => TBase.Columns;

    public static Vector256<int> Zero => Vector256<int>.Zero;

    public static Vector256<int> LoadWeightQuads(sbyte* source) => TBase.LoadWeightQuads(source);

    public static Vector256<int> BroadcastQuad(byte* quad) => TBase.BroadcastQuad(quad);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddQuadsAndAdd(Vector256<int> sum, Vector256<int> activations, Vector256<int> weights) =>
        TBase.MultiplyAddQuadsAndAdd(sum, activations, weights);

    public static void AccumulateGroup(Vector256<int> integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination) =>
        TBase.AccumulateGroup(integers, zero, scale, negatedColumnSums, weightScales, source, destination);

    public static void AccumulateGroupPair(Vector256<int> low, Vector256<int> high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination)
    {
        Vector512<int> integers = Avx512F.InsertVector256(low.ToVector512Unsafe(), high, 1); // one vinserti32x8
        Vector512<float> exact = Vector512.MultiplyAddEstimate(Vector512.Create(*zero), Vector512.Load(negatedColumnSums), Vector512.ConvertToSingle(integers));
        Vector512.MultiplyAddEstimate(exact * Vector512.Load(weightScales), Vector512.Create(*scale), Vector512.Load(source)).Store(destination);
    }

}

/// <summary>
/// 8 columns a register with AVX-VNNI's 256-bit <c>vpdpbusd</c> (32 multiply-adds an instruction), chosen once per call
/// rather than tested inside the tile: NativeAOT compiles AVX-VNNI as an opportunistic instruction set at its default
/// x86-64-v3 target, and there a test in the lane operation made the projection 2.3× slower than the JIT's (2.20 against
/// 5.08 ms at 512 × 384 → 1536 on Zen 5).
/// </summary>
internal readonly unsafe struct VnniByteQuads256 : IByteQuadLanes<Vector256<int>>
{
    public static int Columns => ByteQuads256.Columns;

    public static Vector256<int> Zero => Vector256<int>.Zero;

    public static Vector256<int> LoadWeightQuads(sbyte* source) => ByteQuads256.LoadWeightQuads(source);

    public static Vector256<int> BroadcastQuad(byte* quad) => ByteQuads256.BroadcastQuad(quad);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddQuadsAndAdd(Vector256<int> sum, Vector256<int> activations, Vector256<int> weights) =>
        AvxVnni.MultiplyWideningAndAdd(sum, activations.AsByte(), weights.AsSByte());

    public static void AccumulateGroup(Vector256<int> integers, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination) =>
        ByteQuads256.AccumulateGroup(integers, zero, scale, negatedColumnSums, weightScales, source, destination);

    public static void AccumulateGroupPair(Vector256<int> low, Vector256<int> high, float* zero, float* scale, float* negatedColumnSums, float* weightScales, float* source, float* destination) =>
        ByteQuads256.AccumulateGroupPair(low, high, zero, scale, negatedColumnSums, weightScales, source, destination);

}
