using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// What one instruction set does for <see cref="Int8Gemm"/>: registers of 32-bit lanes, one output feature a lane, each
/// lane holding a pair of 16-bit values (two consecutive inputs) before the multiply and their 32-bit sum of products
/// after it. Written once over <c>TLanes</c> and instantiated per <see cref="KernelPath"/>, like <see cref="IFloatLanes{TVector}"/>.
/// </summary>
/// <typeparam name="TVector">The register: <see cref="int"/> (one packed pair) or <c>VectorN&lt;int&gt;</c>.</typeparam>
internal unsafe interface IInt16PairLanes<TVector>
    where TVector : struct
{
    /// <summary>Output features a register covers (its 32-bit lanes).</summary>
    static abstract int Columns { get; }

    static abstract TVector Zero { get; }

    /// <summary><c>2 · Columns</c> int8 weights (per column the pair for inputs <c>k</c>, <c>k + 1</c>) sign-extended to 16 bits.</summary>
    static abstract TVector LoadWeightPairs(sbyte* source);

    /// <summary>One pair of 16-bit activations (inputs <c>k</c>, <c>k + 1</c> of a row) in every lane.</summary>
    static abstract TVector BroadcastPair(short* pair);

    /// <summary>
    /// Per lane <c>a₀·w₀ + a₁·w₁</c> on the 16-bit halves, exact in 32 bits (<c>vpmaddwd</c>): |a| ≤ 32767, |w| ≤ 127 keep
    /// the −32768 · −32768 case that wraps out of reach.
    /// </summary>
    static abstract TVector MultiplyAddPairs(TVector activations, TVector weights);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>
    /// <c>sum + MultiplyAddPairs(activations, weights)</c>: one <c>vpdpwssd</c> where the processor has VNNI (the same
    /// exact integers), else the two instructions.
    /// </summary>
    static abstract TVector MultiplyAddPairsAndAdd(TVector sum, TVector activations, TVector weights);

    /// <summary><c>sums[c] = float(integers[c]) · scales[c] + sums[c]</c> for the register's columns (FMA where the processor has it).</summary>
    static abstract void AccumulateScaled(TVector integers, float* scales, float* sums);

    /// <summary><c>output[c] = sums[c] · rowScale + bias[c]</c> (FMA where the processor has it) for the register's columns.</summary>
    static abstract void Finish(float* sums, float rowScale, float* bias, float* output);
}

/// <summary>One column at a time: the reference path. A "register" is one pair packed in an <see cref="int"/> (low half first).</summary>
internal readonly unsafe struct ScalarInt16Pairs : IInt16PairLanes<int>
{
    public static int Columns => 1;

    public static int Zero => 0;

    public static int LoadWeightPairs(sbyte* source) => (source[1] << 16) + (ushort)source[0]; // high half k + 1, low half k (sign-extended to 16 bits)

    public static int BroadcastPair(short* pair) => *(int*)pair;

    public static int MultiplyAddPairs(int activations, int weights) =>
        (short)activations * (short)weights + (activations >> 16) * (weights >> 16);

    public static int Add(int a, int b) => a + b;

    public static int MultiplyAddPairsAndAdd(int sum, int activations, int weights) => sum + MultiplyAddPairs(activations, weights);

    public static void AccumulateScaled(int integers, float* scales, float* sums) =>
        *sums = float.MultiplyAddEstimate(integers, *scales, *sums);

    public static void Finish(float* sums, float rowScale, float* bias, float* output) =>
        *output = float.MultiplyAddEstimate(*sums, rowScale, *bias);
}

/// <summary>4 columns a register: <c>pmaddwd</c> on x86, the portable shifts and multiplies elsewhere (ARM's AdvSimd).</summary>
internal readonly unsafe struct Int16Pairs128 : IInt16PairLanes<Vector128<int>>
{
    public static int Columns => 4;

    public static Vector128<int> Zero => Vector128<int>.Zero;

    public static Vector128<int> LoadWeightPairs(sbyte* source) =>
        Sse41.IsSupported ? Sse41.ConvertToVector128Int16(source).AsInt32() // pmovsxbw: 8 bytes to 8 shorts
            : Vector128.WidenLower(Vector128.CreateScalar(*(long*)source).AsSByte()).AsInt32(); // 8 bytes: never past the panel

    public static Vector128<int> BroadcastPair(short* pair) => Vector128.Create(*(int*)pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAddPairs(Vector128<int> activations, Vector128<int> weights) =>
        Sse2.IsSupported ? Sse2.MultiplyAddAdjacent(activations.AsInt16(), weights.AsInt16())
            : LowHalves(activations) * LowHalves(weights) + (activations >> 16) * (weights >> 16);

    public static Vector128<int> Add(Vector128<int> a, Vector128<int> b) => a + b;

    public static Vector128<int> MultiplyAddPairsAndAdd(Vector128<int> sum, Vector128<int> activations, Vector128<int> weights) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(sum, activations.AsInt16(), weights.AsInt16())
            : sum + MultiplyAddPairs(activations, weights);

    public static void AccumulateScaled(Vector128<int> integers, float* scales, float* sums) =>
        Vector128.MultiplyAddEstimate(Vector128.ConvertToSingle(integers), Vector128.Load(scales), Vector128.Load(sums)).Store(sums);

    public static void Finish(float* sums, float rowScale, float* bias, float* output) =>
        Vector128.MultiplyAddEstimate(Vector128.Load(sums), Vector128.Create(rowScale), Vector128.Load(bias)).Store(output);

    private static Vector128<int> LowHalves(Vector128<int> pairs) => (pairs << 16) >> 16;
}

/// <summary>
/// 8 columns a register: <c>vpmovsxbw</c>, <c>vpmaddwd</c>, <c>vpaddd</c> on AVX2 (16 multiply-adds a multiply);
/// <see cref="VnniInt16Pairs256"/> where the processor has AVX-VNNI.
/// </summary>
internal readonly unsafe struct Int16Pairs256 : IInt16PairLanes<Vector256<int>>
{
    public static int Columns => 8;

    public static Vector256<int> Zero => Vector256<int>.Zero;

    public static Vector256<int> LoadWeightPairs(sbyte* source)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.ConvertToVector256Int16(source).AsInt32();
        }

        Vector128<sbyte> bytes = Vector128.Load(source);
        return Vector256.Create(Vector128.WidenLower(bytes), Vector128.WidenUpper(bytes)).AsInt32();
    }

    public static Vector256<int> BroadcastPair(short* pair) =>
        Avx.IsSupported ? Avx.BroadcastScalarToVector256((float*)pair).AsInt32() : Vector256.Create(*(int*)pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddPairs(Vector256<int> activations, Vector256<int> weights) =>
        Avx2.IsSupported ? Avx2.MultiplyAddAdjacent(activations.AsInt16(), weights.AsInt16())
            : LowHalves(activations) * LowHalves(weights) + (activations >> 16) * (weights >> 16);

    public static Vector256<int> Add(Vector256<int> a, Vector256<int> b) => a + b;

    public static Vector256<int> MultiplyAddPairsAndAdd(Vector256<int> sum, Vector256<int> activations, Vector256<int> weights) =>
        sum + MultiplyAddPairs(activations, weights);

    public static void AccumulateScaled(Vector256<int> integers, float* scales, float* sums) =>
        Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(integers), Vector256.Load(scales), Vector256.Load(sums)).Store(sums);

    public static void Finish(float* sums, float rowScale, float* bias, float* output) =>
        Vector256.MultiplyAddEstimate(Vector256.Load(sums), Vector256.Create(rowScale), Vector256.Load(bias)).Store(output);

    private static Vector256<int> LowHalves(Vector256<int> pairs) => (pairs << 16) >> 16;
}

/// <summary>16 columns a register: <c>vpmaddwd</c> on AVX-512BW, the portable form elsewhere (emulated on AVX2).</summary>
internal readonly unsafe struct Int16Pairs512 : IInt16PairLanes<Vector512<int>>
{
    public static int Columns => 16;

    public static Vector512<int> Zero => Vector512<int>.Zero;

    public static Vector512<int> LoadWeightPairs(sbyte* source)
    {
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.ConvertToVector512Int16(Vector256.Load(source)).AsInt32();
        }

        Vector256<sbyte> bytes = Vector256.Load(source);
        return Vector512.Create(Vector256.WidenLower(bytes), Vector256.WidenUpper(bytes)).AsInt32();
    }

    public static Vector512<int> BroadcastPair(short* pair) => Vector512.Create(*(int*)pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAddPairs(Vector512<int> activations, Vector512<int> weights) =>
        Avx512BW.IsSupported ? Avx512BW.MultiplyAddAdjacent(activations.AsInt16(), weights.AsInt16())
            : LowHalves(activations) * LowHalves(weights) + (activations >> 16) * (weights >> 16);

    public static Vector512<int> Add(Vector512<int> a, Vector512<int> b) => a + b;

    // .NET 10 exposes no 512-bit vpdpwssd (AvxVnni is 128/256-bit only): vpmaddwd and vpaddd.
    public static Vector512<int> MultiplyAddPairsAndAdd(Vector512<int> sum, Vector512<int> activations, Vector512<int> weights) =>
        sum + MultiplyAddPairs(activations, weights);

    public static void AccumulateScaled(Vector512<int> integers, float* scales, float* sums) =>
        Vector512.MultiplyAddEstimate(Vector512.ConvertToSingle(integers), Vector512.Load(scales), Vector512.Load(sums)).Store(sums);

    public static void Finish(float* sums, float rowScale, float* bias, float* output) =>
        Vector512.MultiplyAddEstimate(Vector512.Load(sums), Vector512.Create(rowScale), Vector512.Load(bias)).Store(output);

    private static Vector512<int> LowHalves(Vector512<int> pairs) => (pairs << 16) >> 16;
}

/// <summary>
/// <see cref="Int16Pairs256"/> with one <c>vpdpwssd</c> for the multiply and the add, for processors with AVX-VNNI: chosen
/// once per call rather than tested inside the tile, because NativeAOT compiles AVX-VNNI as an opportunistic instruction
/// set at its default x86-64-v3 target, and there the test in every lane operation made the projection 3.1× slower than
/// the JIT's (8.9 against 2.9 ms at 512 × 384 → 1536 on Zen 5), slower than float32.
/// </summary>
internal readonly unsafe struct VnniInt16Pairs256 : IInt16PairLanes<Vector256<int>>
{
    public static int Columns => Int16Pairs256.Columns;

    public static Vector256<int> Zero => Vector256<int>.Zero;

    public static Vector256<int> LoadWeightPairs(sbyte* source) => Int16Pairs256.LoadWeightPairs(source);

    public static Vector256<int> BroadcastPair(short* pair) => Int16Pairs256.BroadcastPair(pair);

    public static Vector256<int> MultiplyAddPairs(Vector256<int> activations, Vector256<int> weights) => Int16Pairs256.MultiplyAddPairs(activations, weights);

    public static Vector256<int> Add(Vector256<int> a, Vector256<int> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddPairsAndAdd(Vector256<int> sum, Vector256<int> activations, Vector256<int> weights) =>
        AvxVnni.MultiplyWideningAndAdd(sum, activations.AsInt16(), weights.AsInt16());

    public static void AccumulateScaled(Vector256<int> integers, float* scales, float* sums) => Int16Pairs256.AccumulateScaled(integers, scales, sums);

    public static void Finish(float* sums, float rowScale, float* bias, float* output) => Int16Pairs256.Finish(sums, rowScale, bias, output);
}
