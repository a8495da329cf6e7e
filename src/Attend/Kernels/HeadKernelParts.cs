using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// The parts of every emitted <see cref="IAttentionHeadKernels"/> struct whose text does not depend on the head shape:
/// the scalar references, key packing, the score tile (its loop runs along D, nothing of D is unrolled) and the value
/// tile's column blocks of whole registers. Written once here over <see cref="IFloatLanes{TVector}"/> instead of once
/// per shape in every compilation; the generated struct keeps what the shape changes (the query and value rows held in
/// registers, the narrower tail segments) and calls these with its sizes as constants.
/// </summary>
/// <remarks>
/// Every method performs the same floating-point operations in the same order as the emitted text it replaced
/// (fused multiply-adds where that had <c>MultiplyAddEstimate</c>, separate multiply and add where it had <c>+=</c>),
/// so outputs are bit-identical. Tile sizes: 6 query rows × 2 key registers on the vector paths, 4 × 4 on the scalar
/// path, as <c>TileKernelPlanner</c> plans them.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class HeadKernelParts
{
    private const int VectorQueryRows = 6;
    private const int ScalarTile = 4;

    /// <summary>
    /// The sum of a 512-bit register's lanes: the two halves added, then the two quarters, then
    /// <see cref="Vector128.Sum{T}(Vector128{T})"/>. About 8 instructions; <c>Vector512.Sum</c> compiles (.NET 10) to four
    /// separate 128-bit reductions, about 24, which left the per-key score loop of decoding shuffle-bound on AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LaneSum(Vector512<float> register)
    {
        Vector256<float> half = register.GetLower() + register.GetUpper();
        return Vector128.Sum(half.GetLower() + half.GetUpper());
    }

    /// <summary>
    /// <c>[Σa, Σb, Σc, Σd]</c>, each the same bits as <see cref="LaneSum"/>: emitted score loops reduce four keys' dot
    /// registers at once, sharing the shuffles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LaneSumFour(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
        Lanes512.SumFour(a, b, c, d);

    /// <summary><c>[Σa, Σb, Σc, Σd]</c>, each the same bits as <c>Vector256.Sum</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LaneSumFour(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d) =>
        Lanes256.SumFour(a, b, c, d);

    /// <summary><c>[Σa, Σb, Σc, Σd]</c>, each the same bits as <c>Vector128.Sum</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LaneSumFour(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) =>
        Lanes128.SumFour(a, b, c, d);

    /// <summary>Scalar <see cref="IAttentionHeadKernels.Scores"/>: the reference every vector path is tested against.</summary>
    public static void Scores(int dimHead, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int keyStride, int count, float scale, Span<float> scores)
    {
        ReadOnlySpan<float> q = query.Slice(0, dimHead);
        for (int j = 0; j < count; j++)
        {
            ReadOnlySpan<float> key = keys.Slice(j * keyStride, dimHead);
            float sum = 0f;
            for (int d = 0; d < dimHead; d++) sum += q[d] * key[d];
            scores[j] = scale * sum;
        }
    }

    /// <summary>Scalar <see cref="IAttentionHeadKernels.WeightedSum"/>: the reference every vector path is tested against.</summary>
    public static void WeightedSum(int valueDimHead, ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int valueStride, int count, Span<float> output)
    {
        Span<float> o = output.Slice(0, valueDimHead);
        o.Clear();
        for (int j = 0; j < count; j++)
        {
            ReadOnlySpan<float> row = values.Slice(j * valueStride, valueDimHead);
            float weight = weights[j];
            for (int d = 0; d < valueDimHead; d++) o[d] += weight * row[d];
        }
    }

    /// <summary>
    /// <see cref="IAttentionHeadKernels.PackKeys"/> one float at a time: blocks of <paramref name="keyBlock"/> keys transposed
    /// to <c>[D, keyBlock]</c>, so the score tile loads keyBlock keys' element d as whole registers; the tail block is zero-filled.
    /// </summary>
    public static void PackKeys(int dimHead, int keyBlock, ref float keys, nint keyStride, int count, ref float packed)
    {
        for (int first = 0; first < count; first += keyBlock)
        {
            ref float block = ref Unsafe.Add(ref packed, (nint)first * dimHead);
            int keysHere = Math.Min(keyBlock, count - first);
            for (int j = 0; j < keysHere; j++)
            {
                ref float key = ref Unsafe.Add(ref keys, (first + j) * keyStride);
                for (int d = 0; d < dimHead; d++) Unsafe.Add(ref block, d * keyBlock + j) = Unsafe.Add(ref key, d);
            }

            for (int j = keysHere; j < keyBlock; j++)
            {
                for (int d = 0; d < dimHead; d++) Unsafe.Add(ref block, d * keyBlock + j) = 0f;
            }
        }
    }

    /// <summary><see cref="IAttentionHeadKernels.ScoreTile"/> for a head of <paramref name="dimHead"/> on <paramref name="path"/>.</summary>
    public static void ScoreTile(KernelPath path, int dimHead, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)
    {
        switch (path)
        {
            case KernelPath.Vector512: ScoreTile6x2<Lanes512, Vector512<float>>(dimHead, ref query, ref packedKeys, blocks, ref scores, scoreStride); return;
            case KernelPath.Vector256: ScoreTile6x2<Lanes256, Vector256<float>>(dimHead, ref query, ref packedKeys, blocks, ref scores, scoreStride); return;
            case KernelPath.Vector128: ScoreTile6x2<Lanes128, Vector128<float>>(dimHead, ref query, ref packedKeys, blocks, ref scores, scoreStride); return;
            default: ScoreTileScalar(dimHead, ref query, ref packedKeys, blocks, ref scores, scoreStride); return;
        }
    }

    /// <summary>Scalar <see cref="IAttentionHeadKernels.AccumulateTile"/>, 4 rows: rescale each accumulator row, then add weight × value row per key.</summary>
    public static void AccumulateTile(int valueDimHead, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)
    {
        for (int r = 0; r < ScalarTile; r++)
        {
            ref float o = ref Unsafe.Add(ref output, r * valueDimHead);
            ref float p = ref Unsafe.Add(ref weights, r * weightStride);
            float factor = Unsafe.Add(ref rescale, r);
            for (int d = 0; d < valueDimHead; d++) Unsafe.Add(ref o, d) *= factor;
            for (int j = 0; j < count; j++)
            {
                ref float v = ref Unsafe.Add(ref values, j * valueStride);
                float weight = Unsafe.Add(ref p, j);
                for (int d = 0; d < valueDimHead; d++) Unsafe.Add(ref o, d) += weight * Unsafe.Add(ref v, d);
            }
        }
    }

    /// <summary>
    /// The vector value tile over columns <c>[firstColumn, endColumn)</c> in column blocks of <paramref name="registers"/>
    /// (2 or 4) whole registers of <paramref name="path"/>: 6 × registers accumulators live per block, the rescale applied
    /// as they load, each block streaming the value rows once. The emitted struct calls this for every block made only of
    /// full-width registers and writes the blocks with narrower segments itself.
    /// </summary>
    public static void AccumulateColumns(KernelPath path, int registers, int valueDimHead, int firstColumn, int endColumn, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)
    {
        var tile = new ValueTile(valueDimHead, weightStride, valueStride, count);
        switch (path, registers)
        {
            case (KernelPath.Vector512, 4): Accumulate6x4<Lanes512, Vector512<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
            case (KernelPath.Vector512, _): Accumulate6x2<Lanes512, Vector512<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
            case (KernelPath.Vector256, 4): Accumulate6x4<Lanes256, Vector256<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
            case (KernelPath.Vector256, _): Accumulate6x2<Lanes256, Vector256<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
            case (_, 4): Accumulate6x4<Lanes128, Vector128<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
            default: Accumulate6x2<Lanes128, Vector128<float>>(tile, firstColumn, endColumn, ref weights, ref values, ref output, ref rescale); return;
        }
    }

    /// <summary>The sizes one value tile call shares across its column blocks.</summary>
    private readonly record struct ValueTile(int ValueDimHead, nint WeightStride, nint ValueStride, int Count);

    private static void ScoreTileScalar(int dimHead, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)
    {
        const int KeyBlock = ScalarTile;
        for (int block = 0; block < blocks; block++)
        {
            ref float keys = ref Unsafe.Add(ref packedKeys, (nint)block * (dimHead * KeyBlock));
            for (int r = 0; r < ScalarTile; r++)
            {
                ref float q = ref Unsafe.Add(ref query, r * dimHead);
                for (int j = 0; j < KeyBlock; j++)
                {
                    float sum = 0f;
                    for (int d = 0; d < dimHead; d++) sum += Unsafe.Add(ref q, d) * Unsafe.Add(ref keys, d * KeyBlock + j);
                    Unsafe.Add(ref scores, r * scoreStride + block * KeyBlock + j) = sum;
                }
            }
        }
    }

    /// <summary>
    /// 6 query rows × 2 key registers = 12 accumulators; per d: 2 key loads, 6 query broadcasts, 12 FMAs, so 15 registers
    /// live (of 16 on AVX2/SSE). The refs walk along d, so every load is [register + constant offset].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreTile6x2<TLanes, TVector>(int dimHead, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int width = TLanes.Count;
        int keyBlock = 2 * width;
        for (int block = 0; block < blocks; block++)
        {
            ref float keys = ref Unsafe.Add(ref packedKeys, (nint)block * (dimHead * keyBlock));
            TVector s0_0 = default, s0_1 = default, s1_0 = default, s1_1 = default, s2_0 = default, s2_1 = default;
            TVector s3_0 = default, s3_1 = default, s4_0 = default, s4_1 = default, s5_0 = default, s5_1 = default;
            ref float k = ref keys;
            ref float q = ref query;
            for (int d = 0; d < dimHead; d++)
            {
                TVector k0 = TLanes.Load(ref k, 0);
                TVector k1 = TLanes.Load(ref k, (nuint)width);
                TVector qr = TLanes.Broadcast(q);
                s0_0 = TLanes.MultiplyAdd(qr, k0, s0_0);
                s0_1 = TLanes.MultiplyAdd(qr, k1, s0_1);
                qr = TLanes.Broadcast(Unsafe.Add(ref q, 1 * dimHead));
                s1_0 = TLanes.MultiplyAdd(qr, k0, s1_0);
                s1_1 = TLanes.MultiplyAdd(qr, k1, s1_1);
                qr = TLanes.Broadcast(Unsafe.Add(ref q, 2 * dimHead));
                s2_0 = TLanes.MultiplyAdd(qr, k0, s2_0);
                s2_1 = TLanes.MultiplyAdd(qr, k1, s2_1);
                qr = TLanes.Broadcast(Unsafe.Add(ref q, 3 * dimHead));
                s3_0 = TLanes.MultiplyAdd(qr, k0, s3_0);
                s3_1 = TLanes.MultiplyAdd(qr, k1, s3_1);
                qr = TLanes.Broadcast(Unsafe.Add(ref q, 4 * dimHead));
                s4_0 = TLanes.MultiplyAdd(qr, k0, s4_0);
                s4_1 = TLanes.MultiplyAdd(qr, k1, s4_1);
                qr = TLanes.Broadcast(Unsafe.Add(ref q, 5 * dimHead));
                s5_0 = TLanes.MultiplyAdd(qr, k0, s5_0);
                s5_1 = TLanes.MultiplyAdd(qr, k1, s5_1);
                k = ref Unsafe.Add(ref k, keyBlock);
                q = ref Unsafe.Add(ref q, 1);
            }

            ref float s = ref Unsafe.Add(ref scores, block * keyBlock);
            StorePair<TLanes, TVector>(s0_0, s0_1, ref s, width);
            StorePair<TLanes, TVector>(s1_0, s1_1, ref Unsafe.Add(ref s, 1 * scoreStride), width);
            StorePair<TLanes, TVector>(s2_0, s2_1, ref Unsafe.Add(ref s, 2 * scoreStride), width);
            StorePair<TLanes, TVector>(s3_0, s3_1, ref Unsafe.Add(ref s, 3 * scoreStride), width);
            StorePair<TLanes, TVector>(s4_0, s4_1, ref Unsafe.Add(ref s, 4 * scoreStride), width);
            StorePair<TLanes, TVector>(s5_0, s5_1, ref Unsafe.Add(ref s, 5 * scoreStride), width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair<TLanes, TVector>(TVector first, TVector second, ref float destination, int width)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TLanes.Store(first, ref destination, 0);
        TLanes.Store(second, ref destination, (nuint)width);
    }

    /// <summary>Accumulator <c>output[row·Dv + column]</c> loaded and scaled by the row's rescale factor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadScaled<TLanes, TVector>(ref float output, int at, float factor)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct =>
        TLanes.Multiply(TLanes.Load(ref output, (nuint)at), TLanes.Broadcast(factor));

    /// <summary>6 rows × 2 registers per column block: 12 accumulators + 2 value registers + 1 broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate6x2<TLanes, TVector>(ValueTile tile, int firstColumn, int endColumn, ref float weights, ref float values, ref float output, ref float rescale)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int width = TLanes.Count;
        int dv = tile.ValueDimHead;
        ref float p1 = ref Unsafe.Add(ref weights, tile.WeightStride);
        ref float p2 = ref Unsafe.Add(ref weights, 2 * tile.WeightStride);
        ref float p3 = ref Unsafe.Add(ref weights, 3 * tile.WeightStride);
        ref float p4 = ref Unsafe.Add(ref weights, 4 * tile.WeightStride);
        ref float p5 = ref Unsafe.Add(ref weights, 5 * tile.WeightStride);
        for (int c = firstColumn; c < endColumn; c += 2 * width)
        {
            int c1 = c + width;
            float f0 = rescale, f1 = Unsafe.Add(ref rescale, 1), f2 = Unsafe.Add(ref rescale, 2), f3 = Unsafe.Add(ref rescale, 3), f4 = Unsafe.Add(ref rescale, 4), f5 = Unsafe.Add(ref rescale, 5);
            TVector o0_0 = LoadScaled<TLanes, TVector>(ref output, c, f0), o0_1 = LoadScaled<TLanes, TVector>(ref output, c1, f0);
            TVector o1_0 = LoadScaled<TLanes, TVector>(ref output, dv + c, f1), o1_1 = LoadScaled<TLanes, TVector>(ref output, dv + c1, f1);
            TVector o2_0 = LoadScaled<TLanes, TVector>(ref output, 2 * dv + c, f2), o2_1 = LoadScaled<TLanes, TVector>(ref output, 2 * dv + c1, f2);
            TVector o3_0 = LoadScaled<TLanes, TVector>(ref output, 3 * dv + c, f3), o3_1 = LoadScaled<TLanes, TVector>(ref output, 3 * dv + c1, f3);
            TVector o4_0 = LoadScaled<TLanes, TVector>(ref output, 4 * dv + c, f4), o4_1 = LoadScaled<TLanes, TVector>(ref output, 4 * dv + c1, f4);
            TVector o5_0 = LoadScaled<TLanes, TVector>(ref output, 5 * dv + c, f5), o5_1 = LoadScaled<TLanes, TVector>(ref output, 5 * dv + c1, f5);
            for (int j = 0; j < tile.Count; j++)
            {
                ref float v = ref Unsafe.Add(ref values, j * tile.ValueStride);
                TVector v0 = TLanes.Load(ref v, (nuint)c);
                TVector v1 = TLanes.Load(ref v, (nuint)c1);
                TVector p = TLanes.Broadcast(Unsafe.Add(ref weights, j));
                o0_0 = TLanes.MultiplyAdd(p, v0, o0_0);
                o0_1 = TLanes.MultiplyAdd(p, v1, o0_1);
                p = TLanes.Broadcast(Unsafe.Add(ref p1, j));
                o1_0 = TLanes.MultiplyAdd(p, v0, o1_0);
                o1_1 = TLanes.MultiplyAdd(p, v1, o1_1);
                p = TLanes.Broadcast(Unsafe.Add(ref p2, j));
                o2_0 = TLanes.MultiplyAdd(p, v0, o2_0);
                o2_1 = TLanes.MultiplyAdd(p, v1, o2_1);
                p = TLanes.Broadcast(Unsafe.Add(ref p3, j));
                o3_0 = TLanes.MultiplyAdd(p, v0, o3_0);
                o3_1 = TLanes.MultiplyAdd(p, v1, o3_1);
                p = TLanes.Broadcast(Unsafe.Add(ref p4, j));
                o4_0 = TLanes.MultiplyAdd(p, v0, o4_0);
                o4_1 = TLanes.MultiplyAdd(p, v1, o4_1);
                p = TLanes.Broadcast(Unsafe.Add(ref p5, j));
                o5_0 = TLanes.MultiplyAdd(p, v0, o5_0);
                o5_1 = TLanes.MultiplyAdd(p, v1, o5_1);
            }

            StoreRow2<TLanes, TVector>(o0_0, o0_1, ref output, c, c1);
            StoreRow2<TLanes, TVector>(o1_0, o1_1, ref output, dv + c, dv + c1);
            StoreRow2<TLanes, TVector>(o2_0, o2_1, ref output, 2 * dv + c, 2 * dv + c1);
            StoreRow2<TLanes, TVector>(o3_0, o3_1, ref output, 3 * dv + c, 3 * dv + c1);
            StoreRow2<TLanes, TVector>(o4_0, o4_1, ref output, 4 * dv + c, 4 * dv + c1);
            StoreRow2<TLanes, TVector>(o5_0, o5_1, ref output, 5 * dv + c, 5 * dv + c1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow2<TLanes, TVector>(TVector first, TVector second, ref float output, int at0, int at1)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TLanes.Store(first, ref output, (nuint)at0);
        TLanes.Store(second, ref output, (nuint)at1);
    }

    /// <summary>
    /// 6 rows × 4 registers per column block: 24 accumulators + 4 value registers + 1 broadcast, for the 32 registers of
    /// AVX-512. One row at a time through <see cref="Row4{TVector}"/>, which the JIT inlines, so the accumulators stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate6x4<TLanes, TVector>(ValueTile tile, int firstColumn, int endColumn, ref float weights, ref float values, ref float output, ref float rescale)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int width = TLanes.Count;
        int dv = tile.ValueDimHead;
        ref float p1 = ref Unsafe.Add(ref weights, tile.WeightStride);
        ref float p2 = ref Unsafe.Add(ref weights, 2 * tile.WeightStride);
        ref float p3 = ref Unsafe.Add(ref weights, 3 * tile.WeightStride);
        ref float p4 = ref Unsafe.Add(ref weights, 4 * tile.WeightStride);
        ref float p5 = ref Unsafe.Add(ref weights, 5 * tile.WeightStride);
        for (int c = firstColumn; c < endColumn; c += 4 * width)
        {
            Row4<TVector> r0 = Row4<TVector>.Load<TLanes>(ref output, c, width, rescale);
            Row4<TVector> r1 = Row4<TVector>.Load<TLanes>(ref output, dv + c, width, Unsafe.Add(ref rescale, 1));
            Row4<TVector> r2 = Row4<TVector>.Load<TLanes>(ref output, 2 * dv + c, width, Unsafe.Add(ref rescale, 2));
            Row4<TVector> r3 = Row4<TVector>.Load<TLanes>(ref output, 3 * dv + c, width, Unsafe.Add(ref rescale, 3));
            Row4<TVector> r4 = Row4<TVector>.Load<TLanes>(ref output, 4 * dv + c, width, Unsafe.Add(ref rescale, 4));
            Row4<TVector> r5 = Row4<TVector>.Load<TLanes>(ref output, 5 * dv + c, width, Unsafe.Add(ref rescale, 5));
            for (int j = 0; j < tile.Count; j++)
            {
                ref float v = ref Unsafe.Add(ref values, j * tile.ValueStride);
                Row4<TVector> row = Row4<TVector>.Load<TLanes>(ref v, c, width);
                r0.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref weights, j)), row);
                r1.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref p1, j)), row);
                r2.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref p2, j)), row);
                r3.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref p3, j)), row);
                r4.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref p4, j)), row);
                r5.Add<TLanes>(TLanes.Broadcast(Unsafe.Add(ref p5, j)), row);
            }

            r0.Store<TLanes>(ref output, c, width);
            r1.Store<TLanes>(ref output, dv + c, width);
            r2.Store<TLanes>(ref output, 2 * dv + c, width);
            r3.Store<TLanes>(ref output, 3 * dv + c, width);
            r4.Store<TLanes>(ref output, 4 * dv + c, width);
            r5.Store<TLanes>(ref output, 5 * dv + c, width);
        }
    }

    /// <summary>Four consecutive registers of one row; a struct of locals the JIT promotes to registers.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Row4<TVector>
        where TVector : struct
    {
        private TVector _a, _b, _c, _d;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Row4<TVector> Load<TLanes>(ref float source, int at, int width)
            where TLanes : struct, IFloatLanes<TVector> => new()
        {
            _a = TLanes.Load(ref source, (nuint)at),
            _b = TLanes.Load(ref source, (nuint)(at + width)),
            _c = TLanes.Load(ref source, (nuint)(at + 2 * width)),
            _d = TLanes.Load(ref source, (nuint)(at + 3 * width)),
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Row4<TVector> Load<TLanes>(ref float source, int at, int width, float factor)
            where TLanes : struct, IFloatLanes<TVector>
        {
            TVector f = TLanes.Broadcast(factor);
            return new()
            {
                _a = TLanes.Multiply(TLanes.Load(ref source, (nuint)at), f),
                _b = TLanes.Multiply(TLanes.Load(ref source, (nuint)(at + width)), f),
                _c = TLanes.Multiply(TLanes.Load(ref source, (nuint)(at + 2 * width)), f),
                _d = TLanes.Multiply(TLanes.Load(ref source, (nuint)(at + 3 * width)), f),
            };
        }

        /// <summary><c>this += weight · row</c>, one fused multiply-add per register.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add<TLanes>(TVector weight, in Row4<TVector> row)
            where TLanes : struct, IFloatLanes<TVector>
        {
            _a = TLanes.MultiplyAdd(weight, row._a, _a);
            _b = TLanes.MultiplyAdd(weight, row._b, _b);
            _c = TLanes.MultiplyAdd(weight, row._c, _c);
            _d = TLanes.MultiplyAdd(weight, row._d, _d);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store<TLanes>(ref float destination, int at, int width)
            where TLanes : struct, IFloatLanes<TVector>
        {
            TLanes.Store(_a, ref destination, (nuint)at);
            TLanes.Store(_b, ref destination, (nuint)(at + width));
            TLanes.Store(_c, ref destination, (nuint)(at + 2 * width));
            TLanes.Store(_d, ref destination, (nuint)(at + 3 * width));
        }
    }
}
