using System;

namespace Attend.Kernels;

public static partial class AttentionDriver
{
    /// <summary>
    /// Attention of new tokens over a <see cref="KvCache"/>: the keys and values before the new ones are read in place
    /// from layer <paramref name="layer"/> of <paramref name="cache"/> (positions <c>[0, cache.Length)</c>), the new ones
    /// from <paramref name="problem"/>. With a null cache the problem runs as given (<see cref="Run{TKernels}"/>).
    /// </summary>
    /// <remarks>
    /// <para><paramref name="problem"/> describes the new tokens as if there were no cache: <see cref="AttentionProblem.Key"/>
    /// and <see cref="AttentionProblem.Value"/> hold the <c>KeyLength − cache.Length</c> new rows (typically the projected
    /// rows, in place), <see cref="AttentionProblem.KeyLength"/> counts the cached rows too, and the past fields stay empty.</para>
    /// <para>A float cache is read through the same kernels as any past. A bfloat16 cache is read by the bfloat16
    /// kernels of <see cref="BFloat16AttentionKernels"/> (widen, then float arithmetic) when a few query rows decode;
    /// a prefill of many rows widens the cached rows once into per-thread scratch (<c>O(past · D)</c> against the
    /// <c>O(rows · past · D)</c> of attention) and runs the tiled float kernels.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">As <see cref="Run{TKernels}"/>, or the cache's batch, heads or head width differ from the problem's.</exception>
    public static void RunCached<TKernels>(scoped in AttentionProblem problem, KvCache? cache, int layer)
        where TKernels : struct, IAttentionHeadKernels =>
        RunCached<TKernels>(in problem, cache, layer, firstSequence: 0, wholeBatch: true);

    /// <summary>
    /// <see cref="RunCached{TKernels}(in AttentionProblem, KvCache?, int)"/> for the <see cref="AttentionProblem.Batch"/>
    /// sequences of <paramref name="cache"/> that start at <paramref name="firstSequence"/>: how a stack runs disjoint
    /// ranges of one batch side by side.
    /// </summary>
    /// <exception cref="ArgumentException">As the other overload, or the range does not lie inside the cache's batch.</exception>
    public static void RunCached<TKernels>(scoped in AttentionProblem problem, KvCache? cache, int layer, int firstSequence)
        where TKernels : struct, IAttentionHeadKernels =>
        RunCached<TKernels>(in problem, cache, layer, firstSequence, wholeBatch: false);

    private static unsafe void RunCached<TKernels>(scoped in AttentionProblem problem, KvCache? cache, int layer, int firstSequence, bool wholeBatch)
        where TKernels : struct, IAttentionHeadKernels
    {
        if (cache is null)
        {
            Run<TKernels>(in problem);
            return;
        }

        int dimHead = TKernels.DimHead;
        int past = cache.Length;
        AttentionProblem withPast = problem with { PastLength = past };
        withPast.Validate(dimHead, TKernels.ValueDimHead, pastInCache: true);
        bool sequencesFit = wholeBatch ? cache.Batch == problem.Batch : firstSequence >= 0 && (long)firstSequence + problem.Batch <= cache.Batch;
        if (!sequencesFit || cache.KvHeads != withPast.ResolvedKvHeads || cache.DimHead != dimHead || TKernels.ValueDimHead != dimHead)
        {
            string sequences = wholeBatch ? $"has {problem.Batch}" : $"reads sequences [{firstSequence}, {(long)firstSequence + problem.Batch})";
            throw new ArgumentException($"The cache holds {cache.Batch} sequences of {cache.KvHeads} heads × {cache.DimHead}; this attention {sequences} of {withPast.ResolvedKvHeads} × {dimHead} (values {TKernels.ValueDimHead} wide).", nameof(cache));
        }

        // The cache is [Batch, KvHeads, Capacity, DimHead]: a range of sequences starts this many elements in.
        int rangeStart = firstSequence * cache.KvHeads * cache.HeadStride;

        if (problem.Batch == 0 || problem.QueryLength == 0)
        {
            return;
        }

        if (cache.Precision == KvCachePrecision.Float32)
        {
            fixed (float* keys = cache.Keys(layer))
            fixed (float* values = cache.Values(layer))
            {
                Execute<TKernels>(in withPast, new PastRows { Key = keys + rangeStart, Value = values + rangeStart, Length = past, RowsPerHead = cache.Capacity });
            }

            return;
        }

        Span<ushort> keyBits = cache.KeyBits(layer);
        Span<ushort> valueBits = cache.ValueBits(layer);
        bool readsRowByRow = problem.QueryLength < SplitKeyMaxQueries || !problem.Probabilities.IsEmpty || !problem.Scores.IsEmpty;
        if (readsRowByRow)
        {
            fixed (ushort* keys = keyBits)
            fixed (ushort* values = valueBits)
            {
                Execute<TKernels>(in withPast, new PastRows { KeyBits = keys + rangeStart, ValueBits = values + rangeStart, Length = past, RowsPerHead = cache.Capacity });
            }

            return;
        }

        int pairs = problem.Batch * cache.KvHeads;
        int perPair = past * dimHead;
        AttentionScratch scratch = AttentionScratch.Current;
        float* widenedKeys = scratch.WidenedKeys.Get(pairs * perPair);
        float* widenedValues = scratch.WidenedValues.Get(pairs * perPair);
        for (int pair = 0; pair < pairs; pair++)
        {
            int from = rangeStart + pair * cache.HeadStride;
            TensorConversions.Bf16ToFloat32(keyBits.Slice(from, perPair), new Span<float>(widenedKeys + (nint)pair * perPair, perPair));
            TensorConversions.Bf16ToFloat32(valueBits.Slice(from, perPair), new Span<float>(widenedValues + (nint)pair * perPair, perPair));
        }

        Execute<TKernels>(in withPast, new PastRows { Key = widenedKeys, Value = widenedValues, Length = past, RowsPerHead = past });
    }
}
