using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// The two inner loops of decoding over a bfloat16 KV cache: scores of a query against cached keys, and the weighted
/// sum of cached values. Each value is widened exactly (a shift) and every product and sum is a float, so the only
/// error beyond the float kernels' is the cache's own rounding. Written once over <see cref="IFloatLanes{TVector}"/>
/// and <see cref="IBFloat16Pairs{TVector}"/> with the head width passed in (not emitted per shape): decode is bound
/// by the bytes it reads, not by the loop overhead a constant width would save.
/// </summary>
/// <remarks>
/// The keys and values of one head are dense rows of <c>dimHead</c> values (the <see cref="KvCache"/> layout). Both
/// loops split a row into blocks of <c>2 · Count</c> values read as even/odd pairs (see <see cref="IBFloat16Pairs{TVector}"/>);
/// a head width that is not a multiple of the block ends with a scalar tail.
/// </remarks>
internal static class BFloat16AttentionKernels
{
    /// <summary>
    /// <c>scores[j] = scale · Σ_d query[d] · keys[j · dimHead + d]</c> for <c>j</c> in <c>[0, count)</c>; the keys
    /// are bfloat16 bits.
    /// </summary>
    public static void Scores(KernelPath path, ReadOnlySpan<float> query, ReadOnlySpan<ushort> keys, int dimHead, int count, float scale, Span<float> scores)
    {
        switch (path)
        {
            case KernelPath.Vector512:
                Scores<Lanes512, BFloat16Pairs512, Vector512<float>>(query, keys, dimHead, count, scale, scores);
                break;
            case KernelPath.Vector256:
                Scores<Lanes256, BFloat16Pairs256, Vector256<float>>(query, keys, dimHead, count, scale, scores);
                break;
            case KernelPath.Vector128:
                Scores<Lanes128, BFloat16Pairs128, Vector128<float>>(query, keys, dimHead, count, scale, scores);
                break;
            default:
                Scores<ScalarLanes, ScalarBFloat16Pairs, float>(query, keys, dimHead, count, scale, scores);
                break;
        }
    }

    /// <summary>
    /// <c>output[d] = Σ_j weights[j] · values[j · dimHead + d]</c> for <c>d</c> in <c>[0, dimHead)</c>, <c>j</c> in
    /// <c>[0, count)</c>; the values are bfloat16 bits. Overwrites <paramref name="output"/>.
    /// </summary>
    public static void WeightedSum(KernelPath path, ReadOnlySpan<float> weights, ReadOnlySpan<ushort> values, int dimHead, int count, Span<float> output)
    {
        switch (path)
        {
            case KernelPath.Vector512:
                WeightedSum<Lanes512, BFloat16Pairs512, Vector512<float>>(weights, values, dimHead, count, output);
                break;
            case KernelPath.Vector256:
                WeightedSum<Lanes256, BFloat16Pairs256, Vector256<float>>(weights, values, dimHead, count, output);
                break;
            case KernelPath.Vector128:
                WeightedSum<Lanes128, BFloat16Pairs128, Vector128<float>>(weights, values, dimHead, count, output);
                break;
            default:
                WeightedSum<ScalarLanes, ScalarBFloat16Pairs, float>(weights, values, dimHead, count, output);
                break;
        }
    }

    private static void Scores<TLanes, TPairs, TVector>(ReadOnlySpan<float> query, ReadOnlySpan<ushort> keys, int dimHead, int count, float scale, Span<float> scores)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
    {
        int lanes = TLanes.Count;
        int blocks = dimHead / (2 * lanes);
        int vectorWidth = blocks * 2 * lanes;

        // The query split like the keys' pairs, even elements first, then odd ones, and scaled: the dots come out as scores.
        Span<float> split = vectorWidth <= 512 ? stackalloc float[vectorWidth] : new float[vectorWidth];
        int half = vectorWidth / 2;
        for (int m = 0; m < half; m++)
        {
            split[m] = scale * query[2 * m];
            split[half + m] = scale * query[2 * m + 1];
        }

        // Up to four blocks per pass over the keys, their query registers loaded once (one pass for a 64-wide head on
        // Vector256); a wider head adds the next blocks' dots in further passes.
        for (int first = 0; first < blocks || first == 0; first += 4)
        {
            int used = Math.Min(4, blocks - first);
            ref float even = ref Unsafe.Add(ref MemoryMarshal.GetReference(split), first * lanes);
            ref float odd = ref Unsafe.Add(ref MemoryMarshal.GetReference(split), half + first * lanes);
            bool accumulate = first > 0;
            switch (used)
            {
                case >= 4: DotBlocks<TLanes, TPairs, TVector, FourBlocks>(ref even, ref odd, keys, first * 2 * lanes, dimHead, count, accumulate, scores); break;
                case 3: DotBlocks<TLanes, TPairs, TVector, ThreeBlocks>(ref even, ref odd, keys, first * 2 * lanes, dimHead, count, accumulate, scores); break;
                case 2: DotBlocks<TLanes, TPairs, TVector, TwoBlocks>(ref even, ref odd, keys, first * 2 * lanes, dimHead, count, accumulate, scores); break;
                case 1: DotBlocks<TLanes, TPairs, TVector, OneBlock>(ref even, ref odd, keys, first * 2 * lanes, dimHead, count, accumulate, scores); break;
                default: scores[..count].Clear(); break; // no whole block: the tail below is the whole dot
            }
        }

        if (vectorWidth < dimHead)
        {
            ref ushort key = ref MemoryMarshal.GetReference(keys);
            for (int j = 0; j < count; j++)
            {
                scores[j] += scale * TailDot(query, ref Unsafe.Add(ref key, (nint)j * dimHead), vectorWidth, dimHead);
            }
        }
    }

    /// <summary>
    /// <c>scores[j] (+)= Σ</c> over <see cref="IBlockCount.Value"/> blocks from <paramref name="column"/> of key row j, the
    /// split query of those blocks held in registers for the whole pass.
    /// </summary>
    private static void DotBlocks<TLanes, TPairs, TVector, TBlocks>(ref float even, ref float odd, ReadOnlySpan<ushort> keys, int column, int dimHead, int count,
        bool accumulate, Span<float> scores)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
        where TBlocks : struct, IBlockCount
    {
        nuint lanes = (nuint)TLanes.Count;
        nuint block = 2 * lanes;
        TVector zero = TLanes.Broadcast(0f);
        TVector even0 = TLanes.Load(ref even, 0), odd0 = TLanes.Load(ref odd, 0);
        TVector even1 = TBlocks.Value > 1 ? TLanes.Load(ref even, lanes) : zero, odd1 = TBlocks.Value > 1 ? TLanes.Load(ref odd, lanes) : zero;
        TVector even2 = TBlocks.Value > 2 ? TLanes.Load(ref even, 2 * lanes) : zero, odd2 = TBlocks.Value > 2 ? TLanes.Load(ref odd, 2 * lanes) : zero;
        TVector even3 = TBlocks.Value > 3 ? TLanes.Load(ref even, 3 * lanes) : zero, odd3 = TBlocks.Value > 3 ? TLanes.Load(ref odd, 3 * lanes) : zero;
        ref ushort start = ref Unsafe.Add(ref MemoryMarshal.GetReference(keys), column);
        ref float score = ref MemoryMarshal.GetReference(scores);
        int j = 0;
        // Four keys at a time: their four dot registers are reduced together (a reduction per key was about half the
        // instructions of a 64-wide head's dot).
        for (; j + 4 <= count; j += 4)
        {
            ref ushort row = ref Unsafe.Add(ref start, (nint)j * dimHead);
            Vector128<float> dots = TLanes.SumFour(
                KeyDot<TLanes, TPairs, TVector, TBlocks>(ref row, block, even0, odd0, even1, odd1, even2, odd2, even3, odd3),
                KeyDot<TLanes, TPairs, TVector, TBlocks>(ref Unsafe.Add(ref row, dimHead), block, even0, odd0, even1, odd1, even2, odd2, even3, odd3),
                KeyDot<TLanes, TPairs, TVector, TBlocks>(ref Unsafe.Add(ref row, 2 * dimHead), block, even0, odd0, even1, odd1, even2, odd2, even3, odd3),
                KeyDot<TLanes, TPairs, TVector, TBlocks>(ref Unsafe.Add(ref row, 3 * dimHead), block, even0, odd0, even1, odd1, even2, odd2, even3, odd3));
            if (accumulate)
            {
                dots += Vector128.LoadUnsafe(ref score, (nuint)j);
            }

            dots.StoreUnsafe(ref score, (nuint)j);
        }

        for (; j < count; j++)
        {
            TVector sum = KeyDot<TLanes, TPairs, TVector, TBlocks>(ref Unsafe.Add(ref start, (nint)j * dimHead), block,
                even0, odd0, even1, odd1, even2, odd2, even3, odd3);
            float dot = TLanes.Sum(sum);
            Unsafe.Add(ref score, j) = accumulate ? Unsafe.Add(ref score, j) + dot : dot;
        }
    }

    /// <summary>One key row's products with the split query, summed over the blocks but not yet across lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector KeyDot<TLanes, TPairs, TVector, TBlocks>(ref ushort row, nuint block, TVector even0, TVector odd0,
        TVector even1, TVector odd1, TVector even2, TVector odd2, TVector even3, TVector odd3)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
        where TBlocks : struct, IBlockCount
    {
        TPairs.Load(ref row, 0, out TVector e, out TVector o);
        TVector sumEven = TLanes.Multiply(even0, e);
        TVector sumOdd = TLanes.Multiply(odd0, o);
        if (TBlocks.Value > 1)
        {
            TPairs.Load(ref row, block, out e, out o);
            sumEven = TLanes.MultiplyAdd(even1, e, sumEven);
            sumOdd = TLanes.MultiplyAdd(odd1, o, sumOdd);
        }

        if (TBlocks.Value > 2)
        {
            TPairs.Load(ref row, 2 * block, out e, out o);
            sumEven = TLanes.MultiplyAdd(even2, e, sumEven);
            sumOdd = TLanes.MultiplyAdd(odd2, o, sumOdd);
        }

        if (TBlocks.Value > 3)
        {
            TPairs.Load(ref row, 3 * block, out e, out o);
            sumEven = TLanes.MultiplyAdd(even3, e, sumEven);
            sumOdd = TLanes.MultiplyAdd(odd3, o, sumOdd);
        }

        return TLanes.Add(sumEven, sumOdd);
    }

    /// <summary><c>Σ_{d ∈ [from, dimHead)} query[d] · key[d]</c>: the elements past the last whole block.</summary>
    private static float TailDot(ReadOnlySpan<float> query, ref ushort key, int from, int dimHead)
    {
        float sum = 0f;
        for (int d = from; d < dimHead; d++)
        {
            sum = float.MultiplyAddEstimate(query[d], BFloat16.Widen(Unsafe.Add(ref key, d)), sum);
        }

        return sum;
    }

    private static void WeightedSum<TLanes, TPairs, TVector>(ReadOnlySpan<float> weights, ReadOnlySpan<ushort> values, int dimHead, int count, Span<float> output)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
    {
        int block = 2 * TLanes.Count;
        int blocks = dimHead / block;

        // Up to four blocks (eight accumulators) per pass over the keys: one pass for a 64-wide head on every path but Vector128.
        for (int first = 0; first < blocks; first += 4)
        {
            switch (blocks - first)
            {
                case >= 4: AccumulateFourBlocks<TLanes, TPairs, TVector>(weights, values, dimHead, count, first * block, output); break;
                case 3: AccumulateBlocks<TLanes, TPairs, TVector, ThreeBlocks>(weights, values, dimHead, count, first * block, output); break;
                case 2: AccumulateBlocks<TLanes, TPairs, TVector, TwoBlocks>(weights, values, dimHead, count, first * block, output); break;
                default: AccumulateBlocks<TLanes, TPairs, TVector, OneBlock>(weights, values, dimHead, count, first * block, output); break;
            }
        }

        for (int d = blocks * block; d < dimHead; d++)
        {
            float sum = 0f;
            for (int j = 0; j < count; j++)
            {
                sum = float.MultiplyAddEstimate(weights[j], BFloat16.Widen(values[j * dimHead + d]), sum);
            }

            output[d] = sum;
        }
    }

    /// <summary>
    /// Columns <c>[column, column + 8 · Count)</c> of the weighted sum: the common case (a 64-wide head on Vector256)
    /// without the block-count guards, which made the JIT keep six of the eight accumulators on the stack.
    /// </summary>
    private static void AccumulateFourBlocks<TLanes, TPairs, TVector>(ReadOnlySpan<float> weights, ReadOnlySpan<ushort> values, int dimHead, int count,
        int column, Span<float> output)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
    {
        nuint block = (nuint)(2 * TLanes.Count);
        TVector zero = TLanes.Broadcast(0f);
        TVector even0 = zero, odd0 = zero, even1 = zero, odd1 = zero, even2 = zero, odd2 = zero, even3 = zero, odd3 = zero;
        ref ushort row = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), column);
        ref float weight = ref MemoryMarshal.GetReference(weights);
        for (int j = 0; j < count; j++, row = ref Unsafe.Add(ref row, dimHead))
        {
            TVector w = TLanes.Broadcast(Unsafe.Add(ref weight, j));
            TPairs.Load(ref row, 0, out TVector e0, out TVector o0);
            TPairs.Load(ref row, block, out TVector e1, out TVector o1);
            TPairs.Load(ref row, 2 * block, out TVector e2, out TVector o2);
            TPairs.Load(ref row, 3 * block, out TVector e3, out TVector o3);
            even0 = TLanes.MultiplyAdd(w, e0, even0);
            odd0 = TLanes.MultiplyAdd(w, o0, odd0);
            even1 = TLanes.MultiplyAdd(w, e1, even1);
            odd1 = TLanes.MultiplyAdd(w, o1, odd1);
            even2 = TLanes.MultiplyAdd(w, e2, even2);
            odd2 = TLanes.MultiplyAdd(w, o2, odd2);
            even3 = TLanes.MultiplyAdd(w, e3, even3);
            odd3 = TLanes.MultiplyAdd(w, o3, odd3);
        }

        // Stores first, no call in between: a vector live across a call would be spilled inside the loop (every YMM
        // register is caller-saved on x64 Unix).
        Span<float> staging = stackalloc float[8 * Vector512<float>.Count];
        ref float stage = ref MemoryMarshal.GetReference(staging);
        nuint lanes = (nuint)TLanes.Count;
        TLanes.Store(even0, ref stage, 0);
        TLanes.Store(odd0, ref stage, lanes);
        TLanes.Store(even1, ref stage, 2 * lanes);
        TLanes.Store(odd1, ref stage, 3 * lanes);
        TLanes.Store(even2, ref stage, 4 * lanes);
        TLanes.Store(odd2, ref stage, 5 * lanes);
        TLanes.Store(even3, ref stage, 6 * lanes);
        TLanes.Store(odd3, ref stage, 7 * lanes);
        Deinterleave(staging, (int)lanes, 4, output.Slice(column));
    }

    /// <summary>Columns <c>[column, column + TBlocks.Value · 2 · Count)</c> of the weighted sum, one to three blocks.</summary>
    private static void AccumulateBlocks<TLanes, TPairs, TVector, TBlocks>(ReadOnlySpan<float> weights, ReadOnlySpan<ushort> values, int dimHead, int count,
        int column, Span<float> output)
        where TLanes : IFloatLanes<TVector>
        where TPairs : IBFloat16Pairs<TVector>
        where TVector : struct
        where TBlocks : struct, IBlockCount
    {
        int used = TBlocks.Value; // a constant in each instantiation: the branches below fold away
        nuint block = (nuint)(2 * TLanes.Count);
        TVector zero = TLanes.Broadcast(0f);
        TVector even0 = zero, odd0 = zero, even1 = zero, odd1 = zero, even2 = zero, odd2 = zero;
        ref ushort start = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), column);
        ref float weight = ref MemoryMarshal.GetReference(weights);
        for (int j = 0; j < count; j++)
        {
            ref ushort row = ref Unsafe.Add(ref start, (nint)j * dimHead);
            TVector w = TLanes.Broadcast(Unsafe.Add(ref weight, j));
            TPairs.Load(ref row, 0, out TVector e, out TVector o);
            even0 = TLanes.MultiplyAdd(w, e, even0);
            odd0 = TLanes.MultiplyAdd(w, o, odd0);
            if (used > 1)
            {
                TPairs.Load(ref row, block, out e, out o);
                even1 = TLanes.MultiplyAdd(w, e, even1);
                odd1 = TLanes.MultiplyAdd(w, o, odd1);
            }

            if (used > 2)
            {
                TPairs.Load(ref row, 2 * block, out e, out o);
                even2 = TLanes.MultiplyAdd(w, e, even2);
                odd2 = TLanes.MultiplyAdd(w, o, odd2);
            }
        }

        Span<float> staging = stackalloc float[8 * Vector512<float>.Count];
        ref float stage = ref MemoryMarshal.GetReference(staging);
        nuint lanes = (nuint)TLanes.Count;
        TLanes.Store(even0, ref stage, 0);
        TLanes.Store(odd0, ref stage, lanes);
        if (used > 1) TLanes.Store(even1, ref stage, 2 * lanes);
        if (used > 1) TLanes.Store(odd1, ref stage, 3 * lanes);
        if (used > 2) TLanes.Store(even2, ref stage, 4 * lanes);
        if (used > 2) TLanes.Store(odd2, ref stage, 5 * lanes);
        Deinterleave(staging, (int)lanes, used, output.Slice(column));
    }

    /// <summary>
    /// The accumulators back in element order: block <c>b</c>'s even lanes (at <c>staging[2b · lanes]</c>) and odd lanes
    /// (after them) become <c>destination[b · 2 · lanes + 2i]</c> and <c>[… + 2i + 1]</c>.
    /// </summary>
    private static void Deinterleave(ReadOnlySpan<float> staging, int lanes, int blocks, Span<float> destination)
    {
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<float> even = staging.Slice(2 * b * lanes, lanes), odd = staging.Slice((2 * b + 1) * lanes, lanes);
            Span<float> target = destination.Slice(2 * b * lanes, 2 * lanes);
            for (int i = 0; i < lanes; i++)
            {
                target[2 * i] = even[i];
                target[2 * i + 1] = odd[i];
            }
        }
    }

    /// <summary>How many blocks a pass handles, as a type so each instantiation compiles with it constant.</summary>
    private interface IBlockCount
    {
        static abstract int Value { get; }
    }

    private readonly struct OneBlock : IBlockCount
    {
        public static int Value => 1;
    }

    private readonly struct TwoBlocks : IBlockCount
    {
        public static int Value => 2;
    }

    private readonly struct ThreeBlocks : IBlockCount
    {
        public static int Value => 3;
    }

    private readonly struct FourBlocks : IBlockCount
    {
        public static int Value => 4;
    }
}
