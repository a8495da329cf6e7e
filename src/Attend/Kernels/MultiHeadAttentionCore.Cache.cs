using System;
using System.Threading;

namespace Attend.Kernels;

// Decoding with a KV cache (causal self-attention layers without key padding): each call projects only the new tokens,
// appends their keys and values to the cache, and lets the new queries attend to every cached position (the causal
// diagonal shifted by what is cached): the cached ones read in place (float or bfloat16), their own from the projected rows.
public static partial class MultiHeadAttentionCore<TShape, THeadKernels>
{
    /// <summary>
    /// Creates a key/value cache for this layer: <paramref name="batch"/> sequences of up to <paramref name="capacity"/> positions
    /// of KvHeads × DimHead. Fill it with <c>Prefill</c>, extend it one token per sequence with the one-token <c>Forward</c>,
    /// and <see cref="KvCache.Reset"/> it to start new sequences.
    /// </summary>
    /// <param name="batch">Sequences decoded together.</param>
    /// <param name="capacity">Positions each sequence can hold.</param>
    public static KvCache CreateKvCache(int batch, int capacity) => new(1, batch, TShape.KvHeads, DimHead, capacity);

    /// <summary>
    /// Creates a key/value cache for this layer that stores keys and values in <paramref name="precision"/>:
    /// <see cref="KvCachePrecision.BFloat16"/> halves the bytes a decoding step reads (and the cache's memory),
    /// at a relative rounding error of at most 2⁻⁸ per cached value; the arithmetic stays in 32-bit floats.
    /// </summary>
    /// <param name="batch">Sequences decoded together.</param>
    /// <param name="capacity">Positions each sequence can hold.</param>
    /// <param name="precision">How the cache stores keys and values.</param>
    public static KvCache CreateKvCache(int batch, int capacity, KvCachePrecision precision) => new(1, batch, TShape.KvHeads, DimHead, capacity, precision);

    /// <summary>
    /// Runs <paramref name="length"/> new tokens per sequence that follow the <c>cache.Length</c> already cached, stores their keys and
    /// values in <paramref name="cache"/>, and advances it. Equal, up to summation order, to the last <paramref name="length"/> rows of
    /// a causal <c>Forward</c> over the whole prefix. Allocates nothing once warm.
    /// </summary>
    /// <param name="weights">The layer's published weights, read once for the whole call.</param>
    /// <param name="requestedPath">The layer's <c>Path</c>, resolved once every argument is checked.</param>
    /// <param name="threads">The layer's <c>MaxDegreeOfParallelism</c>.</param>
    /// <param name="input">New tokens <c>[cache.Batch, length, ModelDim]</c>.</param>
    /// <param name="output">Receives <c>[cache.Batch, length, ModelDim]</c>; may be <paramref name="input"/> itself.</param>
    /// <param name="length">New tokens per sequence.</param>
    /// <param name="cache">A cache from <c>CreateKvCache</c> with room for <paramref name="length"/> more positions.</param>
    /// <exception cref="ArgumentException">A size does not match, or the cache is full or of another shape.</exception>
    public static void Prefill(ref MultiHeadAttentionWeights<TShape> weights, KernelPath requestedPath, int threads,
        ReadOnlySpan<float> input, Span<float> output, int length, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.Layers != 1 || cache.KvHeads != TShape.KvHeads || cache.DimHead != DimHead) throw new ArgumentException($"The cache holds {cache.Layers} layers of {cache.KvHeads} × {cache.DimHead}; this layer needs 1 layer of {TShape.KvHeads} × {DimHead}: create it with CreateKvCache.", nameof(cache));
        ArgumentChecks.Positive(length, nameof(length));
        cache.EnsureRoom(length);
        int batch = cache.Batch;
        ArgumentChecks.Length(input.Length, (long)batch * length * ModelDim, nameof(input), $"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}");
        ArgumentChecks.Length(output.Length, (long)batch * length * ModelDim, nameof(output), $"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}");
        if (output.Overlaps(input, out int shift) && shift != 0) throw new ArgumentException("output may be input itself but must not partially overlap it.", nameof(output));

        MultiHeadAttentionWeights<TShape> published = Volatile.Read(ref weights); // one set for the whole pass
        KernelPath path = KernelPaths.Resolve(requestedPath);
        int rows = batch * length; // fits: input.Length was checked above
        long scratchLength = (long)rows * (QkvWidth + InnerDim);
        if (scratchLength > Array.MaxLength) throw new ArgumentException($"cache.Batch × length is too large: the projected Q, K, V need {scratchLength} floats, more than one array holds; prefill in shorter pieces.", nameof(length));

        // This thread's reusable buffer: a warm call allocates nothing; other threads' calls have their own.
        float[] scratch = LayerScratch.Rent((int)scratchLength);
        Span<float> qkv = scratch.AsSpan(0, rows * QkvWidth);
        Span<float> context = scratch.AsSpan(rows * QkvWidth, rows * InnerDim);
        published.Qkv.Project(path, input, rows, published.InputBias, qkv, threads);

        // The new keys and values join the cache for later steps; this call reads the cached ones in place and its own from qkv.
        cache.Store(0, qkv, length, QkvWidth, InnerDim, InnerDim + KvInnerDim);
        int past = cache.Length;
        var problem = new AttentionProblem
        {
            Batch = batch, Heads = TShape.Heads, KvHeads = TShape.KvHeads, QueryLength = length, KeyLength = past + length,
            Query = qkv, QueryBatchStride = length * QkvWidth, QueryHeadStride = DimHead, QueryRowStride = QkvWidth,
            Key = qkv.Slice(InnerDim), KeyBatchStride = length * QkvWidth, KeyHeadStride = DimHead, KeyRowStride = QkvWidth,
            Value = qkv.Slice(InnerDim + KvInnerDim), ValueBatchStride = length * QkvWidth, ValueHeadStride = DimHead, ValueRowStride = QkvWidth,
            Output = context, OutputBatchStride = length * InnerDim, OutputHeadStride = DimHead, OutputRowStride = InnerDim,
            Scale = TShape.Scale, Causal = true,
            CausalOffset = past, Window = TShape.Window,
            Path = path, MaxDegreeOfParallelism = threads,
        };
        AttentionDriver.RunCached<THeadKernels>(problem, cache, 0);
        published.Output.Project(path, context, rows, published.OutputBias, output, threads);
        cache.Advance(length);
    }

    /// <summary>
    /// Decodes one new token per sequence: attends to every cached position plus itself, stores its keys and values and
    /// advances <paramref name="cache"/>. Equal, up to summation order, to the last row of a causal <c>Forward</c> over the prefix.
    /// </summary>
    /// <param name="weights">The layer's published weights, read once for the whole call.</param>
    /// <param name="requestedPath">The layer's <c>Path</c>, resolved once every argument is checked.</param>
    /// <param name="threads">The layer's <c>MaxDegreeOfParallelism</c>.</param>
    /// <param name="tokens">One token per sequence, <c>[cache.Batch, ModelDim]</c>.</param>
    /// <param name="output">Receives <c>[cache.Batch, ModelDim]</c>; may be <paramref name="tokens"/> itself.</param>
    /// <param name="cache">A cache from <c>CreateKvCache</c> with room for one more position.</param>
    /// <exception cref="ArgumentException">A size does not match, or the cache is full or of another shape.</exception>
    public static void Decode(ref MultiHeadAttentionWeights<TShape> weights, KernelPath requestedPath, int threads,
        ReadOnlySpan<float> tokens, Span<float> output, KvCache cache) =>
        Prefill(ref weights, requestedPath, threads, tokens, output, 1, cache);
}
